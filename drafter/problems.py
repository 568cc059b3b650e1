"""One kind of finding for everything drafter reports, and the one way it is printed.

A validation error in an answer, a rule of the collaboration, a problem in a Word template
or a file that cannot be read are all a :class:`Problem`: a severity, a Danish message and
where it is, as an *answer path* (``("formandskab", "medlemmer", 1, "titel")``, shown as
``formandskab.medlemmer[2].titel``) or a *place* in a template ("brødtekst"). A problem
found on plain data knows no file and no line; a file's lines are looked up in its
:class:`SourceMap` only when the problem is printed (:func:`format_problem`).

Everything printed goes through :func:`printable`: a hostile answer, key or file name can
hold control characters, ANSI escape sequences or bidi overrides that would move the
cursor, recolour or reorder the terminal. They are shown as escapes, and a problem is
always one line.
"""

from __future__ import annotations

import re

from drafter.plain import FrozenPlain, replace, set_fields

TYPE_CHECKING = False  # typing is for the annotations only: a check does not load it (~1.5 ms)
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping

ERROR, WARNING, WAIVED = "fejl", "advarsel", "undtaget"

AnswerPath = tuple  # ("tidsplan", "milepaele", 0, "dato"): keys and 0-based list indexes

# C0 and C1 control characters (ESC starts every ANSI sequence, U+009B is a one-character
# CSI), DEL, the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and
# the invisible direction marks (U+200E, U+200F, U+061C). Tab is harmless and kept.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """*text* with control characters, ANSI sequences and bidi controls shown as escapes
    (\\n, \\x1b, \\u202e); the result is one line."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


def printable_lines(text: str) -> str:
    """Like :func:`printable`, but the line breaks a message means to have are kept."""
    return "\n".join(printable(line) for line in str(text).split("\n"))


def display_path(path: Iterable[Any]) -> str:
    """("tidsplan", "milepaele", 0, "dato") -> "tidsplan.milepaele[1].dato" (1-based, for people)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class SourceMap(FrozenPlain):
    """The line of every value of one file: looked up only when a problem is printed."""

    __slots__ = ("file", "lines")
    file: str
    lines: Mapping[AnswerPath, int]

    def __init__(self, file: str, lines: Mapping[AnswerPath, int] | None = None):
        set_fields(self, file, {} if lines is None else lines)

    def line(self, path: Iterable[Any]) -> int | None:
        """Line of the nearest located ancestor of *path* (the file's first line if none)."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


class Problem(FrozenPlain):
    """One finding: what is wrong (Danish), how bad, and where.

    *path* is an answer path, *place* a place in a Word template ("sidehoved
    (word/header1.xml)"); *rule* the id of the collaboration's rule that found it, and
    *waived* the written reason when the answer file waives that rule. *file* and *line*
    are set where a problem belongs to a file without an answer path (a YAML syntax error);
    otherwise the line comes from the file's source map when printed.
    """

    __slots__ = ("message", "severity", "path", "place", "rule", "waived", "quote", "file", "line")
    message: str
    severity: str
    path: AnswerPath
    place: str | None
    rule: str | None
    waived: str | None
    quote: str  # the text around a template finding, to find the place in Word
    file: str | None
    line: int | None

    def __init__(self, message: str, severity: str = ERROR, path: AnswerPath = (), place: str | None = None,
                 rule: str | None = None, waived: str | None = None, quote: str = "", file: str | None = None,
                 line: int | None = None):
        set_fields(self, message, severity, path, place, rule, waived, quote, file, line)

    @property
    def field(self) -> str | None:
        """The answer path as people read it ("formandskab.medlemmer[2].titel"), or None."""
        return display_path(self.path) or None

    def is_error(self, strict: bool = False) -> bool:
        """Does it stop the document? A waived rule never does; with *strict* a warning does."""
        if self.waived is not None:
            return False
        return self.severity == ERROR or (strict and self.severity == WARNING)

    def label(self, strict: bool = False) -> str:
        if self.waived is not None:
            return WAIVED
        return ERROR if self.is_error(strict) else self.severity

    def in_file(self, file: str) -> "Problem":
        return replace(self, file=file)

    def __str__(self) -> str:
        return format_problem(self)


def format_problem(problem: Problem | str, source: SourceMap | None = None, *, strict: bool = False) -> str:
    """The one line that shows *problem*, every value and file name in it escaped.

    ``file:line: field: message`` for an answer; ``file:line: [rule] fejl: field: message``
    for a rule; ``file: place: fejl: message — i teksten: "..."`` for a template.
    *source* names the file an answer path belongs to, and gives its line.
    """
    if isinstance(problem, str):
        return printable(problem)
    file, line = problem.file, problem.line
    if problem.path and source is not None and file in (None, source.file):
        # An answer's problem: named by the file it was read from, at the answer's line.
        file = source.file
        line = source.line(problem.path) if line is None else line
    parts = []
    if file is not None:
        parts.append(file if line is None else f"{file}:{line}")
    if problem.rule is not None:
        parts.append(f"[{problem.rule}] {problem.label(strict)}")
    elif problem.place is not None:
        parts.append(f"{problem.place}: {problem.label(strict)}")
    if problem.path:
        parts.append(display_path(problem.path))
    text = ": ".join([*parts, problem.message])
    if problem.waived is not None:
        text += f' (undtaget med begrundelsen: "{problem.waived}")'
    if problem.quote:
        text += f' — i teksten: "{problem.quote}"'
    return printable(text)


def in_file_order(problems: Iterable[Problem], source: SourceMap | None = None) -> list[Problem]:
    """*problems* by line in the file (where there is one), rules of one line by id."""

    def key(problem: Problem) -> tuple:
        line = problem.line
        if line is None and problem.path and source is not None:
            line = source.line(problem.path)
        return (line or 0, problem.rule or "")

    return sorted(problems, key=key)


def format_problems(problems: Iterable[Problem | str], source: SourceMap | None = None, *, strict: bool = False) -> list[str]:
    """Every problem as one printable line."""
    return [format_problem(p, source, strict=strict) for p in problems]
