"""Answers: an answer file read (drafter.yamlread) and validated against its kind (drafter.validate).

An answer file is YAML a person can read and edit::

    kind: adhoc
    schema_version: 1
    gruppe:
      navn: ...
    tidsplan:
      start: 2027-01-04

drafter.yamlio writes answers back, keeping the file's own text.
"""

from __future__ import annotations

import os
from pathlib import Path

from drafter import inputs
from drafter.errors import AnswerFileError, UsageError
from drafter.fsutil import resolved
from drafter.plain import FrozenPlain, Plain, set_fields
from drafter.problems import SourceMap, in_file_order
from drafter.questionnaire import Questionnaire
from drafter.validate import is_complete, questionnaire_for, validate
from drafter.yamlread import AnswerFile, read_answer_file

TYPE_CHECKING = False  # typing is for the annotations only: a check does not load it (~1.5 ms)
if TYPE_CHECKING:
    from typing import Any, Iterable


class Answers(Plain):
    """Validated answers of one kind: normalised values, ready to render or to save.

    *data* is the plain data they were validated from (with its meta keys, such as the
    waivers of rules); *source* the file they were read from, if any.
    """

    __slots__ = ("questionnaire", "values", "data", "source", "complete")
    questionnaire: Questionnaire
    values: dict[str, dict[str, Any]]
    data: dict[str, Any]
    source: AnswerFile | None
    complete: bool

    def __init__(self, questionnaire: Questionnaire, values: dict[str, dict[str, Any]], data: dict[str, Any] | None = None,
                 source: AnswerFile | None = None, complete: bool = True):
        self.questionnaire = questionnaire
        self.values = values
        self.data = {} if data is None else data
        self.source = source
        self.complete = complete

    def get(self, dotted: str) -> Any:
        section, _, key = dotted.partition(".")
        return self.values.get(section, {}).get(key)

    @property
    def source_map(self) -> SourceMap | None:
        return self.source.source if self.source is not None else None


def load_answers(path: str | Path, expected_kind: str | None = None) -> Answers:
    """Read and validate an answer file; raise AnswerFileError listing every problem."""
    return check_file(read_answer_file(path), expected_kind)


def check_file(raw: AnswerFile, expected_kind: str | None = None) -> Answers:
    """Validate a read answer file (drafter.validate); raise AnswerFileError with its source map."""
    questionnaire, problems = questionnaire_for(raw.data, expected_kind)
    if questionnaire is None:
        raise AnswerFileError(problems, raw.source)
    values, problems = validate(raw.data, questionnaire)
    if problems:
        raise AnswerFileError(in_file_order(problems, raw.source), raw.source)
    return Answers(questionnaire, values, raw.data, raw, is_complete(raw.data))


# -- which files -----------------------------------------------------------------------

ANSWER_SUFFIXES = (".yaml", ".yml")


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Folders become their answer files (*.yaml, *.yml; not recursive, no hidden files).

    Files are kept as given, even when they do not exist, so that rendering reports them;
    the same file named twice is rendered once.
    """
    result: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if is_folder(path):
            found = [
                path / name for name in inputs.names(path)  # sorted; noted for `check`'s kept verdict
                if os.path.splitext(name)[1].lower() in ANSWER_SUFFIXES and not name.startswith(".")
                and inputs.is_file(path / name)
            ]
            if not found:
                raise UsageError(f"{path}: mappen indeholder ingen svarfiler (*.yaml eller *.yml)")
        else:
            found = [path]
        for item in found:
            key = resolved(item)
            inputs.resolved(item, key)
            if key not in seen:
                seen.add(key)
                result.append(item)
    return result


def is_folder(path: Path) -> bool:
    try:
        return inputs.is_dir(path)
    except OSError:  # a name too long: rendering it says so
        return False


# -- recovery files ----------------------------------------------------------------------------
#
# When a save fails (a full disk, a folder that cannot be written), drafter.session writes
# every answer to a recovery file, <draft>-gendannet.yaml beside the answer file (else in the
# user's cache folder). It is not a commission of its own: the file says so itself, under
# "gendannelse", with the answer file its answers belong to. Every list of answer files
# (render, check, status, the web form) shows it as a recovery file with what to do, never
# as a commission; `drafter restore` (or `drafter new KIND --resume`) puts the answers back.
RECOVERY_KEY = "gendannelse"


class Recovery(FrozenPlain):
    """What a recovery file says about itself (its "gendannelse")."""

    __slots__ = ("answers_path", "base_digest", "finished", "chair_document")
    answers_path: Path  # "svarfil": the answer file the answers belong to (absolute)
    base_digest: str | None  # "grundlag": SHA-256 of that file as last read; None: it was not written yet
    finished: bool  # "faerdig": the answers were finished (complete)
    chair_document: Path | None  # "wordfil": from `drafter import`, the chair's Word document

    def __init__(self, answers_path: Path, base_digest: str | None = None, finished: bool = False,
                 chair_document: Path | None = None):
        set_fields(self, answers_path, base_digest, finished, chair_document)

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"svarfil": str(self.answers_path)}
        if self.base_digest:
            data["grundlag"] = self.base_digest
        if self.finished:
            data["faerdig"] = True
        if self.chair_document is not None:
            data["wordfil"] = str(self.chair_document)
        return data


def recovery_of(data: Any) -> Recovery | None:
    """The recovery a file's plain *data* describes, or None: not a recovery file (also when a
    hand edit left its "gendannelse" without an answer file to name)."""
    block = data.get(RECOVERY_KEY) if isinstance(data, dict) else None
    if not isinstance(block, dict) or not isinstance(block.get("svarfil"), str) or not block["svarfil"].strip():
        return None
    digest, document = block.get("grundlag"), block.get("wordfil")
    return Recovery(
        Path(block["svarfil"]),
        digest if isinstance(digest, str) and digest else None,
        block.get("faerdig") is True,
        Path(document) if isinstance(document, str) and document.strip() else None,
    )


def shown_path(path: Path) -> Path:
    """*path* as a person in the current folder reads it: relative when it lies below it."""
    try:
        return Path(os.path.relpath(path)) if path.is_absolute() and path.is_relative_to(Path.cwd()) else path
    except (OSError, ValueError):  # no current folder; another drive (Windows)
        return path


def restore_command(recovery_file: Path) -> str:
    """The command that puts a recovery file's answers back where they belong."""
    from drafter import shellquote  # here: a plain check needs it only for a recovery file (shlex, 0.3 ms)

    return f"drafter restore {shellquote.quote(shown_path(recovery_file))}"


def recovery_sentence(recovery_file: Path, recovery: Recovery) -> str:
    """What a recovery file is and what to do with it, in one Danish sentence (lists, check)."""
    return f"{shown_path(recovery_file)}: er en gendannelsesfil, ikke et kommissorium: {recovery_advice(recovery_file, recovery)}"


def recovery_advice(recovery_file: Path, recovery: Recovery) -> str:
    """Whose answers a recovery file holds, and the command that puts them back (Danish)."""
    return (f"svar til {shown_path(recovery.answers_path)}, som ikke kunne gemmes dér; læg dem tilbage med: "
            f"{restore_command(recovery_file)}")
