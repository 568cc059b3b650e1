"""The real interview (questionary on prompt_toolkit), driven through a pipe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import docx_text
from interview_keys import CTRL_C, DOWN, ENTER, FINISH, UP, answered, fields, form, keyed, lines, paragraphs, piped, typed

from drafter import interview
from drafter.answers import load_answers
from drafter.yamlread import read_answer_file
from drafter.questionnaire import load_questionnaire
from drafter.session import DraftSession, slugify

TODAY = dt.date(2026, 11, 25)
NAME = "Ad-hoc gruppe om søvn på plejecentre"
SLUG = "ad-hoc-gruppe-om-soevn-paa-plejecentre"

# The answers by question key: a question not named takes its default (Enter), an empty
# entry ends a list, and the review approves. A list's entries are one item each; an
# entry of a list with several fields is one form (all its fields, Tab between).
ADHOC = {
    "gruppe.navn": typed(NAME),
    "gruppe.nedsat_af": DOWN + ENTER,  # Voksentemagruppen for somatik
    "dokument": (  # one form (the kind's form: true); version 1.0, status udkast: the suggestions
        fields("adhoc", "dokument", dato="30/2-2026")  # not a day: the form stays, the cursor in the date
        + fields("adhoc", "dokument", dato="1/12-2026", forfatter="Fællessekretariatet i Midtklyngen")
    ),
    "formaal.tekst": paragraphs("Beboere sover dårligt.", "Gruppen skal finde ud af hvorfor."),
    "opgaver.opgaver": lines("Kortlægge søvnvaner", "Afprøve en aftenrutine"),
    "opgaver.patientperspektiv": paragraphs("To pårørende deltager."),
    "formandskab.formaend": [
        fields("adhoc", "formandskab.formaend", navn="Mette Kjærgaard", titel="Overlæge", organisation="Hospitalsenhed Midt"),
        fields("adhoc", "formandskab.formaend", navn="Søren Østergaard", titel="Sundhedschef", organisation="Viborg Kommune"),
    ],
    "formandskab.medlemmer": [fields("adhoc", "formandskab.medlemmer", navn="Lone Bæk", titel="Sygeplejerske",
                                     organisation="Plejecenter Åbo", rolle="Tovholder")],  # an organisation of her own
    "formandskab.sekretariat": paragraphs("Fællessekretariatet."),
    "tidsplan.start": typed("4. januar 2027"),
    "tidsplan.slut": typed("1.12.2026") + typed("31 dec 2027"),  # before the start: refused, asked again
    "tidsplan.milepaele": [fields("adhoc", "tidsplan.milepaele", dato="1/3-2027", beskrivelse="Kortlægning færdig")],
    # "Til hvem?" left to its suggestion: the commissioning group
    "tidsplan.rapportering": [fields("adhoc", "tidsplan.rapportering", dato="01-06-2027", indhold="Status")],
    "kommunikation.interessenter": lines("Hjemmeplejen"),
    "kommunikation.plan": [fields("adhoc", "kommunikation.plan", afsender="Formandskabet", modtager="Plejecentrene",
                                  indhold="Ny aftenrutine", tidspunkt="Marts 2027")],
    "afslutning.tekst": paragraphs("Slutrapport til temagruppen."),
    "afslutning.overdragelse": paragraphs("Anbefalinger til temagruppen."),
}
REVIEW = "Hvad vil du nu?"  # the review's menu; Enter approves


@pytest.fixture
def adhoc():
    return load_questionnaire("adhoc")


def run_new(answers: dict, folder: Path, **kwargs) -> interview.Result:
    with keyed(answers, "adhoc", "projektgruppe"):
        return interview.new(
            load_questionnaire("adhoc"), answers_dir=folder / "answers", out_dir=folder / "out", today=TODAY, **kwargs
        )


def answered_before(path: str, full: dict) -> dict[str, object]:
    """The answers of a full run (*full*: path -> value) to the questions asked before *path*."""
    order = [q.path for q in load_questionnaire("adhoc").questions]
    return {p: v for p, v in full.items() if order.index(p) < order.index(path)}


def given(draft: Path) -> dict[str, object]:
    """A file's answers by path."""
    raw = read_answer_file(draft).data
    return {f"{s}.{k}": v for s, fields in raw.items() if isinstance(fields, dict) for k, v in fields.items()}


