"""The chair rules on the real theme-group and steering-group kinds, with the real rotation
plan (drafter/profiles/midtklyngen.yaml): co-chairs held as one text, and the hospital side's
co-chair not replaced in a year the plan changes the municipal one."""

from __future__ import annotations

import pytest

from conftest import ANSWERS_DIR
from drafter.answers import check_file
from drafter.yamlread import parse_answer_text
from drafter.questionnaire import load_questionnaire
from drafter.rules import ERROR, WARNING, check_answers, co_chairs, Context, municipal_changes, rules_for
from drafter.reference import rotation_pair

SOMATIK = (ANSWERS_DIR / "temagruppe-voksentemagruppen-for-somatik.yaml").read_text(encoding="utf-8")
STEERING = (ANSWERS_DIR / "klyngestyregruppe-midtklyngen.yaml").read_text(encoding="utf-8")


def findings(text: str):
    return check_answers(check_file(parse_answer_text(text.encode("utf-8"), "x.yaml"))).findings


def with_hospital_chair_from(text: str, date: str) -> str:
    assert text.count("  sekretariat: |\n") == 1
    return text.replace("  sekretariat: |\n", f"  hospital_fra: {date}\n  sekretariat: |\n")


def co_chairs_text(text: str, chairs: str) -> str:
    assert "  medformandskab: HE Midt og Viborg Kommune\n" in text
    return text.replace("  medformandskab: HE Midt og Viborg Kommune\n", f"  medformandskab: {chairs}\n")


def test_the_chair_rules_apply_to_the_theme_and_steering_group_kinds_by_their_fields():
    for kind in ("temagruppe", "klyngestyregruppe"):
        applied = {r.id for r in rules_for(load_questionnaire(kind))}
        assert {"formandskab-todelt", "formandskab-begge-sider", "formandskab-skifte-samme-aar"} <= applied, kind
    assert "formandskab-skifte-samme-aar" not in {r.id for r in rules_for(load_questionnaire("adhoc"))}


def test_the_plans_municipal_changes():
    assert municipal_changes(rotation_pair, "Voksentemagruppen for somatik") == {
        2023: ("Skive Kommune", "Silkeborg Kommune"),
        2026: ("Silkeborg Kommune", "Viborg Kommune"),
        2028: ("Viborg Kommune", "Skive Kommune"),
    }
    # The steering group's cells for 2026-2029 are unknown: only the known change counts.
    assert municipal_changes(rotation_pair, "Klyngestyregruppen") == {2023: ("Silkeborg Kommune", "Viborg Kommune")}


def test_theme_group_hospital_chair_in_another_year_passes():
    assert findings(with_hospital_chair_from(SOMATIK, "2027-01-01")) == []


def test_theme_group_hospital_chair_in_the_municipal_change_year_trips():
    text = with_hospital_chair_from(SOMATIK, "2026-03-01")
    found = findings(text)
    assert [f.rule for f in found] == ["formandskab-skifte-samme-aar"]
    assert found[0].severity == ERROR and found[0].field == "formandskab.hospital_fra"
    line = parse_answer_text(text.encode("utf-8"), "x.yaml").source.line(found[0].path)
    assert line == text.splitlines().index("  hospital_fra: 2026-03-01") + 1
    assert "hospitalets/psykiatriens medformand (HE Midt) bliver medformand i 2026" in found[0].message
    assert "fra Silkeborg Kommune til Viborg Kommune" in found[0].message


def test_steering_group_hospital_chair_passes_and_trips():
    assert findings(with_hospital_chair_from(STEERING, "2024-05-01")) == []
    assert findings(with_hospital_chair_from(STEERING, "2026-05-01")) == []  # the plan does not know 2026
    found = findings(with_hospital_chair_from(STEERING, "2023-09-01"))
    assert [(f.rule, f.severity) for f in found] == [("formandskab-skifte-samme-aar", ERROR)]
    assert "fra Silkeborg Kommune til Viborg Kommune" in found[0].message


def test_co_chairs_come_from_records_or_from_the_text():
    ctx = Context(check_file(parse_answer_text(SOMATIK.encode("utf-8"), "x.yaml")))
    chairs = co_chairs(ctx)
    assert chairs.organisations == ["HE Midt", "Viborg Kommune"] and not chairs.from_records
    assert chairs.where(1, "organisation") == ("formandskab", "medformandskab")
    adhoc = (ANSWERS_DIR / "udskrivelse-af-skroebelige-aeldre.yaml").read_text(encoding="utf-8")
    chairs = co_chairs(Context(check_file(parse_answer_text(adhoc.encode("utf-8"), "y.yaml"))))
    assert chairs.from_records and chairs.organisations == ["Hospitalsenhed Midt", "Viborg Kommune"]
    assert chairs.where(1, "organisation") == ("formandskab", "formaend", 1, "organisation")


def test_one_co_chair_in_the_text_trips_the_two_part_rule():
    found = [f for f in findings(co_chairs_text(SOMATIK, "HE Midt")) if f.rule == "formandskab-todelt"]
    assert len(found) == 1 and found[0].severity == WARNING
    assert found[0].field == "formandskab.medformandskab"
    assert "der er kun én medformand (HE Midt)" in found[0].message


def test_co_chairs_in_the_text_from_the_same_side_trip_the_both_sides_rule():
    text = STEERING.replace("  sekretariat: |\n", "  medformandskab: HE Midt og Regionspsykiatrien\n  sekretariat: |\n")
    found = findings(text)
    assert [f.rule for f in found] == ["formandskab-begge-sider"]  # the plan does not know 2026-2027
    assert found[0].field == "formandskab.medformandskab"
    assert "begge medformænd kommer fra hospital/psykiatri (HE Midt og Regionspsykiatrien)" in found[0].message
    municipal = [f for f in findings(co_chairs_text(SOMATIK, "Silkeborg Kommune og Viborg Kommune"))
                 if f.rule == "formandskab-begge-sider"]
    assert len(municipal) == 1 and "begge medformænd kommer fra kommune" in municipal[0].message


@pytest.mark.parametrize("text", [SOMATIK, STEERING], ids=["theme-group", "steering-group-without-co-chairs"])
def test_two_co_chairs_or_none_given_pass(text):
    assert not {"formandskab-todelt", "formandskab-begge-sider"} & {f.rule for f in findings(text)}
