"""The interview shows the collaboration's rules: warnings (and waivers) as `drafter check`
words them, and errors keep the review open with the draft saved."""

from __future__ import annotations

import pytest

from conftest import docx_text, run_cli
from interview_keys import CTRL_C, DOWN, ENTER, fields, keyed, typed
from test_interview import ADHOC, REVIEW, SLUG, run_new

from drafter import interview
from drafter.answers import load_answers
from drafter.yamlread import read_answer_file


@pytest.fixture
def said(monkeypatch):
    """Everything the interview prints, as one text with its line breaks made spaces."""
    import questionary

    from drafter import prompts

    lines: list[str] = []
    monkeypatch.setattr(questionary, "print", lambda text="", style=None, **_: lines.append(text))
    monkeypatch.setattr(prompts, "_print_lines", lambda printed, style: lines.extend(printed))

    class Said:
        @property
        def text(self) -> str:
            return " ".join(" ".join(lines).split())

    return Said()


def check_lines(path) -> list[str]:
    """`drafter check`'s findings, without the file and line: the interview names the
    answer (and the section to change), since the person answers questions, not lines."""
    result = run_cli("check", path)
    return [line.split(": ", 1)[1] for line in result.stdout.splitlines() if "] " in line]


# The report goes to the steering group, though the theme group commissioned the group.
TO_THE_STEERING_GROUP = {"tidsplan.rapportering": [
    fields("adhoc", "tidsplan.rapportering", dato="01-06-2027", modtager="Klyngestyregruppen", indhold="Status")]}


def test_warnings_are_shown_in_plain_danish_before_and_after_rendering(tmp_path, said):
    result = run_new({**ADHOC, **TO_THE_STEERING_GROUP}, tmp_path)  # a warning
    expected = check_lines(result.answers_path)
    assert any("[afrapportering-til-opdragsgiver] advarsel:" in line for line in expected), expected
    assert result.findings == expected  # as `drafter check` words them, for the command line
    text = said.text
    before, _, after = text.partition(f"Dokumentet {result.output} er lavet med bemærkninger fra samarbejdets regler:")
    assert after, text
    plain = "4. Tidsplan – Svaret på \"Hvornår og til hvem rapporterer gruppen?\": Ingen afrapportering går til"
    assert plain in after and "Bemærkninger (dokumentet kan laves alligevel" in before and plain in before
    assert "[afrapportering" not in text and ".yaml:" not in text  # no developer notation


WITH_RULE_ERROR = {**ADHOC, "opgaver.patientperspektiv": typed("Ikke relevant") + ENTER}  # patients dismissed


def test_a_rule_error_keeps_the_review_open_and_the_draft_saved(tmp_path, said):
    with pytest.raises(interview.Interrupted):
        run_new({**WITH_RULE_ERROR, REVIEW: [ENTER, CTRL_C]}, tmp_path)  # approve: refused; stopped there
    draft = tmp_path / "answers" / f"{SLUG}.yaml"
    assert read_answer_file(draft).data["complete"] is False
    assert load_answers(draft).get("opgaver.patientperspektiv") == "Ikke relevant"
    assert not (tmp_path / "out").exists()
    text = said.text
    assert "Det skal rettes, før dokumentet kan laves: • 2. Opgaver – Svaret på \"Hvordan inddrages" in text
    assert "Dokumentet kan ikke laves endnu: ret først det, der står herunder." in text


def test_after_a_rule_error_the_section_is_fixed_in_the_review_and_the_document_made(tmp_path, said):
    fix = {
        REVIEW: [ENTER, DOWN * 4 + ENTER],  # approve: refused; "Se 2. Opgaver" (then Enter: approve)
        "Hvad vil du?": DOWN + ENTER,  # "Ret 2. Opgaver"; its questions again, Enter keeping the tasks
        "opgaver.patientperspektiv": [WITH_RULE_ERROR["opgaver.patientperspektiv"],
                                      typed("To pårørende deltager i gruppen.") + ENTER],  # replacing "Ikke relevant"
    }
    result = run_new({**WITH_RULE_ERROR, **fix}, tmp_path)
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
    with keyed({}):  # section "dokument": Enter keeps every answer
        result = interview.edit(adhoc_example, section="dokument", out_dir=tmp_path / "out")
    expected = check_lines(adhoc_example)
    assert len(expected) == 1 and "undtaget: " in expected[0] and reason in expected[0]
    assert result.findings == expected
    assert f'(undtaget med begrundelsen: "{reason}")' in said.text


def test_theme_group_interview_explains_a_hospital_co_chair_change_in_a_municipal_change_year(tmp_path, said):
    from test_interview_kinds import THEME_GROUP, TODAY
    from drafter.questionnaire import load_questionnaire

    # 2026 is the year the plan hands psychiatry's municipal co-chair from Silkeborg to Viborg.
    answers = {**THEME_GROUP, "formandskab.hospital_fra": typed("1/3-2026"), REVIEW: CTRL_C}
    with pytest.raises(interview.Interrupted), keyed(answers, "temagruppe"):
        interview.new(load_questionnaire("temagruppe"), answers_dir=tmp_path / "answers", out_dir=tmp_path / "out", today=TODAY)
    draft = tmp_path / "answers" / "voksentemagruppen-for-psykiatri.yaml"
    assert load_answers(draft).get("formandskab.hospital_fra") == "2026-03-01"
    assert not (tmp_path / "out").exists()
    text = said.text
    assert "Formandskab og sekretariatsbetjening – Svaret på" in text
    assert "fra Silkeborg Kommune til Viborg Kommune" in text