def test_full_interview_writes_answer_file_and_docx(tmp_path):
    result = run_new(ADHOC, tmp_path)

    assert result.answers_path == tmp_path / "answers" / f"{SLUG}.yaml"
    assert result.output == tmp_path / "out" / f"{SLUG}.docx"
    answers = load_answers(result.answers_path)
    assert answers.complete
    assert "complete" not in read_answer_file(result.answers_path).data
    assert answered(answers.values["gruppe"]) == {
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
    dates = [fields("adhoc", "dokument", dato=typed_date) for typed_date in ("25-13-2026", "snart", "20. nov 2026")]
    stop = {**ADHOC, "dokument": "".join(dates), "formaal.tekst": CTRL_C}
    with pytest.raises(interview.Interrupted):
        run_new(stop, tmp_path)
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
    asking = interview.Interview(DraftSession(adhoc, today=TODAY))
    with piped(typed(typed_date)):
        assert asking.ask_value(adhoc.question("tidsplan.start"), None) == expected


def test_a_date_field_in_a_form_takes_danish_dates_and_a_suggestion_is_replaced_by_typing(adhoc):
    asking = interview.Interview(DraftSession(adhoc, today=TODAY))
    asking.values["gruppe"]["nedsat_af"] = "Klyngestyregruppen"
    question = adhoc.question("tidsplan.rapportering")
    items: list = []
    with piped(form("1. marts 2027", "", "Status") + form("2/4-2027", "Voksentemagruppen for somatik", "Slut")):
        first = asking.lists.form(question, items, 1, None)
        second = asking.lists.form(question, items, 2, None)
    assert first == {"dato": "2027-03-01", "modtager": "Klyngestyregruppen", "indhold": "Status"}
    assert second == {"dato": "2027-04-02", "modtager": "Voksentemagruppen for somatik", "indhold": "Slut"}


def test_a_default_is_a_suggestion_that_typing_replaces(adhoc):
    asking = interview.Interview(DraftSession(adhoc, today=TODAY))
    version = adhoc.question("dokument.version")
    with piped(ENTER + "2.0" + ENTER + "\t" + ".1" + ENTER):
        assert asking.ask_value(version, None) == "1.0"  # Enter takes the suggestion
        assert asking.ask_value(version, None) == "2.0"  # typing replaces it, nothing appended
        assert asking.ask_value(version, None) == "1.0.1"  # Tab puts it in the line to be edited
    assert adhoc.question("tidsplan.start").default_value(TODAY, asking.values) is None  # no default start


def test_ctrl_c_keeps_exactly_the_answers_given_and_resume_finishes(tmp_path):
    full = given(run_new(ADHOC, tmp_path / "straight").answers_path)
    stop = {**ADHOC, "opgaver.opgaver": typed("Kortlægge søvnvaner") + typed("Afprøve en aftenrutine") + CTRL_C}
    with pytest.raises(interview.Interrupted) as stopped:
        run_new(stop, tmp_path)
    draft_path = tmp_path / "answers" / f"{SLUG}.yaml"
    message = str(stopped.value)
    assert str(draft_path) in message
    assert f"drafter new adhoc --resume {draft_path}" in message

    assert read_answer_file(draft_path).data["complete"] is False
    assert given(draft_path) == {**answered_before("opgaver.opgaver", full), "opgaver.opgaver": full["opgaver.opgaver"]}
    assert not (tmp_path / "out").exists()

    # --resume reopens the task list (the last answer) and goes on from there.
    resumed = run_new({**ADHOC, "opgaver.opgaver": ENTER}, tmp_path, resume=draft_path)  # no more tasks
    assert resumed.answers_path == draft_path
    straight = tmp_path / "straight" / "answers" / f"{SLUG}.yaml"
    assert draft_path.read_text(encoding="utf-8") == straight.read_text(encoding="utf-8")
    assert docx_text(resumed.output) == docx_text(tmp_path / "straight" / "out" / f"{SLUG}.docx")


def test_ctrl_c_inside_a_member_keeps_what_was_typed_and_resume_finishes_the_form(tmp_path):
    with pytest.raises(interview.Interrupted) as stopped:
        run_new({**ADHOC, "formandskab.medlemmer": ["Lone Bæk\tSygepl" + CTRL_C]}, tmp_path)
    draft_path = tmp_path / "answers" / f"{SLUG}.yaml"
    assert load_answers(draft_path).get("formandskab.medlemmer") == [
        {"navn": "Lone Bæk", "titel": "Sygepl", "organisation": None, "rolle": None}
    ]
    # The list, and the entry whose form was stopped: --resume reopens that form.
    assert read_answer_file(draft_path).data["ufaerdige"] == ["formandskab.medlemmer", "formandskab.medlemmer[1]"]
    assert "Navn: Lone Bæk · Titel: Sygepl" in str(stopped.value)
    # The half-filled member comes back as a form with what was typed; then the list goes on.
    rest = {**ADHOC, "formandskab.medlemmer": ["ejerske\t" + "\x15Plejecenter Åbo" + FINISH],
            "formandskab.sekretariat": paragraphs("Sekretariat.")}
    resumed = run_new(rest, tmp_path, resume=draft_path)
    assert load_answers(resumed.answers_path).get("formandskab.medlemmer") == [
        {"navn": "Lone Bæk", "titel": "Sygeplejerske", "organisation": "Plejecenter Åbo", "rolle": None}
    ]
    assert "ufaerdige" not in read_answer_file(resumed.answers_path).data
    assert "Plejecenter Åbo" in docx_text(resumed.output)


def test_ctrl_c_in_the_middle_of_a_multi_line_answer_keeps_the_text_in_the_draft(tmp_path):
    half = "Beboere sover dårligt." + ENTER + "Gruppen skal finde"
    with pytest.raises(interview.Interrupted) as stopped:
        run_new({**ADHOC, "formaal.tekst": half + CTRL_C}, tmp_path)
    draft_path = tmp_path / "answers" / f"{SLUG}.yaml"
    raw = read_answer_file(draft_path).data
    assert raw["formaal"]["tekst"] == "Beboere sover dårligt.\n\nGruppen skal finde"
    assert raw["ufaerdige"] == ["formaal.tekst"] and raw["complete"] is False
    message = str(stopped.value)
    assert 'svar på "Hvad er formålet med gruppens arbejde?", er gemt (42 tegn i 2 afsnit' in message
    assert "markeret som ufærdigt" in message
    # --resume goes back to that answer with the text in place, to be finished.
    resumed = run_new({**ADHOC, "formaal.tekst": " ud af hvorfor." + ENTER * 2}, tmp_path, resume=draft_path)
    assert load_answers(resumed.answers_path).get("formaal.tekst") == (
        "Beboere sover dårligt.\n\nGruppen skal finde ud af hvorfor."
    )


def test_nothing_is_written_before_the_group_has_a_name(tmp_path):
    with pytest.raises(interview.Interrupted) as stopped:
        run_new({"gruppe.navn": CTRL_C}, tmp_path)
    assert "Intet er gemt" in str(stopped.value)
    assert not (tmp_path / "answers").exists()


def test_an_existing_file_is_never_overwritten(tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / f"{SLUG}.yaml").write_text("# someone else's\n", encoding="utf-8")
    answers = {"gruppe.navn": typed(NAME), "Hvad skal den nye svarfil hedde?": ENTER, "gruppe.type": CTRL_C}
    with pytest.raises(interview.Interrupted):
        run_new(answers, tmp_path)  # asked: "Gem den nye som ...-2.yaml" (Enter)
    assert (folder / f"{SLUG}.yaml").read_text(encoding="utf-8") == "# someone else's\n"
    assert load_answers(folder / f"{SLUG}-2.yaml").get("gruppe.navn") == NAME


def test_set_pre_answers_and_skips_questions(tmp_path, adhoc):
    settings = [f"gruppe.navn={NAME}", "gruppe.klynge=Nordklyngen", "opgaver.opgaver=[Første, Anden]"]
    with pytest.raises(interview.Interrupted), keyed({"gruppe.nedsat_af": DOWN + ENTER, "dokument": CTRL_C}) as script:
        interview.new(adhoc, answers_dir=tmp_path / "answers", out_dir=tmp_path / "out", today=TODAY, settings=settings)
    assert not {"gruppe.navn", "gruppe.klynge"} & set(script.asked)  # pre-answered: not asked
    draft = load_answers(tmp_path / "answers" / f"{SLUG}.yaml")
    assert answered(draft.values["gruppe"]) == {
        "navn": NAME, "type": "ad-hoc gruppe", "nedsat_af": "Voksentemagruppen for somatik", "klynge": "Nordklyngen",
    }
    assert draft.get("opgaver.opgaver") == ["Første", "Anden"]


def test_set_is_checked_by_the_questions_rules(adhoc):
    from drafter.errors import UsageError

    with pytest.raises(UsageError, match="tidsplan.start"):
        DraftSession(adhoc).apply(["tidsplan.start=32. januar 2027"])
    with pytest.raises(UsageError, match="mente du"):
        DraftSession(adhoc).apply(["gruppe.nav=X"])


def test_edit_section_3_changes_section_3_only(adhoc_example, tmp_path):
    before = load_answers(adhoc_example)
    original_text = adhoc_example.read_text(encoding="utf-8")
    answers = {
        # formænd: Enter keeps them ("Færdig, videre" is the default when editing)
        "formandskab.medlemmer": [
            DOWN * 3 + ENTER, ENTER,  # "Fjern et punkt", the first one (Lone Bæk)
            DOWN * 2 + ENTER, ENTER,  # "Ret et punkt", the (new) first one: Anders Holm
            "\t\x15Overfarmaceut" + FINISH,  # his form: a new title, the rest kept
        ],  # then Enter: done with the members
    }
    with keyed(answers):
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
    assert slugify(name) == slug


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
    "answers, expected",
    [
        # "Nej" (the default): the amount is not asked; no colour ("(ingen)" is the default); no deadline.
        ({"gruppe.navn": typed("Gruppe A")}, {"navn": "Gruppe A", "budget": False}),
        # "Ja": the amount is asked; a colour (up from "(ingen)"); an empty optional date stays empty; a bad one is refused.
        ({"gruppe.navn": typed("Gruppe A"), "gruppe.budget": UP + ENTER, "gruppe.beloeb": typed("10.000 kr."),
          "gruppe.farve": UP + ENTER, "gruppe.frist": typed("snart") + typed("2027-01-01")},
         {"navn": "Gruppe A", "budget": True, "beloeb": "10.000 kr.", "farve": "grøn", "frist": "2027-01-01"}),
    ],
)
def test_yes_no_when_optional_choice_and_date(tmp_path, monkeypatch, answers, expected):
    kinds = tmp_path / "kinds"
    kinds.mkdir()
    (kinds / "proeve.yaml").write_text(SMALL_KIND, encoding="utf-8")
    monkeypatch.setenv("DRAFTER_KINDS_PATH", str(kinds))
    with pytest.raises(interview.Interrupted):  # stopped at the review
        with keyed({**answers, REVIEW: CTRL_C}, "proeve") as script:
            interview.new(load_questionnaire("proeve"), answers_dir=tmp_path / "answers")
    assert ("gruppe.beloeb" in script.asked) == expected["budget"]
    draft = read_answer_file(tmp_path / "answers" / "gruppe-a.yaml").data
    assert draft["gruppe"] == expected


