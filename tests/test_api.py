"""drafter as a library (drafter.api) on plain data; one Problem type printed escaped by
every command; a question switched off by `when:` blocks nothing."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ADHOC_EXAMPLE, EXAMPLES, docx_text, run_cli
from drafter import api
from drafter.errors import AnswerFileError, DrafterError, OutputError, RuleViolation, UsageError
from drafter.problems import Problem, format_problem, printable
from drafter.questionnaire import load_questionnaire

# libyaml's parser when PyYAML has it: this runs at import, in every worker.
ONE_PER_KIND = {yaml.load(p.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["kind"]: p
                for p in EXAMPLES}


def plain(path: Path) -> dict:
    """An answer file as a script would hold it: plain dicts, lists, text and real dates."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", sorted(ONE_PER_KIND))
def test_check_and_render_plain_dicts_of_every_kind(kind, tmp_path):
    data = plain(ONE_PER_KIND[kind])
    assert any(isinstance(v, dt.date) for section in data.values() if isinstance(section, dict) for v in section.values())
    assert [p for p in api.check(data) if p.is_error()] == []
    written = api.render(data, tmp_path / "out" / "x.docx")
    assert written == tmp_path / "out" / "x.docx"
    # The same answers as a file give the same document, byte for byte.
    from_file = api.render(api.load(ONE_PER_KIND[kind]), tmp_path / "fil.docx")
    assert written.read_bytes() == from_file.read_bytes()
    assert load_questionnaire(kind).name  # the kind was found from data["kind"]

    question = next(q for q in load_questionnaire(kind).questions if q.required and q.type == "text")
    section, key = question.path.split(".")
    broken = {**data, section: {**data[section], key: None}}
    problems = api.check(broken)
    assert [(p.field, p.severity) for p in problems] == [(question.path, "fejl")]
    with pytest.raises(AnswerFileError) as caught:
        api.render(broken, tmp_path / "y.docx")
    assert [format_problem(p) for p in caught.value.problems] == [f"{question.path}: mangler; feltet skal udfyldes"]
    assert not (tmp_path / "y.docx").exists()


def test_check_names_answer_paths_and_kind(tmp_path):
    data = plain(ADHOC_EXAMPLE)
    data["formandskab"]["medlemmer"][1]["titel"] = 7
    data["tidsplan"]["slut"] = dt.date(2026, 12, 17)  # before the start: the cross-field check
    problems = api.check(data)
    assert [p.field for p in problems] == ["formandskab.medlemmer[2].titel", "tidsplan.slut"]
    assert problems[0].path == ("formandskab", "medlemmer", 1, "titel")
    assert "ligger før tidsplan.start" in problems[1].message
    assert api.check(data, kind="temagruppe")[0].message.startswith("filen er af typen 'adhoc'")
    assert api.check({"schema_version": 1})[0].field == "kind"


def test_render_refuses_rule_errors_drafts_and_hand_edits(tmp_path):
    data = plain(ADHOC_EXAMPLE)
    target = api.render(data, tmp_path / "x.docx")
    assert api.render(data, target) == target  # unchanged: fine
    from docx import Document

    edited = Document(str(target))
    edited.add_paragraph("Tilføjet i Word.")
    edited.save(str(target))
    with pytest.raises(OutputError, match="overskrives ikke"):
        api.render(data, target)
    assert "Tilføjet i Word." in docx_text(target)
    assert api.render(data, target, force=True) == target
    with pytest.raises(AnswerFileError, match="kladde"):
        api.render({**data, "complete": False}, tmp_path / "kladde.docx")
    bad = {**data, "gruppe": {**data["gruppe"], "nedsat_af": "Kantineudvalget"}}
    with pytest.raises(RuleViolation) as caught:
        api.render(bad, tmp_path / "z.docx")
    assert any(p.rule == "opdragsgiver" and p.is_error() for p in caught.value.problems)
    assert [p.rule for p in api.check(bad) if p.is_error()] == ["opdragsgiver"]


