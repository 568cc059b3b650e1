"""The interview shows the collaboration's rules: warnings (and waivers) as `drafter check`
words them, and errors keep the review open with the draft saved."""

from __future__ import annotations

import pytest

from conftest import docx_text, run_cli
from interview_keys import CTRL_C, DOWN, ENTER, FINISH, piped, typed
from test_interview import (
    APPROVE, CHAIRS, COMMUNICATION, DOCUMENT, ENDING, FULL, GROUP, MEMBERS, PURPOSE, SLUG, TASKS, TIMELINE, run_new,
)

from drafter import interview
from drafter.answers import load_answers, read_answer_file


@pytest.fixture
def said(monkeypatch):
    lines: list[str] = []
    monkeypatch.setattr(interview.Interview, "say", staticmethod(lambda text="", style=None: lines.append(text)))
    return lines


def check_lines(path) -> list[str]:
    """`drafter check`'s findings, without the file and line: the interview names the
    answer (and the section to change), since the person answers questions, not lines."""
    result = run_cli("check", path)
    return [line.split(": ", 1)[1] for line in result.stdout.splitlines() if "] " in line]


def test_warnings_are_shown_before_and_after_rendering_as_drafter_check_words_them(tmp_path, said):
    # FULL reports to the steering group, though the theme group commissioned the group: a warning.
    result = run_new(FULL, tmp_path)
    expected = check_lines(result.answers_path)
    assert any("[afrapportering-til-opdragsgiver] advarsel:" in line for line in expected), expected
    assert result.findings == expected
    after = said.index(f"Dokumentet {result.output} er lavet med bemærkninger fra samarbejdets regler:")
    assert said[after + 1: after + 1 + len(expected)] == [f"  {line}" for line in expected]
    # Before approving, the review showed them too.
    before = [s for s in said[:after] if "[afrapportering-til-opdragsgiver] advarsel:" in s]
    assert before and any(s.startswith("Bemærkninger fra samarbejdets regler") for s in said[:after])


PATIENTS_DISMISSED = TASKS[:-1] + [typed("Ikke relevant") + FINISH]
WITH_RULE_ERROR = GROUP + DOCUMENT + PURPOSE + PATIENTS_DISMISSED + CHAIRS + MEMBERS + TIMELINE + COMMUNICATION + ENDING


def test_a_rule_error_keeps_the_review_open_and_the_draft_saved(tmp_path, said):
    with pytest.raises(interview.Interrupted):
        run_new(WITH_RULE_ERROR + APPROVE + [CTRL_C], tmp_path)
    draft = tmp_path / "answers" / f"{SLUG}.yaml"
    assert read_answer_file(draft).data["complete"] is False
    assert load_answers(draft).get("opgaver.patientperspektiv") == "Ikke relevant"
    assert not (tmp_path / "out").exists()
    errors = [s for s in said if "[patientperspektiv] fejl:" in s]
    assert errors and errors[0].startswith("  [patientperspektiv] fejl: opgaver.patientperspektiv: ")
    assert any(s.startswith("Dokumentet laves ikke endnu: samarbejdets regler finder fejl") for s in said)
    assert "    Ret det i afsnittet 2. Opgaver (vælg: Ret 2. Opgaver)" in said


def test_after_a_rule_error_the_section_is_fixed_in_the_review_and_the_document_made(tmp_path, said):
    fix = [
        DOWN * 4 + ENTER,  # Ret 2. Opgaver
        ENTER,  # opgaver: keep
        DOWN + ENTER,  # snitflader: skip
        typed("To pårørende deltager i gruppen.") + FINISH,  # patientperspektiv, replacing "Ikke relevant"
    ]
    result = run_new(WITH_RULE_ERROR + APPROVE + fix + APPROVE, tmp_path)
    answers = load_answers(result.answers_path)
    assert answers.complete
    assert answers.get("opgaver.patientperspektiv") == "To pårørende deltager i gruppen."
    assert "To pårørende deltager i gruppen." in docx_text(result.output)
    assert not any("[patientperspektiv]" in line for line in result.findings)


def test_edit_shows_a_waived_finding_with_its_reason(adhoc_example, tmp_path, said):
    text = adhoc_example.read_text(encoding="utf-8")
    text = text.replace("      modtager: Voksentemagruppen for somatik", "      modtager: Klyngestyregruppen")
    reason = "Temagruppen har bedt om, at der rapporteres direkte til klyngestyregruppen."
    text = text.replace(
        "schema_version: 1\n",
        f"schema_version: 1\nundtagelser:\n  - regel: afrapportering-til-opdragsgiver\n    begrundelse: {reason}\n",
    )
    adhoc_example.write_text(text, encoding="utf-8")
    keys = [ENTER, ENTER, ENTER, ENTER]  # section "dokument": keep date, version, status, author
    with piped("".join(keys)):
        result = interview.edit(adhoc_example, section="dokument", out_dir=tmp_path / "out")
    expected = check_lines(adhoc_example)
    assert len(expected) == 1 and "undtaget: " in expected[0] and reason in expected[0]
    assert result.findings == expected and f"  {expected[0]}" in said



def test_theme_group_interview_explains_a_hospital_co_chair_change_in_a_municipal_change_year(tmp_path, said):
    from test_interview_kinds import THEME_GROUP, TODAY
    from drafter.questionnaire import load_questionnaire

    # hospital_fra is the fourth answer from the end; 2026 is the year the plan hands
    # psychiatry's municipal co-chair from Silkeborg to Viborg.
    assert THEME_GROUP[-4] == ENTER
    keys = THEME_GROUP[:-4] + [typed("2026-03-01")] + THEME_GROUP[-3:] + [CTRL_C]
    with pytest.raises(interview.Interrupted), piped("".join(keys)):
        interview.new(load_questionnaire("temagruppe"), answers_dir=tmp_path / "answers", out_dir=tmp_path / "out", today=TODAY)
    draft = tmp_path / "answers" / "voksentemagruppen-for-psykiatri.yaml"
    assert load_answers(draft).get("formandskab.hospital_fra") == "2026-03-01"
    assert not (tmp_path / "out").exists()
    errors = [s for s in said if "[formandskab-skifte-samme-aar] fejl: formandskab.hospital_fra:" in s]
    assert errors and "fra Silkeborg Kommune til Viborg Kommune" in errors[-1]
    assert "    Ret det i afsnittet Formandskab og sekretariatsbetjening (vælg: Ret Formandskab og sekretariatsbetjening)" in said
