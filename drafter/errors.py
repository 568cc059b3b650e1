"""User-facing failures. Every message here is Danish; only the front ends print them."""

from __future__ import annotations

from drafter.problems import Problem, SourceMap, format_problem


class DrafterError(Exception):
    """Base of every failure a user may see; carries one or more problems.

    A plain message becomes one problem per line. *source* is the source map of the file
    the problems belong to, so that the front end can print their lines.
    """

    exit_code = 1

    def __init__(self, problems: list[Problem | str] | Problem | str, source: SourceMap | None = None):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems: list[Problem] = []
        for problem in problems:
            if isinstance(problem, str):
                self.problems.extend(Problem(text) for text in problem.split("\n"))
            else:
                self.problems.append(problem)
        self.source = source
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """The problems as printable lines (file and line from the source map)."""
        return [format_problem(p, self.source) for p in self.problems]


class AnswerFileError(DrafterError):
    """The answer file cannot be read or does not fit its questionnaire."""


class KindError(DrafterError):
    """An unknown commission kind, or a kind whose own files are broken."""


class UnknownKind(KindError):
    """No kind of that name (an answer file's "kind", a command's argument): the kinds' own files may be fine."""


class RuleViolation(DrafterError):
    """The answers break one of the collaboration's rules (drafter.rules) at severity error."""


class TemplateProblem(DrafterError):
    """A Word template that cannot be used."""


class OutputError(DrafterError):
    """The output cannot be written where it was asked for."""


class DraftNotRendered(OutputError):
    """The answer file is a draft (complete: false), or a recovery file: no document is made
    from it. *kind* is a draft's kind, for saying how to finish it; *skipped* the line a batch
    prints as it passes the file over, when the file says more than a draft's line would."""

    def __init__(self, problems: list[Problem | str] | Problem | str, source: SourceMap | None = None,
                 kind: str | None = None, skipped: str | None = None):
        super().__init__(problems, source)
        self.kind = kind
        self.skipped = skipped


class InvalidValue(ValueError):
    """A value that breaks a question's rule; the text is Danish and says what to do."""


class UsageError(DrafterError):
    """The command line asks for something that cannot be done."""

    exit_code = 2