def test_one_formatter_escapes_control_characters_bidi_and_ansi():
    problem = Problem("“\u202eevil\u2066” \x1b[31mrød\x9b2J", path=("gruppe", "navn"), file="a\x1b]0;x\x07.yaml")
    shown = format_problem(problem)
    assert shown == "a\\x1b]0;x\\x07.yaml: gruppe.navn: “\\u202eevil\\u2066” \\x1b[31mrød\\x9b2J"
    assert printable("linje 1\nlinje 2\tfane") == "linje 1\\nlinje 2\tfane"


# -- every command prints escaped ------------------------------------------------------------

EVIL = "\x1b[31m"  # an ANSI sequence in a file name
RLO = "\u202e"  # right-to-left override in an answer


def _raw_free(text: str) -> bool:
    return "\x1b" not in text and RLO not in text


def test_bidi_in_an_answer_and_esc_in_a_file_name_print_escaped_through_every_command(workdir):
    good = ADHOC_EXAMPLE.read_text(encoding="utf-8")
    assert "nedsat_af: Voksentemagruppen for somatik" in good
    evil_answer = good.replace("nedsat_af: Voksentemagruppen for somatik", f"nedsat_af: Kantine{RLO}udvalget")
    bad = workdir / "answers" / f"ond{EVIL}.yaml"
    bad.write_text(evil_answer, encoding="utf-8")
    shown_name = f"ond\\x1b[31m.yaml"

    result = run_cli("check", bad, cwd=workdir)
    assert result.returncode == 1 and _raw_free(result.stdout + result.stderr), repr(result.stdout)
    assert f"{shown_name}:" in result.stdout and f"Kantine\\u202eudvalget" in result.stdout

    result = run_cli("render", bad, cwd=workdir)
    assert result.returncode == 1 and _raw_free(result.stdout + result.stderr), repr(result.stderr)
    assert "Kantine\\u202eudvalget" in result.stderr and shown_name in result.stderr

    # A file that renders: its document's name is printed escaped too.
    fine = workdir / "answers" / f"fin{EVIL}.yaml"
    fine.write_text(good, encoding="utf-8")
    result = run_cli("render", fine, cwd=workdir)
    assert result.returncode == 0 and _raw_free(result.stdout + result.stderr), repr(result.stdout)
    assert "fin\\x1b[31m.docx" in result.stdout

    # The batch: failure list and summary line, with an ESC in the output folder too.
    result = run_cli("render", bad, fine, ADHOC_EXAMPLE, "--out-dir", f"ud{EVIL}", cwd=workdir)
    assert result.returncode == 1 and _raw_free(result.stdout + result.stderr), repr(result.stdout + result.stderr)
    assert f"fejlet: answers/{shown_name}" in result.stderr.replace(str(workdir) + "/", "")
    assert "Kantine\\u202eudvalget" in result.stderr
    assert "Færdig: 2 skrevet, 0 uændret, 1 fejlet i ud\\x1b[31m." in result.stdout


# -- when: a question switched off blocks nothing ---------------------------------------------

def _kind_with_a_switch(folder: Path) -> str:
    """adhoc plus a yes/no question and a required question that only applies on yes."""
    source = load_questionnaire("adhoc").source_file.read_text(encoding="utf-8")
    assert "\nkind: adhoc\n" in source
    switch = (
        "      - key: budget\n        type: bool\n        prompt: Har gruppen et budget?\n        default: false\n"
        "      - key: beloeb\n        type: text\n        prompt: Hvor stort er budgettet?\n"
        "        when: gruppe.budget\n        required: true\n"
    )
    text = source.replace("\nkind: adhoc\n", "\nkind: medbudget\n", 1)
    first = text.index("    questions:\n") + len("    questions:\n")  # the first section's
    (folder / "medbudget.yaml").write_text(text[:first] + switch + text[first:], encoding="utf-8")
    return "medbudget"


