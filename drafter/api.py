"""drafter as a library: load, check and render commissions from a script or another front end.

::

    from drafter import api

    answers = {"kind": kind, "schema_version": 1, "gruppe": {"navn": "...", ...}, ...}  # kind: see `drafter kinds`
    for problem in api.check(answers):           # validation and the collaboration's rules
        print(problem)                            # "gruppe.navn: mangler; feltet skal udfyldes"
    api.render(answers, "out/kommissorium.docx")  # validates first; raises DrafterError

Answers are plain Python data: the sections of the kind's questionnaire as dicts, lists,
text and dates (``datetime.date`` or "2027-01-04"), with ``kind`` and ``schema_version``.
Problems are :class:`drafter.problems.Problem`: a severity ("fejl"/"advarsel"), a Danish
message, and the answer path (``problem.field``: "formandskab.medlemmer[2].titel").
Nothing here prints or exits; failures raise :class:`drafter.errors.DrafterError`, whose
``problems`` say what is wrong.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from drafter.answers import Answers, check_file
from drafter.batch import RenderResult, check_rules, render_answers, require_finished
from drafter.errors import AnswerFileError, DrafterError, UsageError
from drafter.problems import Problem
from drafter.session import DraftSession
from drafter.rules import check_answers
from drafter.validate import is_complete, questionnaire_for, validate
from drafter.yamlread import read_answer_file

__all__ = ["Answers", "Problem", "check", "fix_typography", "load", "missing_answers", "new_draft", "render", "set", "set_answers", "typography"]


def load(path: str | Path) -> Answers:
    """Read and validate an answer file.

    Returns :class:`~drafter.answers.Answers` (``.values``, ``.get("gruppe.navn")``,
    ``.complete``), which remembers the file and the line of every value
    (``.source_map``). Raises :class:`~drafter.errors.AnswerFileError` listing every
    problem; ``drafter.problems.format_problem(p, error.source)`` shows each with its line.
    """
    return check_file(read_answer_file(path))


def check(data: Mapping[str, Any] | Answers, kind: str | None = None) -> list[Problem]:
    """Every problem with *data*: validation first; when the answers are valid, the rules.

    *data* is plain data (see the module) or loaded :class:`Answers`. *kind* is the
    questionnaire to check against; without it, ``data["kind"]``. An empty list means the
    answers can be rendered; problems whose ``is_error()`` is false are warnings (or rules
    waived with a reason) and do not stop rendering.
    """
    answers, problems = _validated(data, kind)
    if answers is None:
        return problems
    return check_answers(answers).findings


def render(
    data: Mapping[str, Any] | Answers,
    output: str | Path,
    *,
    template: str | Path | None = None,
    force: bool = False,
) -> Path:
    """Validate *data*, check the rules, and write the Word document *output*; return its path.

    Raises :class:`~drafter.errors.AnswerFileError` for invalid answers or a draft
    (``complete: false``), :class:`~drafter.errors.RuleViolation` when a rule is broken at
    severity "fejl", :class:`~drafter.errors.TemplateProblem` for an unusable *template*,
    and :class:`~drafter.errors.OutputError` when *output* cannot be written. The file is
    written atomically; a document edited after drafter wrote it (in Word), or not written
    by drafter, is only replaced with ``force=True``. The same answers give the same bytes,
    and an unchanged document is not touched.
    """
    answers, problems = _validated(data, None)
    if answers is None:
        raise AnswerFileError(problems)
    require_finished(answers)
    check_rules(answers)
    output = Path(output)
    render_answers(answers, output, force, Path(template) if template is not None else None)
    return output


def typography(answers: Answers) -> list[Problem]:
    """Warnings about straight quotes and hyphens in number ranges in the answers, each with
    the Danish form (see drafter.typography); house style, not one of the rules of `check`."""
    from drafter import typography as danish

    return danish.problems(answers)


def fix_typography(path: str | Path) -> list:
    """Write the Danish typography `check` suggests ("typografi") into the answer file
    *path*, through the round-trip writer (comments and layout stay; a file changed since it
    was read is not overwritten). Returns the suggestions taken (empty: nothing written)."""
    from drafter import typography
    from drafter.yamlio import kept_meta, save_answers

    answers = load(path)
    found = typography.suggestions(answers.questionnaire, answers.values)
    if found:
        save_answers(path, answers.questionnaire, typography.fixed(answers.values, found), answers.complete,
                     kept_meta(answers.data), base=answers.source.raw)
    return found


def _validated(data: Mapping[str, Any] | Answers, kind: str | None) -> tuple[Answers | None, list[Problem]]:
    """(Answers, []) for valid *data*; (None, problems) otherwise."""
    if isinstance(data, Answers):
        if kind is None or kind == data.questionnaire.kind:
            return data, []
        data = data.data
    questionnaire, problems = questionnaire_for(data, kind)
    if questionnaire is None:
        return None, problems
    values, problems = validate(data, questionnaire)
    if problems:
        return None, problems
    return Answers(questionnaire, values, dict(data), None, is_complete(data)), []


def missing_answers(answers: Answers) -> list[Problem]:
    """What a draft still lacks to be finished: what validation finds once it is marked complete."""
    return validate({**answers.data, "complete": True}, answers.questionnaire)[1]


@dataclass
class SetResult:
    answers_path: Path
    changed: bool  # False: every answer already was as asked; the file was not written
    render: RenderResult | None  # None for a draft, which is not rendered


def set_answers(answers_path: Path, settings: list[str], out_dir: Path | None = None, force: bool = False) -> SetResult:
    """`drafter edit FILE --set KEY=VALUE ...`: change answers without the interview.

    The changed answers are validated with all the others as plain data (drafter.validate)
    and the rules run; only then is the file written (its own text kept, only those
    answers' lines changed) and a finished file rendered again. Any problem changes nothing.
    """
    session = DraftSession.mend(answers_path, out_dir=out_dir)  # a file with other problems can be mended with --set
    read = session.base
    session.apply(settings, check=False)
    answers = session.checked()  # at the line of the key that was set (or the nearest one above it)
    if answers.complete:
        check_rules(answers)
    session.values = answers.values
    session.save()
    changed = session.base != read
    if not answers.complete:
        return SetResult(answers_path, changed, None)
    try:
        rendered = session.render(force=force).rendered
    except DrafterError as exc:  # the answers are saved; only the document is not
        exc.problems.append(Problem(f"svarene er gemt i {answers_path}, men dokumentet er ikke lavet igen"))
        raise
    return SetResult(answers_path, changed, rendered)


def set(data: Mapping[str, Any] | Answers, key: str, typed: str, kind: str | None = None) -> dict:  # noqa: A001 - api.set, as the commands say it
    """*data* with the answer at *key* set from the text *typed*; a new dict, *data* is not changed.

    *typed* is read as every front end reads typed text (drafter.values: 'quoted' text, a
    list ``[a, b]``, ja/nej, Danish dates such as "4. januar 2027"; empty text removes the
    answer) and checked by the question's own rule. *key* is an answer path as drafter
    prints it: ``tidsplan.slut``, ``opgaver.opgaver[2]``, ``formandskab.medlemmer[1].titel``
    (1-based). *kind* is the questionnaire; without it, ``data["kind"]``. Raises
    :class:`~drafter.errors.UsageError` for an unknown key or a value its question refuses.
    """
    given = data.data if isinstance(data, Answers) else data
    session = DraftSession.from_data(given, kind)
    session.set(key, typed)
    result = copy.deepcopy(dict(given))
    result.update(session.values)
    return result


def new_draft(
    data: Mapping[str, Any] | None = None,
    *,
    kind: str | None = None,
    settings: list[str] = (),
    answers_dir: str | Path = "answers",
    out_dir: str | Path | None = None,
) -> Path:
    """A new answer file from plain *data* (see the module) and/or ``KEY=VALUE`` *settings*
    (read as ``api.set`` reads them), saved as a draft (``complete: false``) in *answers_dir*
    and named after the group (``answers/ad-hoc-gruppe-om-...yaml``); never over a file that
    exists, nor under the name of a document in *out_dir*. Returns its path.

    *kind* is the questionnaire; without it, ``data["kind"]``. The answers are validated as a
    draft (what is given must be right; what is missing may come later): AnswerFileError lists
    every problem, UsageError names a setting that is wrong, and nothing is written.
    """
    given = dict(data or {})
    if kind is not None:
        given.setdefault("kind", kind)
    session = DraftSession.from_data(given, kind, answers_dir=Path(answers_dir),
                                     out_dir=Path(out_dir) if out_dir is not None else None, complete=False)
    session.apply(list(settings))
    session.values = session.checked().values
    if session.draft_name() is None:
        question = session.name_question
        raise UsageError(f"{question.path}: mangler; den nye svarfil får navn efter det")
    session.save()
    return session.path
