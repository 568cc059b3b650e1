"""What the commands do, without the command line: check and render answer files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from drafter import shellquote
from drafter.answers import Answers
from drafter.errors import AnswerFileError, DrafterError, DraftNotRendered, OutputError, RuleViolation, UsageError
from drafter.problems import Problem, SourceMap, in_file_order
from drafter.fsutil import describe_oserror, refuse_unwritable_target, resolved, windows_safe_stem

DEFAULT_OUT_DIR = Path("out")


@dataclass
class RenderResult:
    answers_path: Path
    output: Path
    status: str  # "skrevet" (written) or "uændret" (unchanged)
    warnings: list[Problem] = field(default_factory=list)  # rule findings that do not stop rendering
    source: SourceMap | None = None  # the answer file's lines, to print the findings


def default_output(answers_path: Path, out_dir: Path) -> Path:
    # An answer file "nul.yaml" is fine on Linux; its document must still open on Windows.
    return out_dir / f"{windows_safe_stem(answers_path.stem)}.docx"


def outputs_for(answer_paths: list[Path], output: Path | None, out_dir: Path | None) -> list[Path]:
    """Where each answer file's document goes; -o names one file, --out-dir a folder."""
    if output is not None:
        if len(answer_paths) != 1:
            raise UsageError("-o/--output kan kun bruges med én svarfil; brug --out-dir til flere")
        if output.suffix.lower() != ".docx" and not output.is_dir():
            raise UsageError(f"{output}: outputfilen skal ende på .docx")
        base = out_dir if out_dir is not None else None
        target = output if base is None or output.is_absolute() else base / output
        if base is not None and not _is_inside(target, base):
            raise UsageError(f"{output}: ligger uden for outputmappen {base}")
        return [target]
    if out_dir is not None:
        folder = out_dir
    else:
        from drafter import workspace

        folder = workspace.current().folder("out") or DEFAULT_OUT_DIR  # a workspace's own out/
    return [default_output(p, folder) for p in answer_paths]


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        resolved(path).relative_to(resolved(folder))
    except ValueError:
        return False
    return True


_renderers: dict[Path, object] = {}


def renderer_for(template: Path):
    """One prepared template per process: preparing costs more than rendering."""
    from drafter.render import DocxRenderer

    key = resolved(template)
    if key not in _renderers:
        _renderers[key] = DocxRenderer(key)
    return _renderers[key]


def render_answers(answers: Answers, output: Path, force: bool = False, template: Path | None = None) -> str:
    """Render validated answers to *output*; returns "skrevet" or "uændret"."""
    from drafter.fsutil import atomic_write
    from drafter.render import render_document

    from drafter.questionnaire import is_builtin_template

    if template is None and not is_builtin_template(answers.questionnaire.template_path):
        template = answers.questionnaire.template_path  # a workspace's own template: checked first
    if template is not None:
        checked_template(template, answers.questionnaire)
    elif not answers.questionnaire.builtin_template:
        # A kind from a shared folder brings its own template: checked on first use.
        checked_template(answers.questionnaire.template_path, answers.questionnaire)
    renderer = renderer_for(template or answers.questionnaire.template_path)
    data = render_document(answers, renderer)
    previous = check_overwrite(output, force)
    if previous == data:
        return "uændret"
    if not output.parent.exists():
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{output.parent}: mappen kan ikke oprettes ({describe_oserror(exc)})") from None
    atomic_write(output, data, before_replace=lambda: _still_as_read(output, previous))
    return "skrevet"


def _still_as_read(output: Path, previous: bytes | None) -> None:
    """Raise OutputError if *output* changed after check_overwrite read it (e.g. saved in Word just now)."""
    try:
        current = output.read_bytes()
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise OutputError(f"{output}: den eksisterende fil kan ikke læses ({describe_oserror(exc)})") from None
    if current != previous:
        raise OutputError(
            f"{output}: blev ændret, mens drafter skrev dokumentet (fx gemt i Word); den overskrives ikke, "
            "så ændringerne ikke går tabt. Kør kommandoen igen, når filen er lukket"
        )