@pytest.fixture
def switch_kind(tmp_path, monkeypatch):
    kinds = tmp_path / "kinds"
    kinds.mkdir()
    kind = _kind_with_a_switch(kinds)
    monkeypatch.setenv("DRAFTER_KINDS_PATH", str(kinds))
    return kind


def test_a_required_question_switched_off_blocks_neither_check_render_nor_interview(switch_kind, workdir):
    data = plain(ADHOC_EXAMPLE)
    data["kind"] = switch_kind
    data["gruppe"]["budget"] = False
    assert [p for p in api.check(data) if p.is_error()] == []
    assert "Voksentemagruppen for somatik" in docx_text(api.render(data, workdir / "a.docx"))
    # Switched on, the question is required.
    on = {**data, "gruppe": {**data["gruppe"], "budget": True}}
    assert [p.field for p in api.check(on)] == ["gruppe.beloeb"]
    # The same through the command line, from a file.
    answer_file = workdir / "answers" / "budget.yaml"
    answer_file.write_text(
        ADHOC_EXAMPLE.read_text(encoding="utf-8").replace("kind: adhoc\n", f"kind: {switch_kind}\n"), encoding="utf-8"
    )
    assert run_cli("check", answer_file, cwd=workdir).returncode == 0
    assert run_cli("render", answer_file, cwd=workdir).returncode == 0
    # The interview's review (the draft session's checks) neither shows nor requires it, and validates in memory.
    from drafter import yamlio as yamlio_module
    from drafter import yamlread as yamlread_module
    from drafter import session as session_module
    from drafter.session import DraftSession

    def no_yaml(*args, **kwargs):
        raise AssertionError("the draft session validates in memory, without YAML")

    loaded = api.load(answer_file)
    session = DraftSession(loaded.questionnaire, loaded.values, path=answer_file, complete=True)
    with pytest.MonkeyPatch.context() as patch:
        for module in (yamlread_module, yamlio_module, session_module):
            for name in ("parse_answer_text", "to_yaml"):
                if hasattr(module, name):
                    patch.setattr(module, name, no_yaml)
        assert session.problems(complete=True) == []
        assert session.rule_report().errors() == []


# -- every command through drafter.api, on real files ------------------------------------------

def _reopened_text(path: Path) -> str:
    """The body text of a .docx as Word would open it (python-docx reads the real file)."""
    from docx import Document

    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_workspace_profiles_and_init_through_the_api(tmp_path):
    folder = tmp_path / "w"
    made = api.init_workspace(folder, "midtklyngen")
    assert (folder / api.WORKSPACE_FILE).is_file() and made.existed is False
    assert api.init_workspace(folder, "neutral").existed  # an existing one is left as it is
    listed = {p.name: p for p in api.profiles()}
    assert {"neutral", "midtklyngen"} <= set(listed) and listed["neutral"].is_default
    assert not listed["midtklyngen"].is_default and listed["midtklyngen"].description
    try:
        api.use_workspace(folder)
        assert api.workspace_root() == folder.resolve()
        assert api.workspace_folder("answers").resolve() == (folder / "answers").resolve()
        assert api.workspace_description().startswith(f"arbejdsmappen {folder.resolve()}")
        assert "Midtklyngen" in api.describe_profile()
    finally:
        api.use_workspace(None)
    assert api.workspace_root() != folder.resolve()


