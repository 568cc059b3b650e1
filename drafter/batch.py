"""Answer files to Word documents: one (:func:`render_file`) or many at once (:func:`render_batch`).

One file: load, refuse a draft, check the rules, render, and write only over a document
drafter made and nobody edited since (the stamp, drafter.stamp). Many files: folders
expanded, work spread over the CPU cores; every file gets an Outcome, whatever happens to
the others, so one bad answer file never stops the batch. Workers are processes; each
keeps its prepared templates (render.renderer_for caches them per process), so a template
is prepared once per worker, not once per document. Nothing here prints; cli.py shows
progress and the summary.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Callable

from drafter import shellquote, workspace
from drafter.answers import (  # noqa: F401 - batch's face too
    ANSWER_SUFFIXES, RECOVERY_KEY, Answers, expand_paths, is_folder, load_answers, recovery_advice, recovery_of,
    recovery_sentence,
)
from drafter.errors import AnswerFileError, DrafterError, DraftNotRendered, OutputError, RuleViolation, UsageError
from drafter.fsutil import DOCX_MAX_BYTES, UnsafeFile, atomic_write, describe_oserror, read_regular_file, refuse_unwritable_target, resolved, windows_safe_stem
from drafter.interrupts import HANDLED, Terminated, die_with_parent, exit_code
from drafter.plain import Plain
from drafter.problems import Problem, SourceMap, format_problems, in_file_order, printable
from drafter.questionnaire import is_builtin_template
from drafter.rules import check_answers
from drafter.workers import mp_context, worker_count

# Below this many files a process pool costs more (start-up, imports) than it saves.
MIN_FILES_FOR_POOL = 3

WRITTEN, UNCHANGED, FAILED = "skrevet", "uændret", "fejlet"
# A draft (complete: false) in a folder or among several files: no document, and no failure.
SKIPPED = "kladde"
RECOVERY_SKIPPED = "gendannelsesfil, springes over: "  # a recovery file passed over as a draft is, said apart


class Outcome:
    """What became of one answer file (a plain class: a dataclass costs start-up time).

    It carries what is printed, never the answer file's source map: a batch of thousands
    of files keeps one outcome per file, and a line map is some 19 KB.
    """

    __slots__ = ("answers_path", "output", "status", "lines", "warnings", "pdf", "preview", "pdf_problems", "pdf_reused")

    def __init__(self, answers_path: Path, output: Path, status: str, lines: list[str] | tuple[str, ...] = (),
                 warnings: list[str] | tuple[str, ...] = ()):
        self.answers_path = answers_path
        self.output = output
        self.status = status  # WRITTEN, UNCHANGED, FAILED or SKIPPED
        self.lines = lines  # why it failed or was skipped: printable lines, with file and line
        self.warnings = warnings  # rule findings that did not stop rendering: printable lines
        self.pdf: Path | None = None
        self.preview: Path | None = None
        self.pdf_problems: list[str] = []
        self.pdf_reused = False  # the PDF beside an unchanged document was already current

    def __repr__(self) -> str:
        return f"Outcome({self.answers_path}, {self.status}, {list(self.lines)})"

    @property
    def ok(self) -> bool:
        return self.status != FAILED and not self.pdf_problems


# -- which files -----------------------------------------------------------------------

# -- one file -------------------------------------------------------------------------

DEFAULT_OUT_DIR = Path("out")


class RenderResult(Plain):
    """What `drafter render` did with one answer file."""

    __slots__ = ("answers_path", "output", "status", "warnings", "source")
    answers_path: Path
    output: Path
    status: str  # "skrevet" (written) or "uændret" (unchanged)
    warnings: list[Problem]  # rule findings that do not stop rendering
    source: SourceMap | None  # the answer file's lines, to print the findings

    def __init__(self, answers_path: Path, output: Path, status: str, warnings: list[Problem] | None = None,
                 source: SourceMap | None = None):
        self.answers_path = answers_path
        self.output = output
        self.status = status
        self.warnings = [] if warnings is None else warnings
        self.source = source


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
        folder = workspace.current().folder("out") or DEFAULT_OUT_DIR  # a workspace's own out/
    return [default_output(p, folder) for p in answer_paths]


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        resolved(path).relative_to(resolved(folder))
    except ValueError:
        return False
    return True


def render_answers(answers: Answers, output: Path, force: bool = False, template: Path | None = None) -> str:
    """Render validated answers to *output*; returns "skrevet" or "uændret"."""
    if template is None and not is_builtin_template(answers.questionnaire.template_path):
        template = answers.questionnaire.template_path  # a workspace's own template: checked first
    if template is not None:
        checked_template(template, answers.questionnaire)
    elif not answers.questionnaire.builtin_template:
        # A kind from a shared folder brings its own template: checked on first use.
        checked_template(answers.questionnaire.template_path, answers.questionnaire)
    # Here, not at the top: `drafter render` of one file needs none of the renderer's modules (render, body, tablefit, stamp, zipfile;
    # about 6 ms of its cold start, measured).
    from drafter.render import render_document, renderer_for

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
    answers = load_answers(answers_path)
    require_finished(answers)
    report = check_rules(answers)
    status = render_answers(answers, output, force, template)
    return RenderResult(answers_path, output, status, in_file_order(report.findings, answers.source_map), answers.source_map)


def require_finished(answers: Answers) -> None:
    """A draft (complete: false) is not rendered; say how to finish it. Nor is a recovery
    file (what a failed save left, drafter.answers.Recovery): say how to put it back."""
    recovery = recovery_of(answers.data)
    if recovery is not None:
        if answers.source is None:
            raise AnswerFileError(Problem("svarene er fra en gendannelsesfil, ikke et kommissorium; læg dem tilbage i "
                                          "deres svarfil med drafter restore", path=(RECOVERY_KEY,)))
        where = Path(answers.source.path)
        raise DraftNotRendered(recovery_sentence(where, recovery),
                               skipped=f"{RECOVERY_SKIPPED}{where} ({recovery_advice(where, recovery)})")
    if answers.complete:
        return
    if answers.source is not None:
        where = answers.source.path
        raise DraftNotRendered(
            f"{where}: svarfilen er en kladde, som ikke er gjort færdig; "
            f"fortsæt med: drafter new {answers.questionnaire.kind} --resume {shellquote.quote(where)}",
            kind=answers.questionnaire.kind,
        )
    raise AnswerFileError(Problem("svarene er en kladde (complete: false); gør dem færdige først", path=("complete",)))


def check_rules(answers: Answers):
    """The collaboration's rules; raise RuleViolation when one is broken at severity error."""
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
    key = (resolved(template), questionnaire.kind)
    if key not in _checked_templates:
        from drafter.templates import require_usable_template  # see render_answers

        require_usable_template(template, questionnaire)
        _checked_templates.add(key)


