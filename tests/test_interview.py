"""The real interview (questionary on prompt_toolkit), driven through a pipe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import docx_text
from interview_keys import CTRL_C, DOWN, ENTER, FINISH, UP, paragraphs, piped, typed

from drafter import interview
from drafter.answers import load_answers, read_answer_file
from drafter.questionnaire import load_questionnaire

TODAY = dt.date(2026, 11, 25)
NAME = "Ad-hoc gruppe om søvn på plejecentre"
SLUG = "ad-hoc-gruppe-om-soevn-paa-plejecentre"

# One answer per entry, in the order the interview asks. Menu choices in repeating groups
# ("Tilføj flere?") are steps of their own; they are not answers and are never saved.
GROUP = [
    typed(NAME),  # gruppe.navn
    ENTER,  # gruppe.type: the default, ad-hoc gruppe
    DOWN + ENTER,  # gruppe.nedsat_af: Voksentemagruppen for somatik
    ENTER,  # gruppe.klynge: Midtklyngen (default)
]
DOCUMENT = [
    typed("2026-02-30") + typed("2026-12-01"),  # dokument.dato: not a day; asked again
    ENTER,  # version 1.0
    ENTER,  # status udkast
    typed("Fællessekretariatet i Midtklyngen"),
]
PURPOSE = [paragraphs("Beboere sover dårligt.", "Gruppen skal finde ud af hvorfor.")]
TASKS = [
    typed("Kortlægge søvnvaner"), ENTER,  # first task, then "Tilføj flere?" -> yes (default)
    typed("Afprøve en aftenrutine"), DOWN + ENTER,  # second task, then -> no, go on
    DOWN + ENTER,  # snitflader (optional): skip
    paragraphs("To pårørende deltager."),
]
CHAIRS = [
    typed("Mette Kjærgaard"), typed("Overlæge"), ENTER,  # Hospitalsenhed Midt
    ENTER,  # add another chair
    typed("Søren Østergaard"), typed("Sundhedschef"), DOWN * 4 + ENTER,  # Viborg Kommune
    DOWN + ENTER,  # no more chairs
]
MEMBERS = [
    typed("Lone Bæk"), typed("Sygeplejerske"), UP + ENTER + typed("Plejecenter Åbo"),  # Andet (skriv selv)
    typed("Tovholder"),
    DOWN + ENTER,  # no more members
    paragraphs("Fællessekretariatet."),
]
TIMELINE = [
    typed("2027-01-04"),
    typed("2026-12-01") + typed("2027-12-31"),  # before the start: refused, asked again
    typed("2027-03-01"), typed("Kortlægning færdig"), DOWN + ENTER,
    typed("2027-06-01"), ENTER, typed("Status"), DOWN + ENTER,
]
COMMUNICATION = [
    typed("Hjemmeplejen"), DOWN + ENTER,
    typed("Formandskabet"), typed("Plejecentrene"), typed("Ny aftenrutine"), typed("Marts 2027"), DOWN + ENTER,
]
ENDING = [paragraphs("Slutrapport til temagruppen."), paragraphs("Anbefalinger til temagruppen.")]
APPROVE = [ENTER]

FULL = GROUP + DOCUMENT + PURPOSE + TASKS + CHAIRS + MEMBERS + TIMELINE + COMMUNICATION + ENDING + APPROVE


@pytest.fixture
def adhoc():
    return load_questionnaire("adhoc")


def run_new(keys: list[str], folder: Path, **kwargs) -> interview.Result:
    with piped("".join(keys)):
        return interview.new(
            load_questionnaire("adhoc"), answers_dir=folder / "answers", out_dir=folder / "out", today=TODAY, **kwargs
        )


def test_full_interview_writes_answer_file_and_docx(tmp_path):
    result = run_new(FULL, tmp_path)

    assert result.answers_path == tmp_path / "answers" / f"{SLUG}.yaml"
    assert result.output == tmp_path / "out" / f"{SLUG}.docx"
    answers = load_answers(result.answers_path)
    assert answers.complete
    assert "complete" not in read_answer_file(result.answers_path).data
    assert answers.values["gruppe"] == {
        "navn": NAME, "type": "ad-hoc gruppe", "nedsat_af": "Voksentemagruppen for somatik", "klynge": "Midtklyngen",
    }
    assert answers.get("dokument.dato") == "2026-12-01"
    assert answers.get("formaal.tekst") == "Beboere sover dårligt.\n\nGruppen skal finde ud af hvorfor."
    assert answers.get("opgaver.opgaver") == ["Kortlægge søvnvaner", "Afprøve en aftenrutine"]
    assert answers.get("opgaver.snitflader") == []
    assert [c["organisation"] for c in answers.get("formandskab.formaend")] == ["Hospitalsenhed Midt", "Viborg Kommune"]
    assert answers.get("formandskab.medlemmer") == [
        {"navn": "Lone Bæk", "titel": "Sygeplejerske", "organisation": "Plejecenter Åbo", "rolle": "Tovholder"}
    ]
    assert answers.get("tidsplan.slut") == "2027-12-31"
    assert answers.get("tidsplan.rapportering") == [
        {"dato": "2027-06-01", "modtager": "Klyngestyregruppen", "indhold": "Status"}
    ]

    text = docx_text(result.output)
    assert f"Kommissorium for {NAME}" in text
    for expected in ("Gruppen skal finde ud af hvorfor.", "Afprøve en aftenrutine", "Plejecenter Åbo", "Søren Østergaard"):
        assert expected in text


def test_invalid_date_is_asked_again_not_accepted(tmp_path):
    keys = GROUP + [typed("25-11-2026") + typed("2026-13-01") + typed("2026-11-20"), CTRL_C]
    with pytest.raises(interview.Interrupted):
        run_new(keys, tmp_path)
    draft = load_answers(tmp_path / "answers" / f"{SLUG}.yaml")
    assert draft.get("dokument.dato") == "2026-11-20"


def test_ctrl_c_keeps_exactly_the_answers_given_and_resume_finishes(tmp_path):
    done = GROUP + DOCUMENT + PURPOSE + TASKS[:3]  # nine answers, then half a task list
    with pytest.raises(interview.Interrupted) as stopped:
        run_new(done + [CTRL_C], tmp_path)
    draft_path = tmp_path / "answers" / f"{SLUG}.yaml"
    message = str(stopped.value)
    assert str(draft_path) in message
    assert f"drafter new adhoc --resume {draft_path}" in message

    raw = read_answer_file(draft_path).data
    assert raw["complete"] is False
    given = {f"{s}.{k}": v for s, fields in raw.items() if isinstance(fields, dict) for k, v in fields.items()}
    assert sorted(given) == sorted([
        "gruppe.navn", "gruppe.type", "gruppe.nedsat_af", "gruppe.klynge", "dokument.dato", "dokument.version",
        "dokument.status", "dokument.forfatter", "formaal.tekst", "opgaver.opgaver",
    ])
    assert given["opgaver.opgaver"] == ["Kortlægge søvnvaner", "Afprøve en aftenrutine"]
    assert not (tmp_path / "out").exists()

    # --resume reopens the task list (the last answer) and goes on from there.
    resumed = run_new(TASKS[3:] + CHAIRS + MEMBERS + TIMELINE + COMMUNICATION + ENDING + APPROVE,
                      tmp_path, resume=draft_path)
    assert resumed.answers_path == draft_path
    full = run_new(FULL, tmp_path / "straight")
    assert draft_path.read_text(encoding="utf-8") == full.answers_path.read_text(encoding="utf-8")
    assert docx_text(resumed.output) == docx_text(full.output)


def test_ctrl_c_inside_a_member_resumes_with_the_missing_fields(tmp_path):
    upto = GROUP + DOCUMENT + PURPOSE + TASKS + CHAIRS + [typed("Lone Bæk")]
    with pytest.raises(interview.Interrupted):
        run_new(upto + [CTRL_C], tmp_path)
    draft_path = tmp_path / "answers" / f"{SLUG}.yaml"
    assert load_answers(draft_path).get("formandskab.medlemmer") == [
        {"navn": "Lone Bæk", "titel": None, "organisation": None, "rolle": None}
    ]
    # The member's missing required fields are asked; the optional role is left empty.
    rest = [typed("Sygeplejerske"), UP + ENTER + typed("Plejecenter Åbo"), DOWN + ENTER, paragraphs("Sekretariat.")]
    resumed = run_new(rest + TIMELINE + COMMUNICATION + ENDING + APPROVE, tmp_path, resume=draft_path)
    assert load_answers(resumed.answers_path).get("formandskab.medlemmer") == [
        {"navn": "Lone Bæk", "titel": "Sygeplejerske", "organisation": "Plejecenter Åbo", "rolle": None}
    ]
    assert "Plejecenter Åbo" in docx_text(resumed.output)


def test_nothing_is_written_before_the_group_has_a_name(tmp_path):
    with pytest.raises(interview.Interrupted) as stopped:
        run_new([CTRL_C], tmp_path)
    assert "Intet er gemt" in str(stopped.value)
    assert not (tmp_path / "answers").exists()


def test_an_existing_file_is_never_overwritten(tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / f"{SLUG}.yaml").write_text("# someone else's\n", encoding="utf-8")
    with pytest.raises(interview.Interrupted):
        run_new(GROUP[:1] + [CTRL_C], tmp_path)
    assert (folder / f"{SLUG}.yaml").read_text(encoding="utf-8") == "# someone else's\n"
    assert load_answers(folder / f"{SLUG}-2.yaml").get("gruppe.navn") == NAME


def test_set_pre_answers_and_skips_questions(tmp_path, adhoc):
    presets = interview.parse_presets(adhoc, [f"gruppe.navn={NAME}", "gruppe.klynge=Nordklyngen",
                                              "opgaver.opgaver=Første", "opgaver.opgaver=Anden"])
    keys = GROUP[1:3] + [CTRL_C]  # type and nedsat_af; the name and cluster are not asked
    with pytest.raises(interview.Interrupted):
        run_new(keys, tmp_path, presets=presets)
    draft = load_answers(tmp_path / "answers" / f"{SLUG}.yaml")
    assert draft.values["gruppe"] == {
        "navn": NAME, "type": "ad-hoc gruppe", "nedsat_af": "Voksentemagruppen for somatik", "klynge": "Nordklyngen",
    }
    assert draft.get("opgaver.opgaver") == ["Første", "Anden"]


def test_set_is_checked_by_the_questions_rules(adhoc):
    from drafter.errors import UsageError

    with pytest.raises(UsageError, match="tidsplan.start"):
        interview.parse_presets(adhoc, ["tidsplan.start=i morgen"])
    with pytest.raises(UsageError, match="mente du"):
        interview.parse_presets(adhoc, ["gruppe.nav=X"])


def test_edit_section_3_changes_section_3_only(adhoc_example, tmp_path):
    before = load_answers(adhoc_example)
    original_text = adhoc_example.read_text(encoding="utf-8")
    keys = [
        ENTER,  # formænd: keep as they are ("Nej, videre" is the default when editing)
        DOWN + DOWN + ENTER, ENTER,  # medlemmer: "Fjern et punkt", the first one (Lone Bæk)
        DOWN + ENTER, ENTER,  # "Ret et punkt", the (new) first one: Anders Holm
        ENTER, typed("Overfarmaceut"), ENTER, ENTER,  # keep name, new title, keep organisation and role
        ENTER,  # done with the members
        FINISH,  # sekretariat: keep the text
    ]
    with piped("".join(keys)):
        result = interview.edit(adhoc_example, section="3", out_dir=tmp_path / "out")

    after = load_answers(adhoc_example)
    for section in before.values:
        if section != "formandskab":
            assert after.values[section] == before.values[section], section
    assert after.get("formandskab.formaend") == before.get("formandskab.formaend")
    assert after.get("formandskab.sekretariat") == before.get("formandskab.sekretariat")
    members = before.get("formandskab.medlemmer")[1:]
    members[0] = {**members[0], "titel": "Overfarmaceut"}
    assert after.get("formandskab.medlemmer") == members
    assert adhoc_example.read_text(encoding="utf-8") != original_text
    text = docx_text(result.output)
    assert "Lone Bæk" not in text and "Overfarmaceut" in text


def test_section_is_chosen_by_number_or_key(adhoc):
    assert interview.pick_section(adhoc, "3").key == "formandskab"
    assert interview.pick_section(adhoc, "tidsplan").number == 4
    from drafter.errors import UsageError

    with pytest.raises(UsageError, match="--section 9"):
        interview.pick_section(adhoc, "9")


@pytest.mark.parametrize(
    "name, slug",
    [
        ("Ad-hoc gruppe om skrøbelige ældre", "ad-hoc-gruppe-om-skroebelige-aeldre"),
        ("Å-gruppen: Æbler & Øl!", "aa-gruppen-aebler-oel"),
        ("Café für Ärzte", "cafe-fur-arzte"),
        ("!!!", "kommissorium"),
    ],
)
def test_slug(name, slug):
    assert interview.slugify(name) == slug


SMALL_KIND = """
kind: proeve
schema_version: 1
name: Prøvekommissorium
description: En lille type, kun til test af spørgsmålstyperne.
sections:
  - key: gruppe
    title: Gruppen
    questions:
      - key: navn
        type: text
        prompt: Hvad hedder gruppen?
        required: true
      - key: budget
        type: bool
        prompt: Har gruppen et budget?
        default: false
        required: true
      - key: beloeb
        type: text
        prompt: Hvor stort er budgettet?
        when: gruppe.budget
        required: true
      - key: farve
        type: choice
        prompt: Hvilken farve har forsiden?
        choices: [rød, grøn]
      - key: frist
        type: date
        prompt: Er der en frist?