def test_kinds_and_rules_through_the_api(tmp_path):
    found, broken = api.kinds()
    assert "adhoc" in {k.kind for k in found} and broken == []
    assert api.kind("adhoc").name == next(k.name for k in found if k.kind == "adhoc")
    listed = {r.id: r for r in api.rules()}
    assert listed["opdragsgiver"].title and listed["opdragsgiver"].source
    assert all(r.severity in ("fejl", "advarsel") for r in listed.values())
    # A workspace whose profile changes one rule's severity and brings a broken kind.
    folder = tmp_path / "w"
    api.init_workspace(folder, "midtklyngen")
    profile = (folder / "drafter.yaml").read_text(encoding="utf-8")
    assert "  patientperspektiv:\n" in profile
    (folder / "drafter.yaml").write_text(profile.replace(
        "  patientperspektiv:\n",
        "  patientperspektiv:\n    alvor: advarsel\n    begrundelse: Perspektivet inddrages i styregruppen.\n"), encoding="utf-8")
    (folder / "kinds" / "egen.yaml").write_text("kind: egen\nname: [\n", encoding="utf-8")
    try:
        api.use_workspace(folder)
        changed = next(r for r in api.rules() if r.id == "patientperspektiv")
        assert (changed.severity, changed.default_severity) == ("advarsel", "fejl")
        assert changed.reason == "Perspektivet inddrages i styregruppen."
        found, broken = api.kinds()
        assert "adhoc" in {k.kind for k in found}
        assert [str(p.file).endswith("egen.yaml") for exc in broken for p in exc.problems] == [True]
    finally:
        api.use_workspace(None)


def test_render_files_status_and_pdfs_through_the_api(workdir, monkeypatch):
    answers = workdir / "answers"
    draft = answers / "kladde.yaml"
    draft.write_text(ADHOC_EXAMPLE.read_text(encoding="utf-8").replace("schema_version: 1\n", "schema_version: 1\ncomplete: false\n"),
                     encoding="utf-8")
    paths = api.answer_files([answers])
    assert paths == sorted(answers.glob("*.yaml")) and draft in paths and api.is_folder(answers)
    out = workdir / "out"
    outcomes = api.render_files(paths, out_dir=out, skip_drafts=True)
    by_file = {o.answers_path: o for o in outcomes}
    assert by_file[draft].status == api.SKIPPED and api.draft_lines(outcomes)
    adhoc = answers / ADHOC_EXAMPLE.name
    document = api.document_for(adhoc, out)
    assert by_file[adhoc].output == document and by_file[adhoc].status not in (api.FAILED, api.SKIPPED)
    assert "Ad-hoc gruppe om udskrivelse af skrøbelige ældre" in _reopened_text(document)
    assert api.summary_line(outcomes).startswith("Færdig:") and api.failure_lines(outcomes) == []

    states = {entry["file"]: entry for entry in api.status(answers, out)}
    assert states[str(adhoc)]["document_state"] == "current" and states[str(draft)]["state"] == "draft"
    from docx import Document

    edited = Document(str(document))
    edited.add_paragraph("Tilføjet af formanden.")
    edited.save(str(document))
    states = {entry["file"]: entry for entry in api.status(answers, out)}
    assert states[str(adhoc)]["document_state"] == "edited"
    assert "dokumentet er rettet i Word siden" in api.status_cells(states[str(adhoc)])
    with pytest.raises(UsageError, match="er ikke en mappe"):
        api.status(adhoc)

    # No LibreOffice: what is missing is said, and the Word documents stay as written.
    monkeypatch.setenv("DRAFTER_SOFFICE", "")
    monkeypatch.setattr("drafter.pdf.standard_soffice_locations", lambda: [])
    missing = api.add_pdfs([by_file[adhoc]])
    assert len(missing) == 1 and "LibreOffice" in missing[0] and by_file[adhoc].pdf is None
    assert "Tilføjet af formanden." in _reopened_text(document)


def test_templates_through_the_api(tmp_path):
    assert [report.errors for report in api.check_templates(kind="adhoc")] == [[]]
    copy = api.new_template("adhoc", tmp_path / "egen.docx")
    assert copy == tmp_path / "egen.docx" and _reopened_text(copy) == _reopened_text(api.kind("adhoc").template_path)
    assert [report.errors for report in api.check_templates(copy, "adhoc")] == [[]]
    letterhead = api.new_template(target=tmp_path / "brevpapir.docx", letterhead=True)
    assert letterhead.read_bytes()[:2] == b"PK"
    with pytest.raises(OutputError, match="findes allerede"):
        api.new_template("adhoc", copy)
    with pytest.raises(UsageError, match="angiv enten --kind"):
        api.new_template()


