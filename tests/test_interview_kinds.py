"""The interview on the new kinds: choices from the reference data, the theme group's
co-chairs suggested from the rotation plan, a list started from the reference data."""

from __future__ import annotations

import datetime as dt

from conftest import docx_text
from interview_keys import DOWN, ENTER, UP, answered, fields, keyed, lines, paragraphs, typed

from drafter import interview
from drafter.answers import load_answers
from drafter.questionnaire import load_questionnaire

TODAY = dt.date(2026, 11, 25)

THEME_GROUP = {  # the rest: Enter takes the suggestion (the document's form, the seed's texts, the plan's co-chairs ...)
    "gruppe.navn": DOWN + ENTER,  # Voksentemagruppen for psykiatri (reference list)
    "gruppe.periode": DOWN * 2 + ENTER,  # 2026-2027
    "opgaver.opgaver": lines("Implementeringen af samarbejdsaftaler i regi af sundhedsaftalen"),
    "medlemmer.medlemmer": [fields("temagruppe", "medlemmer.medlemmer", part="Regionspsykiatrien Midt",
                                   beskrivelse="1-2 chef-/ledelsesrepræsentant fra Regionspsykiatrien Midt")],
    "formandskab.tekst": paragraphs("Arbejdet i temagrupperne ledes af et formandskab."),
    "formandskab.sekretariat": paragraphs("Der udarbejdes korte beslutningsreferater fra møderne."),
}


def test_theme_group_interview_suggests_the_co_chairs_from_the_rotation_plan(tmp_path):
    with keyed(THEME_GROUP, "temagruppe"):
        result = interview.new(
            load_questionnaire("temagruppe"), answers_dir=tmp_path / "answers", out_dir=tmp_path / "out", today=TODAY
        )
    answers = load_answers(result.answers_path)
    assert answered(answers.values["gruppe"]) == {
        "navn": "Voksentemagruppen for psykiatri", "klynge": "Midtklyngen",
        "nedsat_af": "Klyngestyregruppen", "periode": "2026-2027",
    }
    assert answers.get("formandskab.medformandskab") == "Regionspsykiatrien og Viborg Kommune"
    assert answers.get("medlemmer.medlemmer") == [
        {"part": "Regionspsykiatrien Midt", "beskrivelse": "1-2 chef-/ledelsesrepræsentant fra Regionspsykiatrien Midt"}
    ]
    assert answers.get("moeder.frekvens").startswith("Som udgangspunkt afholdes 4 årlige møder.")
    text = docx_text(result.output)
    assert "Kommissorium for voksentemagruppen for psykiatri" in text
    assert "Formandskab i perioden 2026–2027: Regionspsykiatrien og Viborg Kommune." in text


def test_the_cluster_appendix_starts_from_the_reference_data(tmp_path):
    from conftest import ANSWERS_DIR
    from drafter import reference

    text = (ANSWERS_DIR / "implementeringsnetvaerk-amning.yaml").read_text(encoding="utf-8")
    head, _, _ = text.partition("  klynger:\n")  # a draft that stops before the cluster list
    draft = tmp_path / "answers" / "netvaerk.yaml"
    draft.parent.mkdir()
    draft.write_text(head.replace("schema_version: 1\n", "schema_version: 1\ncomplete: false\n"), encoding="utf-8")
    with keyed({}, "implementeringsnetvaerk"):  # Enter keeps the suggested clusters, leaves the closing text out, approves
        result = interview.new(
            load_questionnaire("implementeringsnetvaerk"), resume=draft, out_dir=tmp_path / "out", today=TODAY
        )
    assert load_answers(result.answers_path).get("bilag.klynger") == reference.clusters_as_records()
    assert "Kommunerne: Aarhus og Samsø" in docx_text(result.output)


