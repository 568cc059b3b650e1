"""An optional answer left empty on purpose (its suggestion declined) is recorded in the answer
file as its key with an empty value ("tekst: ''", "opgaver: []") and respected everywhere: it
round-trips with the file's comments, is valid, renders as absent, and is never offered its
suggestion again (edit --section, --resume); files without the key behave as before."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from interview_keys import DOWN, ENTER, keyed

from drafter import api, interview, workspace
from drafter.answers import load_answers
from drafter.batch import render_file
from drafter.questionnaire import load_questionnaire
from drafter.session import ChangedElsewhere, DraftSession, is_left_empty
from drafter.yamlio import file_data, keeps_empty, kept_meta, save_answers, to_yaml

EXAMPLE = "arbejdsgruppe-faelles-sprog-om-rehabilitering.yaml"
COMMENTED = """\
# Vores arbejdsgruppe (skrevet i hånden)
kind: arbejdsgruppe
schema_version: 1
complete: false

gruppe:
  navn: Arbejdsgruppe om fælles sprog   # det korte navn
  nedsat_af: Styregruppen for sundhedssamarbejdet

# Sekretariatet: vi lader feltet stå tomt med vilje
sekretariat:
  tekst: ''
"""


@pytest.fixture
def example(workdir: Path, monkeypatch) -> Path:
    monkeypatch.chdir(workdir)  # the examples' workspace (its profile suggests the secretariat)
    monkeypatch.delenv(workspace.WORKSPACE_ENV, raising=False)
    workspace.read_afresh()
    yield workdir / "answers" / EXAMPLE
    workspace.read_afresh()


def test_only_optional_questions_with_a_suggestion_keep_an_empty_answer():
    kind = load_questionnaire("arbejdsgruppe")
    kept = {q.path for q in kind.questions if keeps_empty(q)}
    assert {"sekretariat.tekst", "gruppe.organisation", "dokument.forfatter", "formandskab.model"} <= kept
    assert "gruppe.navn" not in kept  # required
    assert "dokument.dato" not in kept  # an optional date is never suggested ("i dag" is typed)
    assert "baggrund.tekst" not in kept  # no suggestion: empty is simply left out, as always
    values = {"gruppe": {"navn": "G"}, "sekretariat": {"tekst": None}, "baggrund": {"tekst": ""}}
    assert file_data(kind, values, left_empty={"sekretariat.tekst", "baggrund.tekst"})["sekretariat"] == {"tekst": ""}
    assert "sekretariat" not in file_data(kind, values)  # nobody left it empty: not written
    assert "baggrund" not in file_data(kind, values, left_empty={"baggrund.tekst"})


def test_the_record_round_trips_with_the_files_comments(example):
    path = example.parent / "haand.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    session = DraftSession.resume(path)
    question = session.questionnaire.question("sekretariat.tekst")
    assert session.left_empty == {"sekretariat.tekst"} and is_left_empty(session, question)
    session.put("gruppe.organisation", None)  # declined now, at a prompt or in the web form
    session.put("formaal.tekst", "Et formål.")
    session.save()
    text = path.read_text(encoding="utf-8")
    assert text.startswith(COMMENTED.split("\n# Sekretariatet")[0].replace(
        "  nedsat_af: Styregruppen for sundhedssamarbejdet\n",
        "  nedsat_af: Styregruppen for sundhedssamarbejdet\n  organisation: ''\n"))
    assert "# Sekretariatet: vi lader feltet stå tomt med vilje\nsekretariat:\n  tekst: ''\n" in text
    again = DraftSession.resume(path)
    assert again.left_empty == {"sekretariat.tekst", "gruppe.organisation"}
    again.put("sekretariat.tekst", "Sekretariatet for samarbejdet.")  # an answer after all: the record goes
    again.save()
    text = path.read_text(encoding="utf-8")
    assert "  tekst: Sekretariatet for samarbejdet.\n" in text and "organisation: ''" in text
    assert "# Vores arbejdsgruppe (skrevet i hånden)" in text and "# det korte navn" in text


def test_an_explicit_empty_is_valid_checks_clean_and_renders_as_if_absent(example, tmp_path):
    text = example.read_text(encoding="utf-8")
    explicit = text.replace("  tekst: Gruppen sekretariatsbetjenes af en konsulent fra sekretariatet for sundhedssamarbejdet.\n",
                            "  tekst: ''\n")
    assert explicit != text
    explicit = explicit.replace("  organisation: Sundhedssamarbejdet i Vestbyerne\n", "  organisation: ''\n")
    absent = explicit.replace("  organisation: ''\n", "").replace("sekretariat:\n  tekst: ''\n", "")
    with_keys, without = example.parent / "med.yaml", example.parent / "uden.yaml"
    with_keys.write_text(explicit, encoding="utf-8")
    without.write_text(absent, encoding="utf-8")
    assert [p for p in api.check(with_keys) if p.severity == "error"] == []
    assert [p.message for p in api.check(with_keys)] == [p.message for p in api.check(without)]
    assert load_answers(with_keys).values == load_answers(without).values
    render_file(with_keys, tmp_path / "med.docx")
    render_file(without, tmp_path / "uden.docx")
    assert (tmp_path / "med.docx").read_bytes() == (tmp_path / "uden.docx").read_bytes()
    # A save of another answer (check --fix, replace, import: writers that do not know about
    # it) keeps the record; the old file without the key stays without it.
    answers = load_answers(with_keys)
    values = copy.deepcopy(answers.values)
    values["gruppe"]["navn"] = "Et nyt navn"
    save_answers(with_keys, answers.questionnaire, values, answers.complete, base=answers.source.raw)
    assert "  organisation: ''\n" in with_keys.read_text(encoding="utf-8")
    old = load_answers(without)
    save_answers(without, old.questionnaire, old.values, old.complete, kept_meta(old.data), base=old.source.raw)
    assert without.read_text(encoding="utf-8") == absent


def test_edit_section_does_not_offer_the_suggestion_again(example, tmp_path):
    example.write_text(example.read_text(encoding="utf-8").replace(
        "  tekst: Gruppen sekretariatsbetjenes af en konsulent fra sekretariatet for sundhedssamarbejdet.\n",
        "  tekst: ''\n"), encoding="utf-8")
    with keyed({}, "arbejdsgruppe") as script:  # Enter at every prompt
        interview.edit(example, section="sekretariat", out_dir=tmp_path / "out")
    assert "sekretariat.tekst" in script.asked
    assert "sekretariat:\n  tekst: ''\n" in example.read_text(encoding="utf-8")
    assert load_answers(example).get("sekretariat.tekst") is None
    # Without the record (a file from before, or never asked) Enter takes the suggestion, as before.
    example.write_text(example.read_text(encoding="utf-8").replace("sekretariat:\n  tekst: ''\n", ""), encoding="utf-8")
    with keyed({}, "arbejdsgruppe"):
        interview.edit(example, section="sekretariat", out_dir=tmp_path / "out")
    assert load_answers(example).get("sekretariat.tekst") == "Gruppen sekretariatsbetjenes af Fællessekretariatet i Midtklyngen."


def test_a_choice_left_empty_and_resume_do_not_offer_it_again(example, tmp_path):
    """The group's organisation (a choice suggested from the profile) left empty at "(ingen)";
    --resume goes on after it, and asking it again starts at "(ingen)"."""
    kind = load_questionnaire("arbejdsgruppe")
    draft = example.parent / "kladde.yaml"
    draft.write_text(to_yaml(kind, {"gruppe": {"navn": "Gruppe X", "nedsat_af": "Styregruppen", "organisation": None}},
                             complete=False, left_empty={"gruppe.organisation"}), encoding="utf-8")
    assert "  organisation: ''\n" in draft.read_text(encoding="utf-8")
    session = DraftSession.resume(draft)
    plan = [q.path for q in interview.Interview(session).resume_plan()]
    assert plan[0] == "dokument.dato" and "gruppe.organisation" not in plan
    with keyed({}, "arbejdsgruppe") as script:
        interview.edit(draft, section="gruppe", out_dir=tmp_path / "out")
    assert "gruppe.organisation" in script.asked
    assert "  organisation: ''\n" in draft.read_text(encoding="utf-8")


def test_set_empty_records_it_and_set_text_replaces_it(example):
    api.set_answers(example, ["sekretariat.tekst="])  # drafter edit FILE --set sekretariat.tekst=
    assert "sekretariat:\n  tekst: ''\n" in example.read_text(encoding="utf-8")
    assert api.set(load_answers(example), "sekretariat.tekst", "")["sekretariat"] == {"tekst": ""}
    api.set_answers(example, ["sekretariat.tekst=Ny tekst."])
    assert "sekretariat:\n  tekst: Ny tekst.\n" in example.read_text(encoding="utf-8")


def test_an_optional_list_with_a_suggestion_is_emptied_in_one_step(example, tmp_path, monkeypatch):
    """A workspace suggests the documents; "Tøm listen" empties the list at once, and the file
    keeps "relaterede: []", so the suggestion is not offered again."""
    profile = (Path(interview.__file__).parent / "profiles" / "midtklyngen.yaml").read_text(encoding="utf-8")
    asked = "spoergsmaal:\n"
    assert asked in profile
    (example.parent.parent / "drafter.yaml").write_text(profile.replace(asked, asked + (
        "  arbejdsgruppe:\n    dokumenter.relaterede:\n      forslag: [Sundhedsaftalen, Strategien]\n"), 1), encoding="utf-8")
    workspace.read_afresh()
    kind = load_questionnaire("arbejdsgruppe")
    assert keeps_empty(kind.question("dokumenter.relaterede"))
    with keyed({"dokumenter.relaterede": [DOWN * 4 + ENTER]}, "arbejdsgruppe") as script:  # the menu's last: Tøm listen
        interview.edit(example, section="dokumenter", out_dir=tmp_path / "out")
    assert "relaterede: []" in example.read_text(encoding="utf-8"), script.asked
    with keyed({}, "arbejdsgruppe"):
        interview.edit(example, section="dokumenter", out_dir=tmp_path / "out")
    assert "relaterede: []" in example.read_text(encoding="utf-8")


def test_import_of_a_chairs_edits_keeps_an_answer_left_empty(example, tmp_path):
    from docx import Document

    text = example.read_text(encoding="utf-8").replace(
        "  tekst: Gruppen sekretariatsbetjenes af en konsulent fra sekretariatet for sundhedssamarbejdet.\n", "  tekst: ''\n")
    example.write_text(text, encoding="utf-8")
    out = example.parent.parent / "out"
    document = out / f"{example.stem}.docx"
    render_file(example, document)
    word = Document(str(document))
    paragraph = next(p for p in word.paragraphs if p.text.startswith("Gruppen mødes 5 gange"))
    paragraph.runs[0].text = "Gruppen mødes 6 gange i perioden."
    for run in paragraph.runs[1:]:
        run._r.getparent().remove(run._r)
    word.save(str(document))
    edits = api.read_chair_edits(document, example)
    assert [change.path for change in edits.result.changes] == [("moeder", "frekvens")]
    api.save_chair_edits(edits, [(change.path, change.new) for change in edits.result.changes], out)
    after = example.read_text(encoding="utf-8")
    assert "  frekvens: Gruppen mødes 6 gange i perioden.\n" in after
    assert "sekretariat:\n  tekst: ''\n" in after


def test_a_reload_after_a_change_elsewhere_keeps_both_sides_decisions(example):
    """The file changed in an editor while the interview ran: the merge keeps the answer this
    session left empty, and the one the editor left empty (its key written with nothing)."""
    session = DraftSession.open(example)
    session.put("sekretariat.tekst", None)  # left empty here
    text = example.read_text(encoding="utf-8")
    example.write_text(text.replace("  organisation: Sundhedssamarbejdet i Vestbyerne\n", "  organisation:\n"), encoding="utf-8")
    with pytest.raises(ChangedElsewhere):  # the file changed since it was read
        session.save()
    conflicts, beside = session.reload()
    assert (conflicts, beside) == ([], None)
    assert session.left_empty >= {"sekretariat.tekst", "gruppe.organisation"}
    after = example.read_text(encoding="utf-8")
    assert "sekretariat:\n  tekst: ''\n" in after and "  organisation:\n" in after
    assert DraftSession.open(example).left_empty == {"sekretariat.tekst", "gruppe.organisation"}