def test_review_lets_a_section_be_changed_before_the_document_is_made(tmp_path):
    change_purpose = {
        REVIEW: DOWN * 3 + ENTER,  # "Se 1. Formål med gruppens arbejde" (then Enter: approve)
        "Hvad vil du?": DOWN + ENTER,  # on its page: "Ret 1. Formål med gruppens arbejde"
        "formaal.tekst": [ADHOC["formaal.tekst"], "\x15" + "Nyt andet afsnit." + ENTER * 2],  # Ctrl-U empties the last line
    }
    result = run_new({**ADHOC, **change_purpose}, tmp_path)
    answers = load_answers(result.answers_path)
    assert answers.complete
    assert answers.get("formaal.tekst") == "Beboere sover dårligt.\n\nNyt andet afsnit."
    text = docx_text(result.output)
    assert "Nyt andet afsnit." in text and "Gruppen skal finde ud af hvorfor." not in text


@pytest.mark.parametrize("example", sorted((Path(__file__).parent.parent / "answers").glob("*.yaml")), ids=lambda p: p.stem)
def test_edit_keeping_every_answer_changes_nothing_for_every_kind(example, tmp_path):
    copy = tmp_path / example.name
    copy.write_bytes(example.read_bytes())
    before = load_answers(copy)
    # Enter keeps every earlier answer (a list: "Færdig, videre"; a text: Enter on a new empty line).
    with keyed({}, before.questionnaire.kind):
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

    with keyed({}, answers.questionnaire.kind) as script:  # Enter keeps the suggested list; Enter approves
        result = interview.new(answers.questionnaire, out_dir=tmp_path / "out", resume=draft, today=TODAY)
    assert script.asked == [question.path, REVIEW]
    finished = load_answers(result.answers_path)
    assert finished.complete
    assert finished.get(question.path) == reference.clusters_as_records()


