"""The real interview (questionary on prompt_toolkit), driven through a pipe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import docx_text
from interview_keys import CTRL_C, DOWN, END, ENTER, FINISH, UP, form, paragraphs, piped, typed

from drafter import interview
from drafter.answers import load_answers
from drafter.yamlread import read_answer_file
from drafter.questionnaire import load_questionnaire

TODAY = dt.date(2026, 11, 25)
NAME = "Ad-hoc gruppe om søvn på plejecentre"
SLUG = "ad-hoc-gruppe-om-soevn-paa-plejecentre"

# One step per prompt, in the order the interview asks. A list ends with an empty entry
# (END); an entry of a list with several fields is one form (all its fields, Tab between).
GROUP = [
    typed(NAME),  # gruppe.navn
    ENTER,  # gruppe.type: the default, ad-hoc gruppe
    DOWN + ENTER,  # gruppe.nedsat_af: Voksentemagruppen for somatik
    ENTER,  # gruppe.klynge: Midtklyngen (default)
]
DOCUMENT = [  # one form (the kind's form: true): date, version, status, author
    form("30/2-2026")  # dokument.dato: not a day; the form stays, the cursor in the date
    + form("1/12-2026", "", "", "Fællessekretariatet i Midtklyngen"),  # version 1.0, status udkast: the suggestions
]
PURPOSE = [paragraphs("Beboere sover dårligt.", "Gruppen skal finde ud af hvorfor.")]
TASKS = [
    typed("Kortlægge søvnvaner"), typed("Afprøve en aftenrutine"), END,
    END,  # snitflader (optional): none
    paragraphs("To pårørende deltager."),
]
CHAIRS = [
    form("Mette Kjærgaard", "Overlæge", "Hospitalsenhed Midt"),
    form("Søren Østergaard", "Sundhedschef", "Viborg Kommune"),
    END,
]
MEMBERS = [
    form("Lone Bæk", "Sygeplejerske", "Plejecenter Åbo", "Tovholder"),  # an organisation of her own
    END,
    paragraphs("Fællessekretariatet."),
]
TIMELINE = [
    typed("4. januar 2027"),
    typed("1.12.2026") + typed("31 dec 2027"),  # before the start: refused, asked again
    form("1/3-2027", "Kortlægning færdig"), END,
    form("01-06-2027", "", "Status"), END,  # "Til hvem?": the suggestion, the commissioning group
]
COMMUNICATION = [
    typed("Hjemmeplejen"), END,
    form("Formandskabet", "Plejecentrene", "Ny aftenrutine", "Marts 2027"), END,
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
        {"dato": "2027-06-01", "modtager": "Voksentemagruppen for somatik", "indhold": "Status"}
    ]

    text = docx_text(result.output)
    assert f"Kommissorium for {NAME}" in text
    for expected in ("Gruppen skal finde ud af hvorfor.", "Afprøve en aftenrutine", "Plejecenter Åbo", "Søren Østergaard"):
        assert expected in text


def test_invalid_date_is_asked_again_not_accepted(tmp_path):
    keys = GROUP + [typed("25-13-2026") + typed("snart") + typed("20. nov 2026"), CTRL_C]
    with pytest.raises(interview.Interrupted):
        run_new(keys, tmp_path)
    draft = load_answers(tmp_path / "answers" / f"{SLUG}.yaml")
    assert draft.get("dokument.dato") == "2026-11-20"


@pytest.mark.parametrize(
    "typed_date, expected",
    [
        ("1/12-2026", "2026-12-01"), ("1.12.2026", "2026-12-01"), ("01-12-2026", "2026-12-01"),
        ("1. december 2026", "2026-12-01"), ("1 dec 2026", "2026-12-01"), ("i dag", TODAY.isoformat()),
        ("2026-12-01", "2026-12-01"),
    ],
)
def test_every_danish_date_form_is_accepted_at_the_prompt_and_stored_as_iso(adhoc, typed_date, expected):
    asking = interview.Interview(adhoc, today=TODAY)
    with piped(typed(typed_date)):
        assert asking.ask_value(adhoc.question("tidsplan.start"), None) == expected


def test_a_date_field_in_a_form_takes_danish_dates_and_a_suggestion_is_replaced_by_typing(adhoc):
    asking = interview.Interview(adhoc, today=TODAY)
    asking.values["gruppe"]["nedsat_af"] = "Klyngestyregruppen"
    question = adhoc.question("tidsplan.rapportering")
    items: list = []
    with piped(form("1. marts 2027", "", "Status") + form("2/4-2027", "Voksentemagruppen for somatik", "Slut")):
        first = asking._form(question, items, 1, None)
        second = asking._form(question, items, 2, None)
    assert first == {"dato": "2027-03-01", "modtager": "Klyngestyregruppen", "indhold": "Status"}
    assert second == {"dato": "2027-04-02", "modtager": "Voksentemagruppen for somatik", "indhold": "Slut"}


def test_a_default_is_a_suggestion_that_typing_replaces(adhoc):
    asking = interview.Interview(adhoc, today=TODAY)
    version = adhoc.question("dokument.version")
    with piped(ENTER + "2.0" + ENTER + "\t" + ".1" + ENTER):
        assert asking.ask_value(version, None) == "1.0"  # Enter takes the suggestion
        assert asking.ask_value(version, None) == "2.0"  # typing replaces it, nothing appended
        assert asking.ask_value(version, None) == "1.0.1"  # Tab puts it in the line to be edited
    assert adhoc.question("tidsplan.start").default_value(TODAY, asking.values) is None  # no default start


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


def test_ctrl_c_inside_a_member_keeps_what_was_typed_and_resume_finishes_the_form(tmp_path):
    upto = GROUP + DOCUMENT + PURPOSE + TASKS + CHAIRS + ["Lone Bæk\tSygepl"]
    with pytest.raises(interview.Interrupted) as stopped:
        run_new(upto + [CTRL_C], tmp_path)
    draft_path = tmp_path / "answers" / f"{SLUG}.yaml"
    assert load_answers(draft_path).get("formandskab.medlemmer") == [
        {"navn": "Lone Bæk", "titel": "Sygepl", "organisation": None, "rolle": None}
    ]
    # The list, and the entry whose form was stopped: --resume reopens that form.
    assert read_answer_file(draft_path).data["ufaerdige"] == ["formandskab.medlemmer", "formandskab.medlemmer[1]"]
    assert "Navn: Lone Bæk · Titel: Sygepl" in str(stopped.value)
    # The half-filled member comes back as a form with what was typed; then the list goes on.
    rest = ["ejerske\t" + "\x15Plejecenter Åbo" + FINISH, END, paragraphs("Sekretariat.")]
    resumed = run_new(rest + TIMELINE + COMMUNICATION + ENDING + APPROVE, tmp_path, resume=draft_path)
    assert load_answers(resumed.answers_path).get("formandskab.medlemmer") == [
        {"navn": "Lone Bæk", "titel": "Sygeplejerske", "organisation": "Plejecenter Åbo", "rolle": None}
    ]
    assert "ufaerdige" not in read_answer_file(resumed.answers_path).data
    assert "Plejecenter Åbo" in docx_text(resumed.output)


def test_ctrl_c_in_the_middle_of_a_multi_line_answer_keeps_the_text_in_the_draft(tmp_path):
    half = "Beboere sover dårligt." + ENTER + "Gruppen skal finde"
    with pytest.raises(interview.Interrupted) as stopped:
        run_new(GROUP + DOCUMENT + [half + CTRL_C], tmp_path)
    draft_path = tmp_path / "answers" / f"{SLUG}.yaml"
    raw = read_answer_file(draft_path).data
    assert raw["formaal"]["tekst"] == "Beboere sover dårligt.\n\nGruppen skal finde"
    assert raw["ufaerdige"] == ["formaal.tekst"] and raw["complete"] is False
    message = str(stopped.value)
    assert 'svar på "Hvad er formålet med gruppens arbejde?", er gemt (42 tegn i 2 afsnit' in message
    assert "markeret som ufærdigt" in message
    # --resume goes back to that answer with the text in place, to be finished.
    rest = [" ud af hvorfor." + ENTER * 2] + TASKS + CHAIRS + MEMBERS + TIMELINE + COMMUNICATION + ENDING + APPROVE
    resumed = run_new(rest, tmp_path, resume=draft_path)
    assert load_answers(resumed.answers_path).get("formaal.tekst") == (
        "Beboere sover dårligt.\n\nGruppen skal finde ud af hvorfor."
    )


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
        run_new(GROUP[:1] + [ENTER, CTRL_C], tmp_path)  # asked: "Gem den nye som ...-2.yaml"
    assert (folder / f"{SLUG}.yaml").read_text(encoding="utf-8") == "# someone else's\n"
    assert load_answers(folder / f"{SLUG}-2.yaml").get("gruppe.navn") == NAME


def test_set_pre_answers_and_skips_questions(tmp_path, adhoc):
    presets = interview.parse_presets(adhoc, [f"gruppe.navn={NAME}", "gruppe.klynge=Nordklyngen",
                                              "opgaver.opgaver=[Første, Anden]"])
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
        interview.parse_presets(adhoc, ["tidsplan.start=32. januar 2027"])
    with pytest.raises(UsageError, match="mente du"):
        interview.parse_presets(adhoc, ["gruppe.nav=X"])


def test_edit_section_3_changes_section_3_only(adhoc_example, tmp_path):
    before = load_answers(adhoc_example)
    original_text = adhoc_example.read_text(encoding="utf-8")
    keys = [
        ENTER,  # formænd: keep as they are ("Færdig, videre" is the default when editing)
        DOWN * 3 + ENTER, ENTER,  # medlemmer: "Fjern et punkt", the first one (Lone Bæk)
        DOWN * 2 + ENTER, ENTER,  # "Ret et punkt", the (new) first one: Anders Holm
        "\t\x15Overfarmaceut" + FINISH,  # his form: a new title, the rest kept
        ENTER,  # done with the members
        ENTER * 2,  # sekretariat: keep the text (a new empty line, and Enter on it ends)
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
        DOWN * 3 + ENTER,  # "Se 1. Formål med gruppens arbejde"
        DOWN + ENTER,  # on its page: "Ret 1. Formål med gruppens arbejde"
        "\x15" + "Nyt andet afsnit." + ENTER * 2,  # Ctrl-U empties the last line of the old text
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
        section = next(s for s in questionnaire.sections if question in s.questions)
        together = interview.together_on_a_form(section, section.questions)
        if question in together:
            keys.append(ENTER if question is together[0] else "")  # one form for them all
            continue
        if question.when and answers.get(question.when) is not True:
            continue
        value = answers.get(question.path)
        if question.is_repeating:
            keys.append(ENTER if value else DOWN + ENTER)  # "Nej, videre" / skip an empty optional list
        elif question.type == "paragraphs":
            keys.append(ENTER * 2 if value else ENTER)  # Enter on the empty line after the text ends it
        else:  # a choice's own earlier text is offered first, as is a listed choice
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
    from drafter.batch import render_file

    rendered_directly = render_file(example, tmp_path / "direct.docx").output
    assert docx_text(result.output) == docx_text(rendered_directly)


def test_a_suggestion_from_the_reference_data_is_kept_with_one_enter(tmp_path):
    from drafter import reference
    from drafter.yamlio import save_answers

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


def test_a_rule_is_waived_from_the_review_with_a_written_reason(tmp_path):
    late = [
        TIMELINE[0], TIMELINE[1],
        form("1/3-2027", "Kortlægning færdig"), form("15. januar 2028", "Evaluering"), END,  # after the end
        *TIMELINE[4:],
    ]
    reason = "Evalueringen ligger bevidst efter perioden, når data for hele året foreligger"
    review = [
        ENTER,  # approve: refused, the rule's error is shown first
        UP + ENTER,  # "Undtag en regel" (the last choice)
        ENTER,  # the one finding
        typed(reason),
        ENTER,  # approve
    ]
    keys = GROUP + DOCUMENT + PURPOSE + TASKS + CHAIRS + MEMBERS + late + COMMUNICATION + ENDING + review
    result = run_new(keys, tmp_path)
    raw = read_answer_file(result.answers_path).data
    assert raw["undtagelser"] == [{"regel": "tidsplan-inden-for-perioden", "begrundelse": reason}]
    assert "complete" not in raw
    assert result.output.exists()
    assert any("tidsplan-inden-for-perioden" in f and reason in f for f in result.findings)


def test_the_review_names_the_problem_in_plain_danish_with_its_section(adhoc):
    asking = interview.Interview(adhoc, today=TODAY)
    asking.values["tidsplan"] = {
        "start": "2027-01-04", "slut": "2027-12-17",
        "milepaele": [{"dato": "2027-03-01", "beskrivelse": "Kortlægning"}, {"dato": "2028-01-15", "beskrivelse": "Evaluering"}],
    }
    problem = asking.plain("tidsplan.milepaele[2].dato", "milepælen (15. januar 2028) ligger efter gruppens slutdato "
                           "(17. december 2027); ret datoen, eller flyt slutdatoen", blocking=True)
    assert problem.full_text == (
        '4. Tidsplan – Milepæl 2 ("Evaluering"): Milepælen (15. januar 2028) ligger efter gruppens slutdato '
        "(17. december 2027); ret datoen, eller flyt slutdatoen"
    )
    missing = asking.plain("tidsplan.slut", "datoen (1. januar 2027) ligger før tidsplan.start (4. januar 2027)", True)
    assert missing.full_text == (
        '4. Tidsplan – Svaret på "Hvornår afslutter gruppen sit arbejde?": Datoen (1. januar 2027) ligger før '
        'svaret på "Hvornår begynder gruppen sit arbejde?" (4. januar 2027)'
    )


def test_ctrl_e_writes_a_multi_line_answer_in_the_persons_own_editor(tmp_path, monkeypatch):
    import sys
    import threading
    import time

    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from drafter import prompts

    editor = tmp_path / "editor.py"  # a stand-in editor: adds a sentence, then says it is done
    editor.write_text(
        "import sys\n"
        "text = open(sys.argv[1], encoding='utf-8').read()\n"
        "open(sys.argv[1], 'w', encoding='utf-8').write(text + ' Skrevet i editoren.\\n')\n"
        "open(sys.argv[0] + '.done', 'w').close()\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    with create_pipe_input() as pipe:
        pipe.send_text("Første afsnit." + "\x05")  # Ctrl-E

        def finish_after_the_editor():
            while not (tmp_path / "editor.py.done").exists():
                time.sleep(0.05)
            time.sleep(0.5)  # the edited text is put back into the prompt
            pipe.send_text(ENTER * 3)
            pipe.close()

        threading.Thread(target=finish_after_the_editor, daemon=True).start()
        with create_app_session(input=pipe, output=DummyOutput()):
            answer = prompts.text("Hvad er formålet?", lambda typed: None, multiline=True)
    assert answer == "Første afsnit. Skrevet i editoren."


def test_a_project_group_chosen_in_the_ad_hoc_kind_goes_on_as_the_project_group_kind(tmp_path):
    with pytest.raises(interview.Interrupted) as stopped:
        run_new([typed("Projekt om søvn"), DOWN + ENTER, CTRL_C], tmp_path)
    draft = tmp_path / "answers" / "projekt-om-soevn.yaml"
    raw = read_answer_file(draft).data
    assert raw["kind"] == "projektgruppe" and raw["gruppe"]["type"] == "projektgruppe"
    assert "drafter new projektgruppe --resume" in str(stopped.value)
    # The project-group kind's own question comes next, in its wording.
    assert load_questionnaire("projektgruppe").question("gruppe.nedsat_af").prompt == "Hvem nedsætter projektgruppen?"