def test_template_new_in_a_workspace_of_a_drafter_yaml_alone_makes_its_templates_folder(tmp_path):
    # As a process of its own: the kinds this process has loaded stay those of the examples' profile.
    (tmp_path / "drafter.yaml").write_text("profil: neutral\n", encoding="utf-8")
    made = run_cli("template", "new", "--letterhead", cwd=tmp_path)
    assert made.returncode == 0 and made.stdout.strip() == "templates/letterhead.docx", made.stderr
    checked = run_cli("template", "check", "templates", cwd=tmp_path)
    assert checked.returncode == 0 and "skabelonen kan bruges til 'adhoc'" in checked.stdout, checked.stderr


def test_diff_and_tracked_changes_through_the_api(tmp_path):
    old = tmp_path / "gammel.yaml"
    new = tmp_path / "ny.yaml"
    shutil.copy(ADHOC_EXAMPLE, old)
    new.write_text(ADHOC_EXAMPLE.read_text(encoding="utf-8").replace(
        "Ad-hoc gruppe om udskrivelse af skrøbelige ældre", "Ad-hoc gruppe om udskrivelse af ældre"), encoding="utf-8")
    assert api.diff(api.read_version(str(old)), api.read_version(str(old))).equal
    difference = api.diff(api.read_version(str(old)), api.read_version(str(new)))
    assert not difference.equal and any("udskrivelse af ældre" in line for line in difference.lines())
    written = api.write_tracked_changes(difference, tmp_path / "spor" / "ændringer.docx", author="Sekretariatet")
    import zipfile

    body = zipfile.ZipFile(written).read("word/document.xml").decode("utf-8")
    assert "<w:del " in body and 'w:author="Sekretariatet"' in body  # "skrøbelige " struck out
    assert "Ad-hoc gruppe om udskrivelse af ældre" in _reopened_text(written)
    with pytest.raises(UsageError, match="skal ende på .docx"):
        api.write_tracked_changes(difference, tmp_path / "x.pdf")