def test_a_draft_is_named_after_the_group_also_when_the_name_is_chosen_from_a_list(tmp_path):
    questionnaire = load_questionnaire("temagruppe")
    first = questionnaire.questions[0]
    assert first.type == "choice"
    with pytest.raises(interview.Interrupted):
        with keyed({first.path: ENTER, "gruppe.klynge": CTRL_C}, "temagruppe"):  # the first group in the list
            interview.new(questionnaire, answers_dir=tmp_path / "answers", today=TODAY)
    expected = tmp_path / "answers" / f"{slugify(first.choices[0])}.yaml"
    assert load_answers(expected).get(first.path) == first.choices[0]


def test_an_enter_typed_ahead_as_newline_also_picks_in_menus(tmp_path):
    # Between two prompts the terminal is in cooked mode and may turn Enter into "\n".
    typed_ahead = {"gruppe.navn": typed(NAME), "gruppe.type": "\n", "gruppe.nedsat_af": DOWN + "\n", "gruppe.klynge": CTRL_C}
    with pytest.raises(interview.Interrupted):
        run_new(typed_ahead, tmp_path)
    draft = load_answers(tmp_path / "answers" / f"{SLUG}.yaml")
    assert draft.get("gruppe.nedsat_af") == "Voksentemagruppen for somatik"


