"""Kinds are data: the built-in kinds, `extends`, `choices_from`, `default_from`, and a
kind added with files only (DRAFTER_KINDS_PATH), rendered through the real CLI."""

from __future__ import annotations

import re
import shutil

import pytest
from docx import Document

from conftest import REPO, assert_clean_failure, docx_text, run_cli
from drafter import questionnaire as qn
from drafter.errors import KindError

KINDS = ["adhoc", "arbejdsgruppe", "implementeringsnetvaerk", "klyngestyregruppe", "projektgruppe", "temagruppe"]


def test_drafter_kinds_lists_every_kind():
    result = run_cli("kinds")
    assert result.returncode == 0, result.stderr
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == KINDS
    assert "Temagruppe: Kommissorium for en af klyngens temagrupper" in result.stdout


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_its_template_or_the_letterhead_and_an_example(kind):
    q = qn.load_questionnaire(kind)
    # A kind is built from its YAML in the letterhead, or names a full-layout template.
    assert q.template_path.name == ("letterhead.docx" if q.uses_body else f"{kind}.docx")
    assert q.template_path.is_file()
    examples = [p for p in (REPO / "answers").glob("*.yaml") if f"kind: {kind}\n" in p.read_text(encoding="utf-8")]
    assert examples, f"no example answer file for {kind}"


def test_no_python_code_branches_on_a_kind_name():
    for path in (REPO / "drafter").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for kind in KINDS:
            assert not re.search(rf"[\"']{kind}[\"']", source), f"{path.name} names the kind {kind}"


# -- extends ------------------------------------------------------------------------------

def test_projektgruppe_shares_adhoc_and_changes_only_its_wording():
    adhoc, project = qn.load_questionnaire("adhoc"), qn.load_questionnaire("projektgruppe")
    assert [q.path for q in project.questions] == [q.path for q in adhoc.questions]
    assert [q.type for q in project.questions] == [q.type for q in adhoc.questions]
    assert project.question("gruppe.navn").prompt == "Hvad hedder projektgruppen?"
    assert project.question("gruppe.navn").required  # kept from adhoc
    assert project.question("gruppe.type").default == "projektgruppe"
    assert project.question("formandskab.medlemmer").fields == adhoc.question("formandskab.medlemmer").fields
    assert project.document["title"] == adhoc.document["title"]
    assert project.document["subject"].startswith("Kommissorium for projektgruppen")
    assert project.section("tidsplan").title == "Tidsplan"


def test_merge_kind_overrides_by_key_and_appends_new_ones():
    parent = {
        "kind": "a", "name": "A", "document": {"title": "T", "author": "X"},
        "sections": [
            {"key": "s1", "title": "Et", "questions": [{"key": "q1", "prompt": "?", "type": "text"},
                                                        {"key": "q2", "prompt": "??", "type": "text"}]},
            {"key": "s2", "title": "To", "questions": []},
        ],
    }
    child = {
        "kind": "b", "document": {"title": "U"},
        "sections": [
            {"key": "s1", "questions": [{"key": "q2", "prompt": "nyt"}, {"key": "q3", "prompt": "!", "type": "bool"}]},
            {"key": "s3", "title": "Tre", "questions": []},
        ],
    }
    merged = qn.merge_kind(parent, child)
    assert merged["kind"] == "b" and merged["name"] == "A"
    assert merged["document"] == {"title": "U", "author": "X"}
    assert [s["key"] for s in merged["sections"]] == ["s1", "s2", "s3"]
    assert merged["sections"][0]["title"] == "Et"
    assert merged["sections"][0]["questions"] == [
        {"key": "q1", "prompt": "?", "type": "text"},
        {"key": "q2", "prompt": "nyt", "type": "text"},
        {"key": "q3", "prompt": "!", "type": "bool"},
    ]
    assert parent["sections"][0]["questions"][1]["prompt"] == "??"  # the parent is not changed


