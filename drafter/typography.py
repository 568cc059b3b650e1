"""Danish typography in the answers: a check that suggests, never a silent rewrite.

The document shows what the answer file says. Straight quotes and a hyphen in a number
range ("2024-2027", "3-4 chefer") are typed because a keyboard has them, while drafter's
fixed text uses Danish typography; so `drafter check` warns about them and suggests the
Danish form, and `drafter check --fix` writes that form into the answer file (through the
round-trip writer: comments and layout stay), where the person can see and undo it.

The Danish forms used (house style, after Retskrivningsordbogen's guidance):
- quotation marks: »…« (the Danish guillemets, pointing inwards); "…" around a quotation
  becomes »…«. A single straight quote is left alone: it is mostly an apostrophe.
- ranges: an en dash without spaces between the numbers, "2024–2027", "3–4 chefer". A
  hyphen between numbers counts as a range when both are years (4 digits, 1900–2099) or
  both have at most 2 digits, and the first is the smaller; a number inside a longer chain
  ("2026-11-25", "SAG-2027-0042") is no range.

Only answers a person wrote are checked (text, paragraphs, list items, the text fields of
table rows, and a choice's free text); a choice from a list is the list's own wording.
"""

from __future__ import annotations

import re

from drafter.plain import FrozenPlain, set_fields
from drafter.problems import WARNING, Problem
from drafter.questionnaire import Question

TYPE_CHECKING = False  # typing is for the annotations only: a check does not load it (~1.5 ms)
if TYPE_CHECKING:
    from typing import Any, Iterator

RULE_ID = "typografi"
OPEN_QUOTE, CLOSE_QUOTE = "»", "«"
EN_DASH = "–"

_TEXT_TYPES = ("text", "paragraphs", "choice", "list")
_RANGE = re.compile(r"(?<![\w\-–./])(\d{1,4})-(\d{1,4})(?![\w\-–]|[.,]\d)")
# A pair of straight quotes around a quotation: an opening one at a word's start, the
# closing one before the next space, punctuation or end (no line break between them).
_QUOTED = re.compile(r'(?<![\w"])"([^"\n]+?)"(?![\w"])')


class Suggestion(FrozenPlain):
    """One answer whose typography could be Danish: where, as typed, as suggested."""

    __slots__ = ("path", "typed", "suggested", "what")
    path: tuple
    typed: str
    suggested: str
    what: list[str]  # what changes, in Danish: 'bindestreg i "2024-2027"', ...

    def __init__(self, path: tuple, typed: str, suggested: str, what: list[str]):
        set_fields(self, path, typed, suggested, what)

    @property
    def message(self) -> str:
        return f"{'; '.join(self.what)}; skriv: {_excerpt(self.suggested, self.typed)} (drafter check --fix retter det)"


def danish(text: str) -> tuple[str, list[str]]:
    """*text* with Danish quotation marks and en dashes in ranges, and what was changed."""
    changes: list[str] = []

    def dash(match: re.Match) -> str:
        first, second = match.group(1), match.group(2)
        years = len(first) == len(second) == 4 and all(19 <= int(n[:2]) <= 20 for n in (first, second))
        small = len(first) <= 2 and len(second) <= 2
        if not (years or small) or int(first) >= int(second):
            return match.group(0)
        changes.append(f'bindestreg i intervallet "{match.group(0)}"')
        return f"{first}{EN_DASH}{second}"

    def quote(match: re.Match) -> str:
        changes.append(f"lige anførselstegn om \"{_clip(match.group(1))}\"")
        return f"{OPEN_QUOTE}{match.group(1)}{CLOSE_QUOTE}"

    text = _RANGE.sub(dash, text)
    text = _QUOTED.sub(quote, text)
    return text, changes


def suggestions(questionnaire, values: dict) -> list[Suggestion]:
    """Every answer in *values* (validated, by section) whose typography could be Danish."""
    found = []
    for section in questionnaire.sections:
        answers = values.get(section.key)
        if not isinstance(answers, dict):
            continue
        for question in section.questions:
            found += _walk(question, answers.get(question.key), (section.key, question.key))
    return found


def problems(answers) -> list[Problem]:
    """The suggestions as warnings, for `drafter check` ("[typografi] advarsel: ..."). Not
    one of the collaboration's rules (drafter.rules): house style, never an error."""
    return [Problem(s.message, severity=WARNING, path=s.path, rule=RULE_ID)
            for s in suggestions(answers.questionnaire, answers.values)]


def _walk(question: Question, value: Any, path: tuple) -> Iterator[Suggestion]:
    if value is None:
        return
    if question.type == "records" and isinstance(value, list):
        for index, entry in enumerate(value):
            if isinstance(entry, dict):
                for field_ in question.fields:
                    yield from _walk(field_, entry.get(field_.key), (*path, index, field_.key))
    elif question.type == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield from _one(item, (*path, index))
    elif question.type in _TEXT_TYPES and isinstance(value, str):
        if question.type == "choice" and value in question.choices:
            return
        yield from _one(value, path)


def _one(text: str, path: tuple) -> Iterator[Suggestion]:
    suggested, what = danish(text)
    if what:
        yield Suggestion(path, text, suggested, what)


def fixed(values: dict, found: list[Suggestion]) -> dict:
    """A copy of *values* with every suggestion of *found* taken."""
    import copy

    result = copy.deepcopy(values)
    for suggestion in found:
        holder = result
        for key in suggestion.path[:-1]:
            holder = holder[key]
        holder[suggestion.path[-1]] = suggestion.suggested
    return result


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _excerpt(suggested: str, typed: str, limit: int = 60) -> str:
    """The suggested text, or around its first change when it is long."""
    if len(suggested) <= limit:
        return f'"{suggested}"'
    start = next((i for i, (a, b) in enumerate(zip(suggested, typed)) if a != b), 0)
    left = max(0, start - 20)
    piece = suggested[left:left + limit]
    return f'"{"…" if left else ""}{piece}{"…" if left + limit < len(suggested) else ""}"'