def test_resuming_a_finished_file_goes_to_the_review_and_keeps_it_finished(adhoc_example):
    before = load_answers(adhoc_example)
    with pytest.raises(interview.Interrupted) as stopped:
        with keyed({REVIEW: CTRL_C}) as script:  # at the review: nothing is left to ask
            interview.new(load_questionnaire("adhoc"), resume=adhoc_example, today=TODAY)
    assert script.asked == [REVIEW]
    assert f"drafter edit {adhoc_example}" in str(stopped.value)
    after = load_answers(adhoc_example)
    assert after.complete
    assert after.values == before.values


def test_a_rule_is_waived_from_the_review_with_a_written_reason(tmp_path):
    reason = "Evalueringen ligger bevidst efter perioden, når data for hele året foreligger"
    late = {
        "tidsplan.milepaele": [fields("adhoc", "tidsplan.milepaele", dato="1/3-2027", beskrivelse="Kortlægning færdig"),
                               fields("adhoc", "tidsplan.milepaele", dato="15. januar 2028", beskrivelse="Evaluering")],  # after the end
        REVIEW: [ENTER, UP * 2 + ENTER],  # approve: refused, the rule's error first; "Undtag en regel" (above the layout's choice)
        "Hvilken regel skal undtages?": ENTER,  # the one finding
        "Hvorfor skal reglen ikke gælde her?": typed(reason),
    }  # then Enter: approve
    result = run_new({**ADHOC, **late}, tmp_path)
    raw = read_answer_file(result.answers_path).data
    assert raw["undtagelser"] == [{"regel": "tidsplan-inden-for-perioden", "begrundelse": reason}]
    assert "complete" not in raw
    assert result.output.exists()
    assert any("tidsplan-inden-for-perioden" in f and reason in f for f in result.findings)


def test_the_review_names_the_problem_in_plain_danish_with_its_section(adhoc):
    asking = interview.Interview(DraftSession(adhoc, today=TODAY))
    asking.values["tidsplan"] = {
        "start": "2027-01-04", "slut": "2027-12-17",
        "milepaele": [{"dato": "2027-03-01", "beskrivelse": "Kortlægning"}, {"dato": "2028-01-15", "beskrivelse": "Evaluering"}],
    }
    problem = asking.review.plain("tidsplan.milepaele[2].dato", "milepælen (15. januar 2028) ligger efter gruppens slutdato "
                           "(17. december 2027); ret datoen, eller flyt slutdatoen", blocking=True)
    assert problem.full_text == (
        '4. Tidsplan – Milepæl 2 ("Evaluering"): Milepælen (15. januar 2028) ligger efter gruppens slutdato '
        "(17. december 2027); ret datoen, eller flyt slutdatoen"
    )
    missing = asking.review.plain("tidsplan.slut", "datoen (1. januar 2027) ligger før tidsplan.start (4. januar 2027)", True)
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
    answers = {"gruppe.navn": typed("Projekt om søvn"), "gruppe.type": DOWN + ENTER, "gruppe.nedsat_af": CTRL_C}
    with pytest.raises(interview.Interrupted) as stopped, keyed(answers, "adhoc", "projektgruppe") as script:
        interview.new(load_questionnaire("adhoc"), answers_dir=tmp_path / "answers", today=TODAY)
    draft = tmp_path / "answers" / "projekt-om-soevn.yaml"
    raw = read_answer_file(draft).data
    assert raw["kind"] == "projektgruppe" and raw["gruppe"]["type"] == "projektgruppe"
    assert "drafter new projektgruppe --resume" in str(stopped.value)
    # The project-group kind's own question comes next, in its wording.
    assert script.shown[-1] == load_questionnaire("projektgruppe").question("gruppe.nedsat_af").prompt
    assert script.shown[-1] == "Hvem nedsætter projektgruppen?"
