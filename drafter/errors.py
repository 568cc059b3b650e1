"""User-facing failures. Every message here is Danish; only cli.py prints them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Control characters (and the bidi overrides) that a hostile answer file can smuggle into a
# message through a key or a quoted value: printed raw they would move the cursor, recolour
# or reorder the terminal. They are shown as escapes; a problem is always one line.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """*text* with control characters shown as escapes (\\n, \\x1b, \\u202e)."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file: where it is and what to do about it."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            return printable(f"{where}: {self.field}: {self.message}")
        return printable(f"{where}: {self.message}")


class DrafterError(Exception):
    """Base of every failure a user may see; carries one or more problems."""

    exit_code = 1

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems: list[Problem | str] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class AnswerFileError(DrafterError):
    """The answer file cannot be read or does not fit its questionnaire."""


class KindError(DrafterError):
    """An unknown commission kind, or a kind whose own files are broken."""


class RuleViolation(DrafterError):
    """The answers break one of the collaboration's rules (drafter.rules) at severity error."""


class TemplateProblem(DrafterError):
    """A Word template that cannot be used."""


class OutputError(DrafterError):
    """The output cannot be written where it was asked for."""


class UsageError(DrafterError):
    """The command line asks for something that cannot be done."""

    exit_code = 2
