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
from dataclasses import dataclass, field
from pathlib import Path

from drafter import inputs
from drafter.errors import AnswerFileError, UsageError
from drafter.fsutil import resolved
from drafter.problems import SourceMap, in_file_order
from drafter.questionnaire import Questionnaire
from drafter.validate import is_complete, questionnaire_for, validate
from drafter.yamlread import AnswerFile, read_answer_file

TYPE_CHECKING = False  # typing is for the annotations only: a check does not load it (~1.5 ms)
if TYPE_CHECKING:
    from typing import Any, Iterable


@dataclass
class Answers:
    """Validated answers of one kind: normalised values, ready to render or to save.

    *data* is the plain data they were validated from (with its meta keys, such as the
    waivers of rules); *source* the file they were read from, if any.
    """

    questionnaire: Questionnaire
    values: dict[str, dict[str, Any]]
    data: dict[str, Any] = field(default_factory=dict)
    source: AnswerFile | None = None
    complete: bool = True

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