def render_file(answers_path: Path, output: Path, force: bool = False, template: Path | None = None) -> RenderResult:
    """`drafter render` for one file: load, refuse a draft, check the rules, render."""
    from drafter import api

    answers = api.load(answers_path)
    require_finished(answers)
    report = check_rules(answers)
    status = render_answers(answers, output, force, template)
    return RenderResult(answers_path, output, status, in_file_order(report.findings, answers.source_map), answers.source_map)


def require_finished(answers: Answers) -> None:
    """A draft (complete: false) is not rendered; say how to finish it."""
    if answers.complete:
        return
    if answers.source is not None:
        where = answers.source.path
        raise DraftNotRendered(
            f"{where}: svarfilen er en kladde, som ikke er gjort færdig; "
            f"fortsæt med: drafter new {answers.questionnaire.kind} --resume {shellquote.quote(where)}"
        )
    raise AnswerFileError(Problem("svarene er en kladde (complete: false); gør dem færdige først", path=("complete",)))


def missing_answers(answers: Answers) -> list[Problem]:
    """What a draft still lacks to be finished: what validation finds once it is marked complete."""
    from drafter.validate import validate

    return validate({**answers.data, "complete": True}, answers.questionnaire)[1]


def check_rules(answers: Answers):
    """The collaboration's rules; raise RuleViolation when one is broken at severity error."""
    from drafter.rules import check_answers

    report = check_answers(answers)
    if report.errors():
        source = answers.source_map
        findings = in_file_order(report.findings, source)
        where = f"{source.file}: " if source is not None else ""
        raise RuleViolation(
            [*findings, f"{where}dokumentet laves ikke, før fejlene er rettet (eller undtaget med en begrundelse)"],
            source,
        )
    return report


_checked_templates: set[tuple[Path, str]] = set()


def checked_template(template: Path, questionnaire) -> None:
    """Run the template check once per template and kind; raise TemplateProblem if it fails."""
    from drafter.templates import require_usable_template

    key = (resolved(template), questionnaire.kind)
    if key not in _checked_templates:
        require_usable_template(template, questionnaire)
        _checked_templates.add(key)


def check_overwrite(output: Path, force: bool) -> bytes | None:
    """The existing output's bytes, if it may be replaced; refuse to clobber hand edits.

    drafter records a hash of each document's content inside it. A file whose content no
    longer matches (edited in Word), or that drafter did not write, is only replaced
    with --force.
    """
    from drafter.render import read_recorded_hash

    from drafter.fsutil import DOCX_MAX_BYTES, UnsafeFile, read_regular_file

    refuse_unwritable_target(output)
    if not output.exists():
        return None
    try:
        # Bounded: whatever lies at the output path is read no further than a Word file may be.
        existing = read_regular_file(output, DOCX_MAX_BYTES)
    except UnsafeFile:
        if force:
            return None
        raise OutputError(
            f"{output}: findes allerede og er ikke lavet af drafter; den overskrives ikke "
            "(brug --force for at overskrive den, eller vælg et andet navn med -o)"
        ) from None
    except OSError as exc:
        raise OutputError(f"{output}: den eksisterende fil kan ikke læses ({describe_oserror(exc)})") from None
    if force:
        return existing
    recorded, actual = read_recorded_hash(existing)
    if recorded is None:
        raise OutputError(
            f"{output}: findes allerede og er ikke lavet af drafter; den overskrives ikke "
            "(brug --force for at overskrive den, eller vælg et andet navn med -o)"
        )
    if recorded != actual:
        raise OutputError(
            f"{output}: er ændret, efter drafter lavede den (fx redigeret i Word); den overskrives ikke, "
            "så ændringerne ikke går tabt (gem dem under et andet navn, eller brug --force)"
        )
    return existing


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
    import copy

    from drafter.answers import read_answer_file
    from drafter.edits import apply_setting
    from drafter.validate import is_complete, questionnaire_for, validate
    from drafter.yamlio import kept_meta, save_answers

    source = read_answer_file(answers_path)
    questionnaire, problems = questionnaire_for(source.data)  # a file with other problems can be mended with --set
    if questionnaire is None:
        raise AnswerFileError(problems, source.source)
    data = copy.deepcopy(source.data)
    for setting in settings:
        apply_setting(questionnaire, data, setting)
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
