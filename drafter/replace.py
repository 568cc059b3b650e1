"""`drafter replace OLD NEW`: a name changed in free text across a workspace's answer files.

When a body is renamed (a cluster becomes a health council, Region Sjælland becomes Region
Østdanmark), every answer file that names it must follow. A search-and-replace in an editor
would lose nothing but would also say nothing; this goes through the answer files' own
round-trip writer (comments, layout and every other answer's lines kept byte for byte),
validates each file before writing it, and can record each commission's changes as Word
tracked changes.

How a name is found, so that the dry run can be trusted:
- as a whole word: "Midtklyngen" is not found inside "Midtklyngenetværket"; such places are
  listed as left alone, never changed silently;
- with the Danish genitive: "Region Sjællands" becomes "Region Østdanmarks";
- any white space between its words (a line folded in the YAML);
- its first letter in either case, so a sentence that starts with it is found; there the new
  name starts with a capital letter too. Elsewhere the new name is written as given.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drafter.answers import Answers
from drafter.yamlread import read_answer_file
from drafter.changes import label as question_label
from drafter.errors import AnswerFileError, DrafterError, UsageError
from drafter.fsutil import atomic_write, describe_oserror
from drafter.problems import Problem, SourceMap, display_path
from drafter.rules import texts
from drafter.validate import is_complete, questionnaire_for, validate
from drafter.versions import Difference, Side, tracked_document
from drafter.yamlio import kept_meta, save_answers

EXCERPT = 40  # characters shown on each side of a change in the listing
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*)$")


@dataclass
class Occurrence:
    """One place in one answer where OLD stands (changed), or stands inside a longer word (left)."""

    path: tuple
    label: str
    line: int | None
    before: str  # an excerpt around the place
    after: str  # the same excerpt changed ("" for a place left alone)


@dataclass
class FileReplacement:
    path: Path
    changed: list[Occurrence] = field(default_factory=list)
    left: list[Occurrence] = field(default_factory=list)  # OLD inside a longer word: not changed
    problems: list[Problem] = field(default_factory=list)  # why the file was not written
    source: SourceMap | None = None
    written: bool = False
    old_answers: Any = None  # drafter.answers.Answers before, and after (for tracked changes)
    new_answers: Any = None


def _pattern(old: str) -> re.Pattern:
    words = old.split()
    first, rest = words[0], words[1:]
    head = f"[{re.escape(first[0].upper())}{re.escape(first[0].lower())}]{re.escape(first[1:])}"
    body = r"\s+".join([head, *(re.escape(w) for w in rest)])
    # The optional "s" is the genitive; a letter, digit or hyphen on either side means a longer word.
    return re.compile(rf"(?P<word>[\w-]*?)(?P<name>{body})(?P<genitive>s?)(?P<tail>[\w-]*)")


def _genitive(name: str) -> str:
    return name + ("'" if name[-1:].lower() in ("s", "x", "z") else "s")


def replace_text(text: str, old: str, new: str) -> tuple[str, list[tuple[int, int, str]], list[tuple[int, int]]]:
    """(*text* with OLD replaced, [(start, end, replacement)], [(start, end) of OLD inside longer words])."""
    changes: list[tuple[int, int, str]] = []
    left: list[tuple[int, int]] = []
    for match in _pattern(old).finditer(text):
        if match.group("word") or match.group("tail"):
            left.append((match.start("name"), match.end("name")))
            continue
        replacement = new
        if _SENTENCE_START.search(text[: match.start("name")]) and replacement:
            replacement = replacement[0].upper() + replacement[1:]
        if match.group("genitive"):
            replacement = _genitive(replacement)
        changes.append((match.start("name"), match.end(), replacement))
    out, last = [], 0
    for start, end, replacement in changes:
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out), changes, left


def _excerpt(text: str, start: int, end: int, replacement: str | None = None) -> str:
    left = text[max(0, start - EXCERPT):start]
    right = text[end:end + EXCERPT]
    # Whole words only: a cut word ("…dte model") reads as a typo.
    if start > EXCERPT and text[start - EXCERPT - 1].isalnum() and left[:1].isalnum():
        left = re.sub(r"^\w*", "", left)
    if end + EXCERPT < len(text) and text[end + EXCERPT].isalnum() and right[-1:].isalnum():
        right = re.sub(r"\w*$", "", right)
    middle = text[start:end] if replacement is None else replacement
    shown = ("…" if start > EXCERPT else "") + left + middle + right + ("…" if end + EXCERPT < len(text) else "")
    return " ".join(shown.split())


def _label(questionnaire, path: tuple) -> str:
    if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], str):
        question = questionnaire.question(f"{path[0]}.{path[1]}")
        if question is not None:
            return question_label(question) + (f" ({display_path(path)})" if len(path) > 2 else "")
    return display_path(path)


def _set(data: Any, path: tuple, value: str) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def plan_file(path: Path, old: str, new: str) -> FileReplacement:
    """What replacing OLD by NEW would change in one answer file, validated; nothing is written."""
    result = FileReplacement(path)
    try:
        raw = read_answer_file(path)
    except AnswerFileError as exc:
        result.problems, result.source = list(exc.problems), exc.source
        return result
    result.source = raw.source
    questionnaire, problems = questionnaire_for(raw.data)
    if questionnaire is None:
        result.problems = problems
        return result
    before_values, before_problems = validate(raw.data, questionnaire)
    if before_problems:
        result.problems = [Problem("filen har fejl allerede; ret dem først (drafter check), så ændres intet her", file=str(path))]
        return result
    data = copy.deepcopy(raw.data)
    for where, text in texts(raw.data):
        changed, changes, left = replace_text(text, old, new)
        line = raw.source.line(where)
        label = _label(questionnaire, where)
        shift = 0
        for start, end, replacement in changes:
            at = start + shift
            result.changed.append(Occurrence(where, label, line, _excerpt(text, start, end),
                                             _excerpt(changed, at, at + len(replacement))))
            shift += len(replacement) - (end - start)
        for start, end in left:
            result.left.append(Occurrence(where, label, line, _excerpt(text, start, end), ""))
        if changes:
            _set(data, where, changed)
    if not result.changed:
        return result
    values, problems = validate(data, questionnaire)
    if problems:
        result.problems = problems
        return result
    complete = is_complete(data)
    result.old_answers = Answers(questionnaire, before_values, raw.data, raw, is_complete(raw.data))
    result.new_answers = Answers(questionnaire, values, data, raw, complete)
    return result


def write_file(result: FileReplacement) -> None:
    """Write a planned replacement through the round-trip writer (stale check: the file must
    still be as read)."""
    answers = result.new_answers
    save_answers(
        result.path, answers.questionnaire, answers.values, answers.complete, kept_meta(answers.data),
        base=result.old_answers.source.raw,
    )
    result.written = True


def check_words(old: str, new: str) -> tuple[str, str]:
    """OLD and NEW as they may be used: OLD a name of some letters, neither on several lines."""
    old = " ".join(old.split())
    if not old or not re.search(r"\w", old):
        raise UsageError("det gamle navn er tomt; skriv fx: drafter replace Midtklyngen \"Sundhedsråd Midt\"")
    if "\n" in new or "\r" in new:
        raise UsageError("det nye navn må ikke fylde flere linjer")
    if not re.match(r"\w", old) or not re.search(r"\w$", old):
        raise UsageError(f'"{old}": det gamle navn skal begynde og slutte med et bogstav eller et tal')
    new = " ".join(new.split())
    if new == old:
        raise UsageError("det gamle og det nye navn er ens; intet at ændre")
    return old, new


def tracked_changes(result: FileReplacement, folder: Path, author: str) -> Path:
    """The commission's document with this replacement as Word tracked changes, in *folder*."""
    old = Side(str(result.path), answers=result.old_answers)
    new = Side(str(result.path), answers=result.new_answers)
    target = folder / f"{result.path.stem}.docx"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DrafterError(Problem(f"mappen kan ikke laves ({describe_oserror(exc)})", file=str(folder))) from None
    atomic_write(target, tracked_document(Difference(old, new, equal=False), author))
    return target