def check_overwrite(output: Path, force: bool) -> bytes | None:
    """The existing output's bytes, if it may be replaced; refuse to clobber hand edits.

    drafter records a hash of each document's content inside it. A file whose content no
    longer matches (edited in Word), or that drafter did not write, is only replaced
    with --force.
    """
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
    from drafter.stamp import read_recorded_hash  # see render_answers

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



# -- many files ----------------------------------------------------------------------

def render_one(
    answers_path: Path, output: Path, force: bool, template: Path | None = None, skip_drafts: bool = False
) -> Outcome:
    """Render one file and say what happened; never raises for a problem with the file."""
    status, lines, warnings = _render_one(answers_path, output, force, template, skip_drafts)
    return Outcome(answers_path, output, status, lines, warnings)


def _render_one(answers_path: Path, output: Path, force: bool, template: Path | None,
                skip_drafts: bool) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(status, lines, warnings) of one file: the problems printed here, with their lines,
    so that the source map is dropped with the answers (and never crosses to the parent)."""
    try:
        result = render_file(answers_path, output, force=force, template=template)
    except DraftNotRendered as exc:
        if skip_drafts:
            return SKIPPED, (exc.skipped or _draft_line(answers_path, exc.kind),), ()
        return FAILED, tuple(exc.lines()), ()
    except DrafterError as exc:
        return FAILED, tuple(exc.lines()), ()
    except Exception as exc:  # one broken file must not take the batch down
        if os.environ.get("DRAFTER_DEBUG"):
            raise
        return FAILED, (printable(f"{answers_path}: intern fejl ({type(exc).__name__}: {exc})"),), ()
    return result.status, (), tuple(format_problems(result.warnings, result.source))


# -- workers -----------------------------------------------------------------------------

_busy = False  # in a worker: True while a document is being rendered


def _worker_start(parent_pid: int) -> None:
    """In each worker: a signal ends the worker, cleanly if it is writing (see _render_chunk);
    so does the end of drafter itself, even by kill -9."""
    for sig in (*HANDLED, signal.SIGINT):
        signal.signal(sig, _worker_signal)
    die_with_parent(parent_pid)


def _worker_signal(signum: int, frame) -> None:
    if _busy:
        raise Terminated(signum)  # unwinds the write: its temporary file is removed
    os._exit(128 + signum)  # nothing half-done: no traceback from the pool's machinery


def _render_chunk(jobs: list[tuple[Path, Path, bool, Path | None, bool]]) -> list[tuple]:
    """In a worker: (status, lines, warnings) of each job; the parent has the paths already."""
    global _busy
    results = []
    try:
        for job in jobs:
            _busy = True
            try:
                result = _render_one(*job)
            finally:
                _busy = False
            results.append(result)
    except KeyboardInterrupt as exc:
        os._exit(exit_code(exc))
    return results


def _stop_workers(pool) -> None:
    """End every worker now: unstarted work is cancelled, running renders unwind."""
    import time

    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            os.kill(process.pid, signal.SIGTERM)
        except (OSError, TypeError):
            pass
    deadline = time.monotonic() + 5
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(1)


def _duplicate_outputs(answer_paths: list[Path], outputs: list[Path]) -> dict[int, Outcome]:
    """Two answer files that would write the same document: the later ones fail.

    Names that differ only in case (Rapport.docx, rapport.docx) count as the same: on
    Windows and macOS, and on a USB stick or a shared drive anywhere, they are one file.
    """
    first: dict[str, tuple[Path, Path]] = {}
    failed: dict[int, Outcome] = {}
    for index, (answers_path, output) in enumerate(zip(answer_paths, outputs)):
        key = str(resolved(output)).casefold()
        if key in first:
            earlier, earlier_output = first[key]
            case = (
                f" (på Windows og macOS er {earlier_output.name} og {output.name} samme fil)"
                if earlier_output.name != output.name else ""
            )
            failed[index] = Outcome(answers_path, output, FAILED, [printable(
                f"{answers_path}: giver samme dokument ({output}) som {earlier}{case}; "
                "giv svarfilerne forskellige navne"
            )])
        else:
            first[key] = (answers_path, output)
    return failed


def render_batch(
    answer_paths: list[Path],
    outputs: list[Path],
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    template: Path | None = None,
    skip_drafts: bool = False,
) -> list[Outcome]:
    """Render every answer file to its output; outcomes in the order of the files.

    *skip_drafts*: a draft is passed over (status SKIPPED) instead of failing.
    """
    total = len(answer_paths)
    outcomes: list[Outcome | None] = [None] * total
    for index, outcome in _duplicate_outputs(answer_paths, outputs).items():
        outcomes[index] = outcome
    todo = [i for i in range(total) if outcomes[i] is None]
    done = total - len(todo)
    if progress:
        progress(done, total)
    workers = workers or worker_count(len(todo))

    try:
        if len(todo) < MIN_FILES_FOR_POOL or workers == 1:
            for i in todo:
                outcomes[i] = render_one(answer_paths[i], outputs[i], force, template, skip_drafts)
                done += 1
                if progress:
                    progress(done, total)
        else:
            _render_in_pool(answer_paths, outputs, force, template, skip_drafts, todo, workers, outcomes, done, progress)
    except KeyboardInterrupt as exc:
        exc.outcomes = outcomes  # type: ignore[attr-defined]  # what was finished, for the front end
        raise
    return outcomes  # type: ignore[return-value]


# Tasks handed to the pool at a time, per worker: enough that no worker waits for the
# next, few enough that the parent's memory does not grow with the number of files.
TASKS_IN_FLIGHT_PER_WORKER = 4


def _render_in_pool(answer_paths, outputs, force, template, skip_drafts, todo, workers, outcomes, done, progress) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    total = len(answer_paths)
    # One document per task: passing a task costs well under a millisecond, a document
    # some 30 ms; and a batch stopped by a signal then knows exactly what was finished.
    waiting = iter(todo)
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context(), initializer=_worker_start,
                             initargs=(os.getpid(),)) as pool:
        running: dict = {}  # future -> index of its file

        def submit_more() -> None:
            while len(running) < workers * TASKS_IN_FLIGHT_PER_WORKER:
                i = next(waiting, None)
                if i is None:
                    return
                running[pool.submit(_render_chunk, [(answer_paths[i], outputs[i], force, template, skip_drafts)])] = i

        def collect(future, i: int) -> None:
            try:
                ((status, lines, warnings),) = future.result()
            except Exception as exc:  # a worker died (killed, out of memory)
                status, lines, warnings = FAILED, (
                    printable(f"{answer_paths[i]}: arbejdsprocessen stoppede uventet ({type(exc).__name__})"),), ()
            outcomes[i] = Outcome(answer_paths[i], outputs[i], status, lines, warnings)

        try:
            submit_more()
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    collect(future, running.pop(future))
                    done += 1
                submit_more()
                if progress:
                    progress(done, total)
        except KeyboardInterrupt:
            # Ctrl-C, SIGTERM or SIGHUP: no worker goes on writing documents.
            _stop_workers(pool)
            for future, i in running.items():  # results that arrived while stopping
                if future.done() and not future.cancelled() and future.exception() is None:
                    collect(future, i)
            raise


# -- summary ---------------------------------------------------------------------------

def count(outcomes: list[Outcome]) -> dict[str, int]:
    counts = {WRITTEN: 0, UNCHANGED: 0, FAILED: 0, SKIPPED: 0}
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts


def summary_line(outcomes: list[Outcome]) -> str:
    """"Færdig: 12 skrevet, 3 uændret, 1 fejlet." plus where the documents went."""
    counts = count(outcomes)
    folders = {o.output.parent for o in outcomes if o.status in (WRITTEN, UNCHANGED)}
    where = f" i {next(iter(folders))}" if len(folders) == 1 else ""
    recoveries = sum(1 for o in outcomes if o.status == SKIPPED and o.lines and o.lines[0].startswith(RECOVERY_SKIPPED))
    drafts = counts[SKIPPED] - recoveries
    passed = (f", {drafts} {'kladde' if drafts == 1 else 'kladder'} sprunget over" if drafts else "") + (
        f", {recoveries} {'gendannelsesfil' if recoveries == 1 else 'gendannelsesfiler'} sprunget over" if recoveries else "")
    line = f"Færdig: {counts[WRITTEN]} skrevet, {counts[UNCHANGED]} uændret, {counts[FAILED]} fejlet{passed}{where}."
    pdfs = sum(1 for o in outcomes if o.pdf is not None and not o.pdf_reused)
    reused = sum(1 for o in outcomes if o.pdf is not None and o.pdf_reused)
    previews = sum(1 for o in outcomes if o.preview is not None)
    pdf_failed = sum(1 for o in outcomes if o.pdf_problems)
    if pdfs or reused or pdf_failed:
        line += f" PDF: {pdfs} lavet"
        if reused:
            line += f", {reused} allerede aktuelle"
        if previews:
            line += f", {previews} forhåndsvisninger"
        if pdf_failed:
            line += f", {pdf_failed} fejlet"
        line += "."
    return line


def draft_lines(outcomes: list[Outcome]) -> list[str]:
    """One line per draft that was passed over, with how to finish it."""
    return [line for outcome in outcomes if outcome.status == SKIPPED for line in outcome.lines]


def _draft_line(answers_path: Path, kind: str | None) -> str:
    """A draft passed over, said where its file was read (no second read for its kind)."""
    how = f" (gør den færdig med: drafter new {kind} --resume {shellquote.quote(answers_path)})" if kind else ""
    return f"kladde, springes over: {answers_path}{how}"


def failure_lines(outcomes: list[Outcome]) -> list[str]:
    """Each failed file with its reasons, for the end of the run (printable lines)."""
    lines: list[str] = []
    for outcome in outcomes:
        if outcome.status == FAILED:
            lines.append(printable(f"fejlet: {outcome.answers_path}"))
            lines.extend(f"  {line}" for line in outcome.lines)
        elif outcome.pdf_problems:
            lines.append(printable(f"PDF fejlet: {outcome.answers_path}"))
            lines.extend(f"  {line}" for line in format_problems(outcome.pdf_problems))
    return lines
