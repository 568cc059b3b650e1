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
from drafter.batch import DEFAULT_OUT_DIR, RenderResult, check_rules, default_output, render_answers, render_file, require_finished
from drafter.edits import apply_setting, apply_settings
from drafter.errors import AnswerFileError, DrafterError, InvalidValue, UsageError
from drafter.problems import Problem, in_file_order
from drafter.rules import check_answers
from drafter.validate import is_complete, questionnaire_for, validate
from drafter.yamlio import kept_meta, save_answers
from drafter.yamlread import read_answer_file

__all__ = ["Answers", "Problem", "check", "fix_typography", "load", "missing_answers", "render", "set", "set_answers", "typography"]


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
    source = read_answer_file(answers_path)
    questionnaire, problems = questionnaire_for(source.data)  # a file with other problems can be mended with --set
    if questionnaire is None:
        raise AnswerFileError(problems, source.source)
    data = copy.deepcopy(source.data)
    apply_settings(questionnaire, data, settings)
    values, problems = validate(data, questionnaire)
    if problems:  # at the line of the key that was set (or the nearest one above it)
        raise AnswerFileError(in_file_order(problems, source.source), source.source)
    answers = Answers(questionnaire, values, data, source, is_complete(data))
    if answers.complete:
        check_rules(answers)
    written = save_answers(answers_path, questionnaire, values, answers.complete, kept_meta(data), base=source.raw)
    changed = written != source.raw
    if not answers.complete:
        return SetResult(answers_path, changed, None)
    output = default_output(answers_path, out_dir if out_dir is not None else DEFAULT_OUT_DIR)
    try:
        rendered = render_file(answers_path, output, force=force)
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
    result = copy.deepcopy(dict(data.data if isinstance(data, Answers) else data))
    questionnaire, problems = questionnaire_for(result, kind)
    if questionnaire is None:
        raise AnswerFileError(problems)
    key = apply_setting(questionnaire, result, f"{key}={typed}")
    path = key.split("[")[0]
    question = questionnaire.question(path)
    section_key, _, question_key = path.partition(".")
    answers = result.get(section_key, {})
    if question_key in answers:
        try:
            if question.type == "records":
                checked = [{f.key: f.check(entry[f.key]) for f in question.fields if entry.get(f.key) is not None}
                           for entry in answers[question_key]]
            else:
                checked = question.check(answers[question_key])
        except InvalidValue as exc:
            raise UsageError(f"--set {key}: {exc}") from None
        answers[question_key] = checked
    return result