"""


@pytest.mark.parametrize(
    "keys, expected",
    [
        # "Nej" (the default): the amount is not asked; no colour ("(ingen)" is the default); no deadline.
        ([typed("Gruppe A"), ENTER, ENTER, ENTER], {"navn": "Gruppe A", "budget": False}),
        # "Ja": the amount is asked; a colour (up from "(ingen)"); an empty optional date stays empty; a bad one is refused.
        ([typed("Gruppe A"), UP + ENTER, typed("10.000 kr."), UP + ENTER, typed("snart") + typed("2027-01-01")],
         {"navn": "Gruppe A", "budget": True, "beloeb": "10.000 kr.", "farve": "grøn", "frist": "2027-01-01"}),
    ],
)
def test_yes_no_when_optional_choice_and_date(tmp_path, monkeypatch, keys, expected):
    kinds = tmp_path / "kinds"
    kinds.mkdir()
    (kinds / "proeve.yaml").write_text(SMALL_KIND, encoding="utf-8")
    monkeypatch.setenv("DRAFTER_KINDS_PATH", str(kinds))
    with pytest.raises(interview.Interrupted):  # stopped at the review
        with piped("".join(keys + [CTRL_C])):
            interview.new(load_questionnaire("proeve"), answers_dir=tmp_path / "answers")
    draft = read_answer_file(tmp_path / "answers" / "gruppe-a.yaml").data
    assert draft["gruppe"] == expected


def test_review_lets_a_section_be_changed_before_the_document_is_made(tmp_path):
    change_purpose = [
        DOWN * 3 + ENTER,  # "Ret 1. Formål med gruppens arbejde"
        "\x15" + "Nyt andet afsnit." + FINISH,  # Ctrl-U empties the last line of the old text
    ]
    result = run_new(FULL[:-1] + change_purpose + APPROVE, tmp_path)
    answers = load_answers(result.answers_path)
    assert answers.complete
    assert answers.get("formaal.tekst") == "Beboere sover dårligt.\n\nNyt andet afsnit."
    text = docx_text(result.output)
    assert "Nyt andet afsnit." in text and "Gruppen skal finde ud af hvorfor." not in text


def keep_everything(questionnaire, answers) -> list[str]:
    """The keys that answer every question of `drafter edit` with its earlier answer."""
    keys = []
    for question in questionnaire.questions:
        if question.when and answers.get(question.when) is not True:
            continue
        value = answers.get(question.path)
        if question.is_repeating:
            keys.append(ENTER if value else DOWN + ENTER)  # "Nej, videre" / skip an empty optional list
        elif question.type == "paragraphs":
            keys.append(FINISH)
        elif question.type == "choice" and value and value not in question.choices:
            keys.append(ENTER + ENTER)  # "Andet (skriv selv)" is chosen, the own text filled in
        else:
            keys.append(ENTER)
    return keys


@pytest.mark.parametrize("example", sorted((Path(__file__).parent.parent / "answers").glob("*.yaml")), ids=lambda p: p.stem)
def test_edit_keeping_every_answer_changes_nothing_for_every_kind(example, tmp_path):
    copy = tmp_path / example.name
    copy.write_bytes(example.read_bytes())
    before = load_answers(copy)
    with piped("".join(keep_everything(before.questionnaire, before))):
        result = interview.edit(copy, out_dir=tmp_path / "out", today=TODAY)
    after = load_answers(copy)
    assert after.values == before.values
    assert after.complete == before.complete
    assert result.output == tmp_path / "out" / f"{example.stem}.docx"
    from drafter.main import render_file

    rendered_directly = render_file(example, tmp_path / "direct.docx").output
    assert docx_text(result.output) == docx_text(rendered_directly)


def test_a_suggestion_from_the_reference_data_is_kept_with_one_enter(tmp_path):
    from drafter import reference
    from drafter.answers import save_answers

    example = Path(__file__).parent.parent / "answers" / "implementeringsnetvaerk-amning.yaml"
    answers = load_answers(example)
    question = next(q for q in answers.questionnaire.questions if q.default_from and q.is_repeating)
    section, key = question.path.split(".")
    values = {s: dict(v) for s, v in answers.values.items()}
    values[section][key] = []
    draft = tmp_path / "answers" / "netvaerk.yaml"
    draft.parent.mkdir()
    save_answers(draft, answers.questionnaire, values, complete=False)

    with piped(ENTER + ENTER):  # keep the suggested list; approve in the review
        result = interview.new(answers.questionnaire, out_dir=tmp_path / "out", resume=draft, today=TODAY)
    finished = load_answers(result.answers_path)
    assert finished.complete
    assert finished.get(question.path) == reference.clusters_as_records()


def test_a_draft_is_named_after_the_group_also_when_the_name_is_chosen_from_a_list(tmp_path):
    questionnaire = load_questionnaire("temagruppe")
    first = questionnaire.questions[0]
    assert first.type == "choice"
    with pytest.raises(interview.Interrupted):
        with piped(ENTER + CTRL_C):  # the first group in the list
            interview.new(questionnaire, answers_dir=tmp_path / "answers", today=TODAY)
    expected = tmp_path / "answers" / f"{interview.slugify(first.choices[0])}.yaml"
    assert load_answers(expected).get(first.path) == first.choices[0]


def test_an_enter_typed_ahead_as_newline_also_picks_in_menus(tmp_path):
    # Between two prompts the terminal is in cooked mode and may turn Enter into "\n".
    with pytest.raises(interview.Interrupted):
        run_new([typed(NAME), "\n", DOWN + "\n", CTRL_C], tmp_path)
    draft = load_answers(tmp_path / "answers" / f"{SLUG}.yaml")
    assert draft.get("gruppe.nedsat_af") == "Voksentemagruppen for somatik"


def test_resuming_a_finished_file_goes_to_the_review_and_keeps_it_finished(adhoc_example):
    before = load_answers(adhoc_example)
    with pytest.raises(interview.Interrupted) as stopped:
        with piped(CTRL_C):  # at the review: nothing is left to ask
            interview.new(load_questionnaire("adhoc"), resume=adhoc_example, today=TODAY)
    assert f"drafter edit {adhoc_example}" in str(stopped.value)
    after = load_answers(adhoc_example)
    assert after.complete
    assert after.values == before.values