def _edited_by_the_chair(workdir) -> tuple[Path, Path]:
    """The adhoc example rendered, and one sentence of its purpose edited in Word (python-docx)."""
    answers = workdir / "answers" / ADHOC_EXAMPLE.name
    document = api.render(api.load(answers), workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx")
    from docx import Document

    edited = Document(str(document))
    paragraph = next(p for p in edited.paragraphs if p.text.startswith("Skrøbelige ældre, der udskrives"))
    paragraph.runs[0].text = paragraph.text.replace("oplever for ofte", "oplever alt for ofte")
    for run in paragraph.runs[1:]:
        run._r.getparent().remove(run._r)
    edited.save(str(document))
    return answers, document


def test_a_chairs_edits_come_back_through_the_api(workdir):
    answers, document = _edited_by_the_chair(workdir)
    edits = api.read_chair_edits(document, answers)
    assert edits.answers_path == answers and edits.result.conflicts == []
    assert [c.path for c in edits.result.changes] == [("formaal", "tekst")]
    imported = api.save_chair_edits(edits, [(c.path, c.new) for c in edits.result.changes], workdir / "out")
    assert "oplever alt for ofte" in plain(answers)["formaal"]["tekst"]
    assert "# 1. Formål med gruppens arbejde" in answers.read_text(encoding="utf-8")  # comments kept
    assert imported.output == document and imported.backup is not None and imported.backup.exists()
    assert "oplever alt for ofte" in _reopened_text(imported.output)


def test_an_import_never_writes_over_an_answer_file_changed_since_it_was_read(workdir):
    # The import saves through the draft session: its stale check keeps a consultant's edit
    # made between reading the chair's document and saving the chair's edits.
    answers, document = _edited_by_the_chair(workdir)
    edits = api.read_chair_edits(document, answers)
    changed = answers.read_text(encoding="utf-8") + "# rettet af konsulenten imens\n"
    answers.write_text(changed, encoding="utf-8")
    chairs_file = document.read_bytes()
    with pytest.raises(DrafterError, match="ændret uden for drafter"):
        api.save_chair_edits(edits, [(c.path, c.new) for c in edits.result.changes], workdir / "out")
    assert answers.read_text(encoding="utf-8") == changed  # the consultant's edit is kept
    assert document.read_bytes() == chairs_file  # and the chair's document is untouched
    assert not list(document.parent.glob("* (rettet i Word)*.docx"))


def test_a_failed_import_says_drafter_restore_which_finishes_the_import(workdir, monkeypatch):
    # The chair's edits were chosen, but the answer file cannot be written (a full disk):
    # every answer, the chair's edits with them, is in a recovery file, and the message names
    # the command that takes them in and makes the document again, as import would have.
    answers, document = _edited_by_the_chair(workdir)
    before, chairs_file = answers.read_bytes(), document.read_bytes()
    edits = api.read_chair_edits(document, answers)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("drafter.yamlio.atomic_write", full_disk)
    with pytest.raises(DrafterError) as failed:
        api.save_chair_edits(edits, [(c.path, c.new) for c in edits.result.changes], workdir / "out")
    monkeypatch.undo()
    recovery = failed.value.recovery
    message = str(failed.value)
    assert f"også rettelserne fra {document}" in message and f"gemt i {recovery}" in message
    assert f"lægges de i {answers}, og dokumentet laves igen, med:\n  drafter restore {recovery}" in message
    assert "drafter new" not in message
    assert answers.read_bytes() == before and document.read_bytes() == chairs_file
    restored = api.restore(recovery, out_dir=workdir / "out")
    assert "oplever alt for ofte" in plain(answers)["formaal"]["tekst"] and not recovery.exists()
    assert "# 1. Formål med gruppens arbejde" in answers.read_text(encoding="utf-8")  # comments kept
    assert restored.backup is not None and restored.backup.read_bytes() == chairs_file  # the chair's file kept
    assert restored.render.output == document and "oplever alt for ofte" in _reopened_text(document)


def test_a_name_replaced_through_the_api(workdir):
    answers = workdir / "answers"
    planned = api.plan_replacement("Hospitalsenhed Midt", "Regionshospitalet Midt", [answers / ADHOC_EXAMPLE.name])
    assert planned.old == "Hospitalsenhed Midt" and len(planned.files) == 1
    [file] = planned.files
    assert file.changed and not file.problems and not file.written
    assert ADHOC_EXAMPLE.read_bytes() == (answers / ADHOC_EXAMPLE.name).read_bytes()  # planning writes nothing
    tracked = api.write_replacement(file, workdir / "spor")
    text = (answers / ADHOC_EXAMPLE.name).read_text(encoding="utf-8")
    assert "Hospitalsenhed Midt" not in text and "Regionshospitalet Midt" in text
    assert "# 1. Formål med gruppens arbejde" in text
    import zipfile

    body = zipfile.ZipFile(tracked).read("word/document.xml").decode("utf-8")
    inserted = "".join(re.findall(r"<w:ins\b.*?</w:ins>", body))
    deleted = "".join(re.findall(r"<w:del\b.*?</w:del>", body))
    assert "Regionshospitalet" in inserted and "Hospitalsenhed" in deleted  # Word's "Reject all" gives the old name
    (workdir / "tom").mkdir()
    with pytest.raises(UsageError, match="mappen indeholder ingen svarfiler"):
        api.plan_replacement("Midt", "Nord", [workdir / "tom"])