def test_steering_group_interview_says_why_the_plan_gives_no_co_chair(tmp_path, monkeypatch):
    from conftest import ANSWERS_DIR

    said: list[str] = []
    monkeypatch.setattr(interview, "say", lambda text="", style=None, **_: said.append(text))
    text = (ANSWERS_DIR / "klyngestyregruppe-midtklyngen.yaml").read_text(encoding="utf-8")
    head, _, _ = text.partition("  sekretariat: |\n")  # a draft that stops after the chair rules
    draft = tmp_path / "answers" / "styregruppe.yaml"
    draft.parent.mkdir()
    draft.write_text(head.replace("schema_version: 1\n", "schema_version: 1\ncomplete: false\n"), encoding="utf-8")
    answers = {  # the co-chairs: no suggestion for 2026-2027, left empty (Enter), as the hospital's date
        "formandskab.sekretariat": paragraphs("Der udarbejdes korte beslutningsreferater fra møderne."),
        "moeder.frekvens": paragraphs("4 gange om året samt ad hoc."),
    }
    with keyed(answers, "klyngestyregruppe"):
        result = interview.new(load_questionnaire("klyngestyregruppe"), resume=draft, out_dir=tmp_path / "out", today=TODAY)
    notes = [s for s in said if s.startswith("Planen for rotation i formandskaberne, 2026-2027")]
    assert len(notes) == 1 and "kan ikke læses i kilden" in notes[0]
    assert load_answers(result.answers_path).get("formandskab.medformandskab") is None
    assert "Formandskab i perioden" not in docx_text(result.output)


def test_the_review_sets_the_commissions_own_title_headings_and_order(tmp_path):
    # A finished file resumed: nothing left to ask, so the review comes first.
    path = tmp_path / "answers" / "aeldre.yaml"
    path.parent.mkdir()
    path.write_text(
        "kind: arbejdsgruppe\nschema_version: 1\ngruppe:\n  navn: Arbejdsgruppen om ældres overgange\n"
        "formaal:\n  tekst: Trygge overgange.\nbaggrund:\n  tekst: Mange utrygge udskrivelser.\n"
        "afslutning:\n  tekst: Med en slutrapport.\n",
        encoding="utf-8",
    )
    kind = load_questionnaire("arbejdsgruppe")
    answers = {
        "Hvad vil du nu?": UP + ENTER,  # the review's last choice: "Titel, overskrifter og rækkefølge" (then approve)
        "Dokumentets titel?": typed("Fælles kommissorium for ældregrupperne"),
        "Ny rækkefølge (numrene; de afsnit, du ikke nævner, følger efter)?": typed("2 1"),  # baggrund before formaal
        "Vil du give et afsnit en anden overskrift?": [ENTER, UP + ENTER],  # the first listed (now Baggrund); done
        "Overskrift for Baggrund?": typed("Det, der gik forud"),
    }
    with keyed(answers, "arbejdsgruppe"):
        result = interview.new(kind, answers_dir=tmp_path / "answers", out_dir=tmp_path / "out", resume=path, today=TODAY)
    saved = load_answers(path)
    assert saved.data["titel"] == "Fælles kommissorium for ældregrupperne"
    assert saved.data["orden"] == ["baggrund", "formaal"]
    assert saved.data["overskrifter"] == {"baggrund": "Det, der gik forud"}
    text = docx_text(result.output)
    assert text.index("Det, der gik forud") < text.index("Formål") < text.index("Afslutning")
    assert text.startswith("Fælles kommissorium for ældregrupperne")


def test_an_optional_date_is_left_out_with_enter_and_today_is_typed(tmp_path):
    import pytest

    from interview_keys import CTRL_C

    kind = load_questionnaire("arbejdsgruppe")
    settings = ["gruppe.navn=Arbejdsgruppen om datoer", "gruppe.nedsat_af=Styregruppen", "gruppe.organisation=Rådet"]
    order = [q.path for q in kind.questions]
    after = next(p for p in order[order.index("dokument.dato"):] if not p.startswith("dokument."))  # after the document's form
    with keyed({"dokument": ENTER, after: CTRL_C}, "arbejdsgruppe"), pytest.raises(interview.Interrupted):
        interview.new(kind, answers_dir=tmp_path / "answers", out_dir=tmp_path / "out", settings=settings, today=TODAY)
    draft = load_answers(next((tmp_path / "answers").glob("*.yaml")))
    assert draft.get("dokument.dato") is None  # no date invented
    (next((tmp_path / "answers").glob("*.yaml"))).unlink()
    with keyed({"dokument": fields("arbejdsgruppe", "dokument", dato="i dag"), after: CTRL_C}, "arbejdsgruppe"), \
            pytest.raises(interview.Interrupted):
        interview.new(kind, answers_dir=tmp_path / "answers", out_dir=tmp_path / "out", settings=settings, today=TODAY)
    assert load_answers(next((tmp_path / "answers").glob("*.yaml"))).get("dokument.dato") == TODAY.isoformat()
