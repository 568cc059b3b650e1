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

Beyond one commission, every command of ``drafter`` is a function here, so a front end needs
nothing else of drafter's core: the workspace and its profile (``init_workspace``,
``use_workspace``, ``profiles``), kinds and rules (``kinds``, ``rules``), many files at once
(``answer_files``, ``render_files``, ``add_pdfs``, ``status``), templates
(``check_templates``, ``new_template``), versions (``read_version``, ``diff``,
``write_tracked_changes``), a chair's Word edits (``read_chair_edits``, ``save_chair_edits``)
and a name replaced (``plan_replacement``, ``write_replacement``). A few helpers for showing
results (outcome states, an answer's label and text) are exported too; see ``__all__``.
"""

from __future__ import annotations

import os
from pathlib import Path

from drafter import reference, workspace
from drafter.answers import Answers, check_file, expand_paths, is_folder, load_answers, recovery_of, recovery_sentence
from drafter.errors import AnswerFileError, DrafterError, UsageError
from drafter.fsutil import atomic_write, resolved
from drafter.problems import Problem
from drafter.questionnaire import LETTERHEAD, Questionnaire, available_kinds, letterhead_path, load_questionnaire
from drafter.rules import RULES, check_answers, profile_notes, unknown_rules
from drafter.typography import fixed, problems as typography_problems, suggestions
from drafter.validate import is_complete, questionnaire_for, validate
from drafter.workspace import ProfileError
from drafter.yamlread import read_answer_file

# `drafter check` needs neither the batch (drafter.batch: rendering many files, its pools
# and outcomes), the Danish summaries of changes (drafter.changes) nor the answer-file
# writer (drafter.yamlio): together 2.7 ms of CPU of a fresh check's start (measured,
# bytecode compiled); nor the dataclasses other commands return (drafter.apitypes: making
# six dataclasses costs some 2.5 ms). They are imported by the functions that use them, and the
# names this module hands on from them are looked up on first use (__getattr__ below).
_FROM_BATCH = ("FAILED", "SKIPPED", "UNCHANGED", "draft_lines", "failure_lines", "summary_line")
_FROM_CHANGES = ("full_text", "label", "marked_words", "question_lines")
_FROM_APITYPES = ("SetResult", "ProfileListing", "RuleListing", "ChairEdits", "Restored", "Replacement")

TYPE_CHECKING = False  # typing is for the annotations only: a check does not load it (~1.5 ms)
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping

    from drafter.apitypes import ChairEdits, ProfileListing, Replacement, Restored, RuleListing, SetResult
    from drafter.batch import Outcome, RenderResult
    from drafter.docimport import Imported
    from drafter.replace import FileReplacement
    from drafter.templates import TemplateReport
    from drafter.versions import Difference, Side

__all__ = [
    # one commission
    "Answers", "Problem", "check", "fix_typography", "load", "missing_answers", "new_draft", "recovery_note", "render",
    "restore", "set", "set_answers", "typography",
    # workspace and profile
    "WORKSPACE_FILE", "ProfileError", "describe_profile", "init_workspace", "profiles", "read_afresh", "read_afresh_if_changed", "use_workspace",
    "workspace_description",
    "workspace_folder", "workspace_root",
    # kinds and rules
    "kind", "kinds", "profile_notes", "rules",
    # many files; templates; versions; a chair's edits; a name replaced
    "add_pdfs", "answer_files", "document_for", "is_folder", "recovery_files_kept_for", "render_files", "status",
    "pdf_for", "pdf_programs", "status_of",
    "check_templates", "new_template",
    "diff", "read_version", "write_tracked_changes",
    "read_chair_edits", "save_chair_edits", "plan_replacement", "write_replacement",
    # for showing results: outcome states, Danish lines, an answer's label and text
    "FAILED", "SKIPPED", "UNCHANGED", "draft_lines", "failure_lines", "summary_line", "status_cells",
    "full_text", "label", "marked_words", "question_lines",
]


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
    from drafter.batch import check_rules, render_answers, require_finished  # lazy: see the imports

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
    return typography_problems(answers)


def fix_typography(path: str | Path) -> list:
    """Write the Danish typography `check` suggests ("typografi") into the answer file
    *path*, through the round-trip writer (comments and layout stay; a file changed since it
    was read is not overwritten). Returns the suggestions taken (empty: nothing written)."""
    from drafter.yamlio import kept_meta, save_answers  # lazy: see the imports

    answers = load(path)
    found = suggestions(answers.questionnaire, answers.values)
    if found:
        save_answers(path, answers.questionnaire, fixed(answers.values, found), answers.complete,
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


def set_answers(answers_path: Path, settings: list[str], out_dir: Path | None = None, force: bool = False) -> SetResult:
    """`drafter edit FILE --set KEY=VALUE ...`: change answers without the interview.

    The changed answers are validated with all the others as plain data (drafter.validate)
    and the rules run; only then is the file written (its own text kept, only those
    answers' lines changed) and a finished file rendered again. Any problem changes nothing.
    """
    from drafter.apitypes import SetResult  # lazy: see the imports
    from drafter.batch import check_rules  # lazy: see the imports
    from drafter.session import DraftSession  # lazy: `check` needs no session (6 ms CPU after this module)

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
    answer, or keeps an optional one with a suggestion empty on purpose: ``''``) and checked by the question's own rule. *key* is an answer path as drafter
    prints it: ``tidsplan.slut``, ``opgaver.opgaver[2]``, ``formandskab.medlemmer[1].titel``
    (1-based). *kind* is the questionnaire; without it, ``data["kind"]``. Raises
    :class:`~drafter.errors.UsageError` for an unknown key or a value its question refuses.
    """
    import copy  # lazy: `check` needs no copy (0.7 ms with weakref)

    from drafter.session import DraftSession  # lazy: `check` needs no session (6 ms CPU after this module)

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
    from drafter.session import DraftSession  # lazy: `check` needs no session (6 ms CPU after this module)

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


# -- workspace and profile -------------------------------------------------------------------

def use_workspace(folder: str | Path | None) -> None:
    """Work in the workspace at *folder* (its drafter.yaml, answers/, out/, kinds/, templates/)
    instead of the nearest one above the current folder (None: that one again); raises
    ProfileError for a folder without a usable drafter.yaml."""
    workspace.activate(Path(folder) if folder is not None else None)


def read_afresh() -> None:
    """Forget the workspace, profile, kinds and names read so far in this process; the next
    use reads each of them again (`drafter check` does, so that its kept verdict notes all it read)."""
    workspace.read_afresh()


def read_afresh_if_changed() -> bool:
    """read_afresh() when a file or folder read so far (drafter.yaml, a kind, its kinds/
    folder, ...) has changed since, told by its stat signature alone; True when it had.
    A long-lived process (`drafter serve`) asks before each request."""
    return workspace.read_afresh_if_changed()


def workspace_folder(name: str) -> Path | None:
    """The workspace's folder *name* ("answers", "out", ...); None outside a workspace."""
    return workspace.current().folder(name)


def workspace_root() -> Path | None:
    """The folder of the workspace in force (with drafter.yaml); None outside one."""
    return workspace.current().root


def workspace_description() -> str:
    """Which profile is in force here, in Danish ("arbejdsmappen ... (drafter.yaml): ...")."""
    return workspace.current().describe()


WORKSPACE_FILE = workspace.WORKSPACE_FILE


def init_workspace(folder: str | Path, profile: str | None = None, name: str | None = None,
                   region: str | None = None, switch: bool = False) -> workspace.InitResult:
    """`drafter init`: make a workspace at *folder* from the built-in *profile*; an existing
    one is left as it is unless *switch* (its old drafter.yaml is kept beside the new)."""
    return workspace.init(Path(folder), profile, name, region, switch)


def profiles() -> list[ProfileListing]:
    """The organisation profiles shipped with drafter (`drafter init --profile NAME`)."""
    from drafter.apitypes import ProfileListing  # lazy: see the imports

    return [ProfileListing(name, workspace.builtin_profile(name).describe(), name == workspace.DEFAULT_PROFILE)
            for name in workspace.builtin_profiles()]


def describe_profile() -> str:
    """The profile in force, as `drafter data` shows it (Danish, several lines)."""
    return reference.describe()


# -- kinds and rules -------------------------------------------------------------------------

def kinds() -> tuple[list[Questionnaire], list[DrafterError]]:
    """Every kind drafter can make here (built in and the workspace's kinds/), and the
    problems of those that cannot be read: one broken kind file does not hide the others."""
    found, broken = [], []
    for name in available_kinds():
        try:
            found.append(load_questionnaire(name))
        except DrafterError as exc:
            broken.append(exc)
    return found, broken


def kind(name: str) -> Questionnaire:
    """The kind *name* (its questions, sections and template); raises KindError."""
    return load_questionnaire(name)


def rules() -> list[RuleListing]:
    """The collaboration's rules as the profile in force sets them (`drafter check --list-rules`)."""
    from drafter.apitypes import RuleListing  # lazy: see the imports

    profile = workspace.profile()
    listed = []
    for rule in RULES:
        setting = profile.rule_setting(rule.id)
        listed.append(RuleListing(
            rule.id, rule.title, setting.get("alvor") or rule.severity, rule.severity,
            " ".join(str(setting.get("kilde") or rule.source).split()), list(rule.needs),
            rule.skipped_because(profile), " ".join(str(setting["begrundelse"]).split()) if setting.get("begrundelse") else None,
        ))
    return listed


def rule_settings_error() -> DrafterError | None:
    """The profile's settings of rules that do not exist, as `drafter check` reports them
    (file, line, `regler.<id>`); None when every setting names a rule."""
    return unknown_rules(workspace.profile())




# -- many files at once ----------------------------------------------------------------------

def answer_files(paths: list[str | Path]) -> list[Path]:
    """*paths* with every folder replaced by its answer files (*.yaml, *.yml), in order."""
    return expand_paths([Path(p) for p in paths])


def document_for(answers_path: str | Path, out_dir: str | Path | None = None) -> Path:
    """Where `drafter render` writes the document of *answers_path*: out/<name>.docx."""
    from drafter.batch import DEFAULT_OUT_DIR, default_output  # lazy: see the imports

    return default_output(Path(answers_path), Path(out_dir) if out_dir is not None else DEFAULT_OUT_DIR)


def render_files(paths: list[Path], output: Path | None = None, out_dir: Path | None = None, *,
                 force: bool = False, template: Path | None = None, skip_drafts: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """`drafter render`: every answer file of *paths* (see answer_files) to its document,
    on all cores; one file's failure does not stop the others. *output* names the document
    of a single file; else out_dir/<name>.docx. *skip_drafts*: a draft is passed over
    (status SKIPPED) instead of failing. An Outcome per file, in order (status, output,
    lines); Ctrl-C raises KeyboardInterrupt with ``.outcomes``, what was finished."""
    from drafter.batch import outputs_for, render_batch  # lazy: see the imports

    outputs = outputs_for(paths, output, out_dir)
    return render_batch(paths, outputs, force=force, progress=progress, template=template, skip_drafts=skip_drafts)


def add_pdfs(outcomes: list[Outcome], *, preview: bool = False, archive: bool = False, force: bool = False,
             progress: Callable[[int, int], None] | None = None, notes: list[str] | None = None) -> list[str]:
    """A tagged PDF (with *archive* PDF/A-2b; with *preview* a PNG of page 1) beside every
    document *outcomes* wrote, by LibreOffice (the workspace may name where it is). Returns
    what is missing to do so (empty: all there); warnings that change nothing go to *notes*."""
    from drafter import pdf  # lazy: only --pdf needs it (10 ms CPU after this module)

    return pdf.add_pdfs(outcomes, preview=preview, progress=progress, archive=archive, force=force,
                        soffice_setting=workspace.current().libreoffice, notes=notes)


def status(folder: str | Path, out_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """`drafter status`: for every answer file in *folder*, plain data (as `--json` prints
    it): file, name, kind, state (complete/draft/invalid), rule errors and warnings, and the
    document's state (missing/current/outdated/edited/foreign/unknown). Writes nothing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"{folder}: er ikke en mappe; angiv mappen med svarfilerne (fx answers)")
    paths = expand_paths([folder])
    return status_of(paths + recovery_files_kept_for(folder), out_dir)


def recovery_files_kept_for(folder: str | Path) -> list[Path]:
    """The recovery files in the user's cache folder (where they go when the answers folder
    itself cannot be written; see drafter.session) whose answers belong in *folder*: listed
    with it, so that none is forgotten there. At most the first 1,000 files are looked at."""
    from drafter.session import recovery_folders  # lazy: `check` needs no session (6 ms CPU after this module)

    kept = recovery_folders(Path(folder))[-1]
    try:
        names = sorted(name for name in os.listdir(kept) if name.endswith(".yaml"))[:1000]
    except OSError:
        return []
    here, found = resolved(Path(folder)), []
    for name in names:
        try:
            recovery = recovery_of(read_answer_file(kept / name).data)
        except DrafterError:
            continue
        if recovery is not None and resolved(recovery.answers_path.parent) == here:
            found.append(kept / name)
    return found


# -- one commission's document (a front end that shows one at a time: the web form) ----------

def status_of(answer_paths: list[Path], out_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """`drafter status` for these answer files (a page of a long list), as ``status`` gives it."""
    from drafter import status as status_module  # lazy: `check` needs none of it (8 ms CPU after this module)

    return status_module.folder_status(answer_paths, [document_for(p, out_dir) for p in answer_paths])


def status_cells(entry: dict[str, Any]) -> list[str]:
    """The columns of `drafter status` a person reads (Danish): name, kind, state, rules,
    document, file."""
    from drafter import status as status_module  # lazy: see status_of()

    return status_module.status_cells(entry)


def pdf_programs() -> tuple[bool, bool]:
    """Whether LibreOffice (for PDFs; where the workspace says, else found) and pdftoppm (for
    a preview) are there."""
    from drafter import pdf  # lazy: only PDFs need it (10 ms CPU after this module)

    return (pdf.find_soffice(workspace.current().libreoffice) is not None,
            pdf.find_program(pdf.PDFTOPPM_ENV, "pdftoppm") is not None)


def pdf_for(answers_path: str | Path, document: str | Path, *, preview: bool = False,
            progress: Callable[[int, int], None] | None = None) -> list[str]:
    """A tagged PDF (with *preview* also a PNG of page 1) beside the Word *document* of
    *answers_path* as it is now (not made again); what stood in the way (empty: all made)."""
    from drafter.batch import UNCHANGED, Outcome  # lazy: see the imports

    outcome = Outcome(Path(answers_path), Path(document), UNCHANGED)
    missing = add_pdfs([outcome], preview=preview, progress=progress)
    return [*outcome.pdf_problems, *missing]


# -- templates -------------------------------------------------------------------------------

def check_templates(template: str | Path | None = None, kind: str | None = None) -> list[TemplateReport]:
    """`drafter template check`: a Word template (for *kind*, or the kind its name says; the
    letterhead for every kind built in it), every .docx of a folder, or without *template*
    the one *kind* is rendered with. A report per template and kind (``errors``, ``lines()``)."""
    from drafter import templates  # lazy: `check` needs none of the renderer (11 ms CPU after this module)

    return [templates.check_template(path, questionnaire)
            for path, questionnaire in templates.check_targets(Path(template) if template else None, kind)]


def new_template(kind: str | None = None, target: str | Path | None = None, *, letterhead: bool = False,
                 force: bool = False) -> Path:
    """`drafter template new`: a copy of *kind*'s built-in template, or with *letterhead* of
    the letterhead, written to *target* (in a workspace by default templates/KIND.docx or
    templates/letterhead.docx, which drafter then uses). Returns the path written."""
    from drafter import templates  # lazy: `check` needs none of the renderer (11 ms CPU after this module)

    if letterhead == bool(kind):
        raise UsageError("angiv enten --kind TYPE (en kopi af typens skabelon) eller --letterhead (en kopi af brevpapiret)")
    if target is None:
        own = workspace.current().templates_dir
        if own is None:
            raise UsageError("angiv hvor kopien skal skrives (SKABELON.docx); uden for en arbejdsmappe er der ingen templates/")
        target = own / (LETTERHEAD if letterhead else f"{kind}.docx")
        if not os.path.lexists(own):  # a workspace of a drafter.yaml alone: its templates/ starts here
            try:
                own.mkdir()
            except OSError:
                pass  # the copy then says what is wrong with the folder
    if letterhead:
        return templates.copy_template(letterhead_path(), Path(target), force=force)
    return templates.new_template(load_questionnaire(kind), Path(target), force=force)


# -- versions, a chair's edits, a name replaced ----------------------------------------------

def read_version(spec: str) -> Side:
    """One side of a diff: an answer file, FILE@REVISION (from git) or a Word document."""
    from drafter import versions  # lazy: only diff needs it (16 ms CPU after this module)

    return versions.read_side(spec)


def diff(old: Side, new: Side) -> Difference:
    """What changed from *old* to *new*, section by section (``equal``, ``lines()``)."""
    from drafter import versions  # lazy: only diff needs it (16 ms CPU after this module)

    return versions.compare(old, new)


def write_tracked_changes(difference: Difference, target: str | Path, author: str | None = None,
                          force: bool = False) -> Path:
    """The new version as a Word document with the changes as tracked changes, at *target*
    (a .docx; an edited or foreign file there only with *force*). *author*: the name Word
    shows at the changes (default: the new version's document author, else "drafter")."""
    from drafter import versions  # lazy: only diff needs it (16 ms CPU after this module)

    target = Path(target)
    if target.suffix.lower() != ".docx":
        raise UsageError(f"{target}: filen skal ende på .docx")
    from drafter.batch import check_overwrite  # lazy: see the imports

    data = versions.tracked_document(difference, author or _document_author(difference.new) or "drafter")
    check_overwrite(target, force)
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, data)
    return target


def _document_author(side: Side) -> str | None:
    if side.answers is None or not side.answers.questionnaire.document.get("author"):
        return None
    from drafter.render import document_properties  # lazy: as in check_templates (diff has loaded it by now)

    return document_properties(side.answers).get("author") or None


def read_chair_edits(docx: str | Path, into: str | Path | None = None) -> ChairEdits:
    """The edits a chair made in a document drafter wrote, merged three ways with its answer
    file (*into*, else answers/<the document's name>.yaml): taken, kept, in conflict."""
    from drafter import docimport  # lazy: only import needs it (15 ms CPU after this module)
    from drafter.apitypes import ChairEdits  # lazy: see the imports

    answers_path = Path(docimport.find_answer_file(docx, into))
    answers = load_answers(answers_path)
    return ChairEdits(Path(docx), answers_path, answers, docimport.read_chair_edits(docx, answers))


def save_chair_edits(edits: ChairEdits, chosen: list[tuple[tuple, Any]], out_dir: str | Path | None = None) -> Imported:
    """Write the *chosen* edits ((path, value) pairs) into the answer file, comments kept,
    and make the document again (the chair's own file is first kept as a copy beside it).
    Returns where the document (``output``) and the copy (``backup``) are."""
    from drafter import docimport  # lazy: only import needs it (15 ms CPU after this module)

    from drafter.session import DraftSession  # lazy: `check` needs no session (15 ms CPU after check's modules)

    # Through the draft session, as every other change to answers: checked first (nothing is
    # written if they do not hold), patched in place with comments kept, and only if the file
    # on disk is still what was read, so an edit made meanwhile is never overwritten.
    session = DraftSession.from_answers(edits.answers, edits.answers_path, {"out_dir": Path(out_dir) if out_dir else None})
    session.chair_document = Path(edits.docx)  # a failed save's recovery file names it, for `drafter restore`
    session.values = docimport.with_changes(edits.answers.values, chosen)
    session.values = session.checked().values
    session.save()
    backup = docimport.keep_chair_copy(edits.docx, document_for(edits.answers_path, out_dir or None))
    return docimport.Imported(session.render(force=backup is not None).rendered.output, backup)


def recovery_note(answers: Answers) -> str | None:
    """For a recovery file (what a failed save left; drafter.answers.Recovery): one Danish
    sentence saying what it is, whose answers it holds and the command that puts them back.
    None for any other answer file."""
    recovery = recovery_of(answers.data)
    if recovery is None or answers.source is None:
        return None
    return recovery_sentence(Path(answers.source.path), recovery)


def restore(recovery_file: str | Path, out_dir: str | Path | None = None, force: bool = False) -> Restored:
    """`drafter restore FILE`: a recovery file's answers (written when a save failed, see
    drafter.session) back in the answer file they belong to, through the round-trip writer
    (its comments kept), only if that file is still as it was when the save failed (else in
    a new file beside it); a finished commission's document made again (after `drafter
    import`, the chair's Word file kept as a copy first, as import does). The recovery file
    is removed once its answers are saved. AnswerFileError for a file that cannot be read or
    is no recovery file (a file's fault, exit 1, as a missing one), AutosaveFailed if it
    cannot be saved yet."""
    from drafter import docimport  # lazy: only import and restore need it (15 ms CPU after this module)
    from drafter.apitypes import Restored  # lazy: see the imports

    from drafter.session import DraftSession  # lazy: `check` needs no session (6 ms CPU after this module)

    recovery_file = Path(recovery_file)
    session = DraftSession.resume(recovery_file, out_dir=Path(out_dir) if out_dir is not None else None)
    if session.recovered_from is None:
        raise AnswerFileError(f"{recovery_file}: er ikke en gendannelsesfil (den har ingen 'gendannelse:' med en svarfil); "
                         f"fortsæt den med: drafter new {session.questionnaire.kind} --resume {recovery_file}")
    session.values = session.checked().values
    session.save()
    result = Restored(session.path, session.questionnaire.kind, list(session.notes))
    if not session.complete:
        return result
    if session.chair_document is not None:
        result.backup = docimport.keep_chair_copy(session.chair_document, document_for(session.path, out_dir))
    try:
        result.render = session.render(force=force or result.backup is not None).rendered
    except DrafterError as exc:  # the answers are saved; only the document is not
        exc.problems.append(Problem(f"svarene er gemt i {session.path}, men dokumentet er ikke lavet igen"))
        raise
    return result


def plan_replacement(old: str, new: str, paths: list[str | Path] | None = None) -> Replacement:
    """What replacing the name *old* by *new* would change in the answer files of *paths*
    (default: the workspace's answers/), each file validated; nothing is written."""
    from drafter import replace  # lazy: only replace needs it (16 ms CPU after this module)
    from drafter.apitypes import Replacement  # lazy: see the imports

    old, new = replace.check_words(old, new)
    given = [Path(p) for p in paths] if paths else [workspace_folder("answers") or Path("answers")]
    found = expand_paths(given)  # an empty folder is a UsageError
    return Replacement(old, new, found, [replace.plan_file(path, old, new) for path in found])


def write_replacement(planned: FileReplacement, tracked_changes: str | Path | None = None, author: str | None = None) -> Path | None:
    """Write one planned file (stale check: it must still be as read); with
    *tracked_changes*, also its document with the change as Word tracked changes in that
    folder (by *author*, default the profile's author), whose path is returned."""
    from drafter import replace  # lazy: only replace needs it (16 ms CPU after this module)

    replace.write_file(planned)
    if tracked_changes is None:
        return None
    author = author or workspace.profile().get("forfatter") or "drafter"
    return replace.tracked_changes(planned, Path(tracked_changes), author)


def __getattr__(name: str) -> Any:
    """The names handed on from drafter.batch, drafter.changes and drafter.apitypes, imported on first use."""
    if name in _FROM_BATCH:
        from drafter import batch  # lazy: see the imports

        return getattr(batch, name)
    if name in _FROM_CHANGES:
        from drafter import changes  # lazy: see the imports

        return getattr(changes, name)
    if name in _FROM_APITYPES:
        from drafter import apitypes  # lazy: see the imports

        return getattr(apitypes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