def write_kind(folder, name: str, text: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def kinds_path(tmp_path, monkeypatch):
    folder = tmp_path / "kinds"
    folder.mkdir()
    monkeypatch.setenv(qn.KINDS_PATH_ENV, str(folder))
    qn._load_file.cache_clear()
    yield folder
    qn._load_file.cache_clear()


def test_extends_in_a_circle_is_a_clear_error(kinds_path):
    write_kind(kinds_path, "x", "extends: y\nkind: x\n")
    write_kind(kinds_path, "y", "extends: x\nkind: y\n")
    with pytest.raises(KindError, match="går i ring"):
        qn.load_questionnaire("x")


def test_extends_an_unknown_kind_is_a_clear_error(kinds_path):
    write_kind(kinds_path, "x", "extends: findes_ikke\nkind: x\n")
    with pytest.raises(KindError, match='"extends: findes_ikke" henviser til en type, der ikke findes'):
        qn.load_questionnaire("x")


def test_a_user_kind_may_extend_the_builtin_kind_of_the_same_name(kinds_path):
    write_kind(kinds_path, "adhoc", "extends: adhoc\nname: Vores ad-hoc gruppe\n")
    q = qn.load_questionnaire("adhoc")
    assert q.name == "Vores ad-hoc gruppe"
    assert len(q.questions) == len(qn._load_file(qn.BUILTIN_KINDS_DIR.joinpath("adhoc.yaml").resolve()).questions)


# -- choices_from and default_from ---------------------------------------------------------

def test_choices_come_from_the_reference_data_and_free_text_stays_allowed():
    q = qn.load_questionnaire("temagruppe")
    navn = q.question("gruppe.navn")
    assert navn.choices_from == "temagrupper"
    assert navn.choices == ["Voksentemagruppen for somatik", "Voksentemagruppen for psykiatri", "Temagruppen for børn, unge og familie"]
    assert navn.check("voksentemagruppen for somatik") == "Voksentemagruppen for somatik"
    assert navn.check("Temagruppen for ældre") == "Temagruppen for ældre"
    party = q.question("medlemmer.medlemmer").field_named("part")
    assert "Hospitalsenhed Midt" in party.choices and "Kommuner" in party.choices
    assert qn.load_questionnaire("adhoc").question("gruppe.klynge").choices[2] == "Midtklyngen"
    assert "Fødeplanudvalget" in qn.load_questionnaire("implementeringsnetvaerk").question("netvaerk.udarbejdet_af").choices


@pytest.mark.parametrize(
    "group, period, suggested",
    [
        ("Voksentemagruppen for somatik", "2026-2027", "HE Midt og Viborg Kommune"),
        ("Voksentemagruppen for psykiatri", "2028-2029", "Regionspsykiatrien og Skive Kommune"),
        ("Temagruppen for børn, unge og familie", "2023-2025", "HE Midt og Skive Kommune"),
        ("Temagruppen for ældre", "2026-2027", None),  # not in the plan
        ("Voksentemagruppen for somatik", None, None),  # period not answered yet
    ],
)
def test_theme_group_co_chairs_are_suggested_from_the_rotation_plan(group, period, suggested):
    question = qn.load_questionnaire("temagruppe").question("formandskab.medformandskab")
    assert question.default_value(answers={"gruppe": {"navn": group, "periode": period}}) == suggested
    assert question.default_value() is None  # without answers: no suggestion


def test_steering_group_gets_no_suggestion_where_the_plan_is_unknown():
    question = qn.load_questionnaire("klyngestyregruppe").question("formandskab.medformandskab")
    answers = {"gruppe": {"navn": "Klyngestyregruppen", "periode": "2026-2027"}}
    assert question.default_value(answers=answers) is None
    answers["gruppe"]["periode"] = "2023-2025"
    assert question.default_value(answers=answers) == "HE Midt og Viborg Kommune"


def test_the_cluster_appendix_is_suggested_from_the_reference_data():
    question = qn.load_questionnaire("implementeringsnetvaerk").question("bilag.klynger")
    suggested = question.default_value(answers={})
    assert [c["navn"] for c in suggested] == ["Gødstrupklyngen", "Horsensklyngen", "Midtklyngen", "Randersklyngen", "Aarhusklyngen"]


# -- a kind added with files only ------------------------------------------------------------

THROWAWAY_KIND = """\
kind: netvaerksgruppe
schema_version: 1
name: Netværksgruppe
description: Kommissorium for en netværksgruppe (kun til test).
document:
  title: "Kommissorium for {{ gruppe.navn }}"
  created: gruppe.dato
sections:
  - key: gruppe
    title: Gruppen
    questions:
      - key: navn
        type: text
        prompt: Hvad hedder netværksgruppen?
        required: true
      - key: dato
        type: date
        prompt: Dato
        required: true
      - key: organisation
        type: choice
        prompt: Hvem nedsætter gruppen?
        choices_from: parter
        allow_other: true
        required: true
  - key: opgaver
    title: Opgaver
    questions:
      - key: opgaver
        type: list
        prompt: Hvilken opgave?
        required: true
"""

THROWAWAY_ANSWERS = """\
kind: netvaerksgruppe
schema_version: 1
gruppe:
  navn: Netværksgruppe for demenskoordinatorer
  dato: 2027-03-01
  organisation: skive kommune
opgaver:
  opgaver:
    - Sparring og erfaringsudveksling mellem fagpersoner
    - Rejse faglige emner i temagrupperne
"""


def build_throwaway_template(path):
    doc = Document()
    doc.add_paragraph("Kommissorium for {{ gruppe.navn }}", style="Title")
    doc.add_paragraph("Nedsat af {{ gruppe.organisation }}, {{ gruppe.dato }}")
    doc.add_paragraph("{%p for o in opgaver.opgaver %}")
    doc.add_paragraph("{{ o }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.save(path)


def test_a_kind_added_with_files_only_renders_through_the_cli(tmp_path):
    folder = tmp_path / "vores-typer"
    write_kind(folder, "netvaerksgruppe", THROWAWAY_KIND)
    build_throwaway_template(folder / "netvaerksgruppe.docx")
    answers = tmp_path / "demens.yaml"
    answers.write_text(THROWAWAY_ANSWERS, encoding="utf-8")
    shutil.copy(REPO / "drafter.yaml", tmp_path / "drafter.yaml")  # the examples' profile: its parties
    env = {qn.KINDS_PATH_ENV: str(folder)}

    kinds = run_cli("kinds", env=env)
    assert kinds.returncode == 0, kinds.stderr
    assert "netvaerksgruppe" in kinds.stdout and "adhoc" in kinds.stdout

    result = run_cli("render", str(answers), "-o", str(tmp_path / "demens.docx"), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = Document(str(tmp_path / "demens.docx"))
    assert doc.paragraphs[0].text == "Kommissorium for Netværksgruppe for demenskoordinatorer"
    text = docx_text(tmp_path / "demens.docx")
    assert "Nedsat af Skive Kommune, 1. marts 2027" in text  # the choice from the reference list, normalised
    assert [p.text for p in doc.paragraphs if p.style.name == "List Bullet"] == [
        "Sparring og erfaringsudveksling mellem fagpersoner",
        "Rejse faglige emner i temagrupperne",
    ]
    assert "{%" not in text and "{{" not in text
    assert doc.core_properties.title == "Kommissorium for Netværksgruppe for demenskoordinatorer"

    # Without the folder, drafter does not know the kind.
    assert_clean_failure(run_cli("render", str(answers), cwd=tmp_path), "ukendt kommissorietype 'netvaerksgruppe'")


def test_a_user_kind_with_an_unknown_reference_list_fails_cleanly(tmp_path):
    folder = tmp_path / "typer"
    write_kind(folder, "netvaerksgruppe", THROWAWAY_KIND.replace("choices_from: parter", "choices_from: partnere"))
    answers = tmp_path / "demens.yaml"
    answers.write_text(THROWAWAY_ANSWERS, encoding="utf-8")
    result = run_cli("check", str(answers), env={qn.KINDS_PATH_ENV: str(folder)})
    assert_clean_failure(result, "spørgeskemaet er ugyldigt", "ukendt referenceliste 'partnere'")


def test_a_user_kind_can_extend_a_builtin_kind_with_files_only(tmp_path, workdir):
    folder = tmp_path / "typer"
    write_kind(
        folder,
        "arbejdsgruppe",
        "extends: adhoc\nkind: arbejdsgruppe\nname: Arbejdsgruppe\n",
    )
    example = (workdir / "answers" / "udskrivelse-af-skroebelige-aeldre.yaml")
    answers = workdir / "answers" / "arbejdsgruppe.yaml"
    answers.write_text(example.read_text(encoding="utf-8").replace("kind: adhoc", "kind: arbejdsgruppe"), encoding="utf-8")
    result = run_cli("render", "answers/arbejdsgruppe.yaml", cwd=workdir, env={qn.KINDS_PATH_ENV: str(folder)})
    assert result.returncode == 0, result.stderr
    assert "Kommissorium for Ad-hoc gruppe om udskrivelse af skrøbelige ældre" in docx_text(workdir / "out" / "arbejdsgruppe.docx")


@pytest.mark.parametrize(
    "spec, message",
    [
        ("{lookup: vejret}", "'default_from' skal have 'lookup'"),
        ("{lookup: rotation, group: gruppe.navn}", "mangler period"),
    ],
)
def test_a_bad_default_from_is_refused_when_the_kind_is_loaded(kinds_path, spec, message):
    text = THROWAWAY_KIND.replace("        choices_from: parter\n", f"        choices_from: parter\n        default_from: {spec}\n")
    write_kind(kinds_path, "netvaerksgruppe", text)
    with pytest.raises(KindError, match=message):
        qn.load_questionnaire("netvaerksgruppe")


def test_where_the_plan_is_unknown_the_interview_is_told_why():
    question = qn.load_questionnaire("klyngestyregruppe").question("formandskab.medformandskab")
    unknown = question.default_note({"gruppe": {"navn": "Klyngestyregruppen", "periode": "2026-2027"}})
    assert unknown.startswith("Planen for rotation i formandskaberne, 2026-2027: Ukendt: cellen kan ikke læses i kilden")
    partly = question.default_note({"gruppe": {"navn": "Klyngestyregruppen", "periode": "2028-2029"}})
    assert "afhænger af udpegning af politisk formandskommune" in partly
    assert question.default_note({"gruppe": {"navn": "Klyngestyregruppen", "periode": "2023-2025"}}) is None
    assert qn.load_questionnaire("temagruppe").question("gruppe.navn").default_note({}) is None
