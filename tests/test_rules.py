"""The collaboration's rules: each one passes on a sound answer file and trips on a flawed one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from conftest import ADHOC_EXAMPLE, EXAMPLES, REPO, assert_clean_failure, run_cli
from drafter.answers import check_file
from drafter.yamlread import parse_answer_text
from drafter.problems import format_problem
from drafter.rules import ERROR, RULES, RULES_BY_ID, WARNING, check_answers, same_organisation, side_of

EXAMPLE_TEXT = ADHOC_EXAMPLE.read_text(encoding="utf-8")


def findings(text: str, name: str = "x.yaml"):
    return check_answers(check_file(parse_answer_text(text.encode("utf-8"), name))).findings


def source_of(text: str, name: str = "x.yaml"):
    """The answer file's source map: where a finding's answer path stands."""
    return parse_answer_text(text.encode("utf-8"), name).source


def ids(text: str) -> list[str]:
    return [f.rule for f in findings(text)]


def edit(old: str, new: str, text: str = EXAMPLE_TEXT) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


ONE_CHAIR = edit(
    """    - navn: Søren Østergaard
      titel: Sundhedschef
      organisation: Viborg Kommune
  medlemmer:""",
    "  medlemmer:",
)
BOTH_MUNICIPAL = edit(
    """      titel: Oversygeplejerske, Medicinsk Afdeling
      organisation: Hospitalsenhed Midt""",
    """      titel: Oversygeplejerske, Medicinsk Afdeling
      organisation: Silkeborg Kommune""",
)
BOTH_HOSPITAL = edit("      organisation: Viborg Kommune\n  medlemmer:", "      organisation: Regionspsykiatrien Midt\n  medlemmer:")
MILESTONE_AFTER_END = edit("    - dato: 2027-11-15", "    - dato: 2028-01-15")
REPORT_BEFORE_START = edit("    - dato: 2027-06-10", "    - dato: 2026-12-10")
OUT_OF_ORDER = edit("    - dato: 2027-03-01", "    - dato: 2027-06-01")
WRONG_COMMISSIONER = edit("  nedsat_af: Voksentemagruppen for somatik", "  nedsat_af: Direktørkredsen")
REPORTS_ELSEWHERE = EXAMPLE_TEXT.replace("      modtager: Voksentemagruppen for somatik", "      modtager: Direktørkredsen")
REPORTS_TO_OTHER_GROUP = EXAMPLE_TEXT.replace("      modtager: Voksentemagruppen for somatik", "      modtager: Klyngestyregruppen")
DISMISSED_PATIENTS = (
    EXAMPLE_TEXT[: EXAMPLE_TEXT.index("  patientperspektiv:")]
    + "  patientperspektiv: Ikke relevant\n\n"
    + EXAMPLE_TEXT[EXAMPLE_TEXT.index("# 3. Formandskab"):]
)
CHAIR_ALSO_MEMBER = edit(
    """  medlemmer:
    - navn: Lone Bæk""",
    """  medlemmer:
    - navn: Søren Østergaard
      titel: Sundhedschef
      organisation: Skive Kommune
    - navn: Lone Bæk""",
)
MEMBER_TWICE = edit(
    """    - navn: Jens Møller""",
    """    - navn: lone  bæk
      titel: Afdelingssygeplejerske
      organisation: Hospitalsenhed Midt
    - navn: Jens Møller""",
)

# (rule id, flawed answer text, fragment of the message)
TRIPS = [
    ("formandskab-todelt", ONE_CHAIR, "der er kun én formand"),
    ("formandskab-begge-sider", BOTH_MUNICIPAL, "begge formænd kommer fra kommune"),
    ("formandskab-begge-sider", BOTH_HOSPITAL, "begge formænd kommer fra hospital/psykiatri"),
    ("tidsplan-inden-for-perioden", MILESTONE_AFTER_END, "milepælen (15. januar 2028) ligger efter gruppens slutdato (17. december 2027)"),
    ("tidsplan-inden-for-perioden", REPORT_BEFORE_START, "afrapporteringen (10. december 2026) ligger før gruppens start"),
    ("tidsplan-kronologisk", OUT_OF_ORDER, "sæt punkterne i tidsorden"),
    ("opdragsgiver", WRONG_COMMISSIONER, '"Direktørkredsen" er ikke blandt dem, der kan nedsætte grupper (Klyngestyregruppen, '),
    ("afrapportering", REPORTS_ELSEWHERE, '"Direktørkredsen" er ikke blandt dem, der modtager afrapportering (Klyngestyregruppen, '),
    ("afrapportering-til-opdragsgiver", REPORTS_TO_OTHER_GROUP, "ingen afrapportering går til Voksentemagruppen for somatik"),
    ("patientperspektiv", DISMISSED_PATIENTS, '"Ikke relevant" siger ikke, hvordan'),
    ("personer-dubletter", CHAIR_ALSO_MEMBER, "Søren Østergaard står både som formand"),
    ("personer-dubletter", MEMBER_TWICE, "lone  bæk står to gange"),
]


ALSO = {"opdragsgiver": {"afrapportering-til-opdragsgiver"}, "afrapportering": {"afrapportering-til-opdragsgiver"}}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_shipped_examples_pass_every_rule(example):
    # A finding an example waives, with its written reason, is shown as waived, not as a fault.
    assert [f for f in findings(example.read_text(encoding="utf-8")) if not f.waived] == []


@pytest.mark.parametrize("rule_id, text, fragment", TRIPS, ids=[f"{t[0]}-{i}" for i, t in enumerate(TRIPS)])
def test_each_rule_trips_on_a_flawed_file(rule_id, text, fragment):
    found = [f for f in findings(text) if f.rule == rule_id]
    assert found, ids(text)
    assert any(fragment in f.message for f in found), [f.message for f in found]
    assert all(f.severity == RULES_BY_ID[rule_id].severity for f in found)
    # Nothing else trips, except where one flaw is also another (a report to a body that did
    # not commission the group is also not a report to the one that did).
    others = {f.rule for f in findings(text)} - {rule_id}
    assert others <= ALSO.get(rule_id, set()), others


def test_a_finding_points_at_the_line_of_the_field():
    found = [f for f in findings(MILESTONE_AFTER_END) if f.rule == "tidsplan-inden-for-perioden"][0]
    source = source_of(MILESTONE_AFTER_END)
    line = source.line(found.path)
    assert line == line_of(MILESTONE_AFTER_END, "2028-01-15")
    assert found.field == "tidsplan.milepaele[4].dato"
    assert format_problem(found, source) == (
        f"x.yaml:{line}: [tidsplan-inden-for-perioden] fejl: tidsplan.milepaele[4].dato: "
        "milepælen (15. januar 2028) ligger efter gruppens slutdato (17. december 2027); ret datoen, eller flyt slutdatoen"
    )


def test_organisations_are_sorted_into_sides():
    assert side_of("Skive Kommune") == side_of("Socialpsykiatrien, Viborg Kommune") == "kommune"
    assert side_of("Hospitalsenhed Midt") == side_of("Regionspsykiatrien Midt") == side_of("HE Midt") == "hospital"
    assert side_of("Børne- og Ungdomspsykiatrien") == "hospital"
    assert side_of("Almen praksis") is None and side_of("Patient- og pårørenderepræsentant") is None
    assert same_organisation("HE Midt", "Hospitalsenhed Midt")
    assert same_organisation("Regionspsykiatrien", "Regionspsykiatrien Midt")
    assert same_organisation("Viborg Kommune", "viborg kommune") and not same_organisation("Viborg Kommune", "Skive Kommune")


def test_every_rule_is_data_with_a_quoted_source():
    from drafter import workspace

    seeds = workspace.builtin_profile("midtklyngen")  # the seeds' own words are profile data
    assert len(RULES_BY_ID) == len(RULES)
    for r in RULES:
        assert r.severity in (ERROR, WARNING)
        assert r.source and '"' not in r.source, r.id  # the code states the basis, quoting no organisation
        if "navne" in r.data:  # names with dates come from the law, for every organisation, not from the seeds
            assert "L 214" in r.source
            continue
        quoted = seeds.rule_setting(r.id)["kilde"]
        assert quoted.startswith('"') and "003" in quoted, r.id
        assert r.needs and all("." in path for path in r.needs)


# -- rules on values the built-in questionnaire already requires: a secretariat's own kind ---

def optional_adhoc_kind(folder: Path, optional: tuple[str, ...]) -> Path:
    """The ad-hoc kind with some required questions made optional (a user's own kind folder)."""
    data = yaml.safe_load((REPO / "drafter" / "kinds" / "adhoc.yaml").read_text(encoding="utf-8"))
    for section in data["sections"]:
        for question in section["questions"]:
            if f"{section['key']}.{question['key']}" in optional:
                question["required"] = False
    folder.mkdir(exist_ok=True)
    (folder / "adhoc.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def without(text: str, *blocks: str) -> str:
    for block in blocks:
        assert block in text, block
        text = text.replace(block, "")
    return text


EMPTY_BY_PATH = {
    "tidsplan.slut": ("tidsplan-slutdato", lambda t: edit("  slut: 2027-12-17\n", "", t), "slutdatoen mangler"),
    "tidsplan.rapportering": (
        "afrapportering",
        lambda t: t[: t.index("  rapportering:")] + t[t.index("# 5. Kommunikationsplan"):],
        "der er ingen afrapportering med dato",
    ),
    "opgaver.patientperspektiv": (
        "patientperspektiv",
        lambda t: t[: t.index("  patientperspektiv:")] + t[t.index("# 3. Formandskab"):],
        "beskriv, hvordan patient- og pårørendeperspektivet inddrages",
    ),
    "kommunikation.interessenter": (
        "kommunikationsplan",
        lambda t: t[: t.index("  interessenter:")] + t[t.index("  plan:"):],
        "nævn mindst én interessent",
    ),
    "kommunikation.plan": (
        "kommunikationsplan",
        lambda t: t[: t.index("  plan:")] + t[t.index("# 6. Afslutning"):],
        "hvem der informerer, og hvem der informeres",
    ),
}


@pytest.mark.parametrize("path", sorted(EMPTY_BY_PATH))
def test_rules_on_missing_values_in_a_kind_where_they_are_optional(path, tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTER_KINDS_PATH", str(optional_adhoc_kind(tmp_path / "kinds", tuple(EMPTY_BY_PATH))))
    rule_id, cut, fragment = EMPTY_BY_PATH[path]
    assert findings(EXAMPLE_TEXT) == []  # passes with the value
    flawed = cut(EXAMPLE_TEXT)
    found = [f for f in findings(flawed) if f.rule == rule_id]
    assert found and fragment in found[0].message, ids(flawed)
    # In a draft (complete: false) a value not given yet is no finding.
    draft = flawed.replace("schema_version: 1\n", "schema_version: 1\ncomplete: false\n")
    assert rule_id not in ids(draft)


def test_a_rule_is_skipped_when_the_kind_lacks_its_fields(tmp_path, monkeypatch):
    data = yaml.safe_load((REPO / "drafter" / "kinds" / "adhoc.yaml").read_text(encoding="utf-8"))
    data["sections"] = [s for s in data["sections"] if s["key"] not in ("tidsplan", "kommunikation")]
    data.pop("extends", None)
    data["kind"] = "udentidsplan"
    folder = tmp_path / "kinds"
    folder.mkdir()
    (folder / "udentidsplan.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("DRAFTER_KINDS_PATH", str(folder))
    text = EXAMPLE_TEXT.replace("kind: adhoc", "kind: udentidsplan")
    text = text[: text.index("# 4. Tidsplan")] + text[text.index("# 6. Afslutning"):]
    from drafter.questionnaire import load_questionnaire
    from drafter.rules import rules_for

    applied = {r.id for r in rules_for(load_questionnaire("udentidsplan"))}
    assert not applied & {"tidsplan-slutdato", "tidsplan-inden-for-perioden", "kommunikationsplan", "afrapportering", "opdragsgiver"}
    assert "formandskab-todelt" in applied
    assert findings(text) == []


# -- theme groups and the rotation plan -------------------------------------------------------

THEME_KIND = {
    "kind": "temagruppe",
    "schema_version": 1,
    "name": "Temagruppe (testtype)",
    "description": "Kommissorium for en temagruppe.",
    "sections": [
        {"key": "gruppe", "title": "Gruppen", "questions": [
            {"key": "navn", "type": "text", "prompt": "Navn?", "required": True},
            {"key": "periode", "type": "text", "prompt": "Periode?", "required": True}]},
        {
            "key": "formandskab",
            "title": "Formandskab",
            "questions": [
                {
                    "key": "formaend",
                    "type": "records",
                    "prompt": "Formænd?",
                    "required": True,
                    "fields": [
                        {"key": "navn", "type": "text", "prompt": "Navn", "required": True},
                        {"key": "organisation", "type": "text", "prompt": "Organisation", "required": True},
                        {"key": "fra", "type": "date", "prompt": "Medformand fra", "required": False},
                    ],
                }
            ],
        },
    ],
}

# The seed's rotation plan for two theme groups (003, "Plan for kommunernes rotation").
PLAN = {
    "Voksentemagruppen for somatik": {
        2021: ("HE Midt", "Skive Kommune"), 2022: ("HE Midt", "Skive Kommune"),
        2023: ("HE Midt", "Silkeborg Kommune"), 2024: ("HE Midt", "Silkeborg Kommune"), 2025: ("HE Midt", "Silkeborg Kommune"),
        2026: ("HE Midt", "Viborg Kommune"), 2027: ("HE Midt", "Viborg Kommune"),
        2028: ("HE Midt", "Skive Kommune"), 2029: ("HE Midt", "Skive Kommune"),
    },
}


class FakeReference:
    """The interface the rules expect of drafter.reference (issue 4): rotation_pair(group, year)."""

    @staticmethod
    def rotation_pair(group, year):
        return PLAN.get(group, {}).get(int(year))


def theme_answers(period: str, chairs: list[dict]) -> str:
    return yaml.safe_dump(
        {
            "kind": "temagruppe",
            "schema_version": 1,
            "gruppe": {"navn": "Voksentemagruppen for somatik", "periode": period},
            "formandskab": {"formaend": chairs},
        },
        allow_unicode=True,
        sort_keys=False,
    )


@pytest.fixture
def theme_kind(tmp_path, monkeypatch):
    folder = tmp_path / "kinds"
    folder.mkdir()
    (folder / "temagruppe.yaml").write_text(yaml.safe_dump(THEME_KIND, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("DRAFTER_KINDS_PATH", str(folder))
    monkeypatch.setitem(sys.modules, "drafter.reference", FakeReference)
    return folder


HE = {"navn": "Anne Holm", "organisation": "Hospitalsenhed Midt"}


def test_rotation_plan_agrees(theme_kind):
    text = theme_answers("2023-2025", [HE, {"navn": "Bo Lind", "organisation": "Silkeborg Kommune"}])
    assert ids(text) == []


def test_rotation_plan_disagrees_and_names_the_plans_pair(theme_kind):
    text = theme_answers("2023-2025", [HE, {"navn": "Bo Lind", "organisation": "Viborg Kommune"}])
    found = [f for f in findings(text) if f.rule == "formandskab-rotation"]
    assert len(found) == 1 and found[0].severity == WARNING
    assert "i perioden 2023-2025 formandskabet HE Midt og Silkeborg Kommune" in found[0].message
    assert "Hospitalsenhed Midt og Viborg Kommune" in found[0].message


def test_hospital_co_chair_not_replaced_in_a_municipal_change_year(theme_kind):
    chairs = [dict(HE, fra="2024-03-01"), {"navn": "Bo Lind", "organisation": "Silkeborg Kommune", "fra": "2023-01-01"}]
    assert ids(theme_answers("2023-2025", chairs)) == []
    # 2026: the plan hands the municipal chair from Silkeborg to Viborg.
    chairs = [dict(HE, fra="2026-02-01"), {"navn": "Ea Vang", "organisation": "Viborg Kommune", "fra": "2026-01-01"}]
    found = [f for f in findings(theme_answers("2026-2027", chairs)) if f.rule == "formandskab-skifte-samme-aar"]
    assert len(found) == 1 and found[0].severity == ERROR
    assert found[0].field == "formandskab.formaend[1].fra"
    assert "Anne Holm (Hospitalsenhed Midt) bliver medformand i 2026" in found[0].message


def test_rotation_plan_with_the_period_and_co_chairs_as_text(tmp_path, monkeypatch):
    # The shape of issue 4's theme-group kind: gruppe.periode "2026-2027", one text for the chairs.
    kind = {
        **THEME_KIND,
        "sections": [
            {"key": "gruppe", "title": "Gruppen", "questions": [
                {"key": "navn", "type": "text", "prompt": "Navn?", "required": True},
                {"key": "periode", "type": "text", "prompt": "Periode?", "required": True}]},
            {"key": "formandskab", "title": "Formandskab", "questions": [
                {"key": "medformandskab", "type": "text", "prompt": "Hvem?", "required": False}]},
        ],
    }
    folder = tmp_path / "kinds"
    folder.mkdir()
    (folder / "temagruppe.yaml").write_text(yaml.safe_dump(kind, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("DRAFTER_KINDS_PATH", str(folder))
    monkeypatch.setitem(sys.modules, "drafter.reference", FakeReference)

    def answers(chairs: str) -> str:
        return yaml.safe_dump({"kind": "temagruppe", "schema_version": 1,
                               "gruppe": {"navn": "Voksentemagruppen for somatik", "periode": "2026-2027"},
                               "formandskab": {"medformandskab": chairs}}, allow_unicode=True)

    assert ids(answers("HE Midt og Viborg Kommune")) == []
    found = findings(answers("Hospitalsenhed Midt og Skive Kommune"))
    assert [f.field for f in found] == ["formandskab.medformandskab"]
    assert "i perioden 2026-2027 formandskabet HE Midt og Viborg Kommune" in found[0].message


def test_rotation_plan_from_the_reference_data_on_a_shipped_theme_group():
    # The real kind and the real plan (drafter/profiles/midtklyngen.yaml): somatik 2026-2027 is HE Midt and Viborg.
    example = REPO / "answers" / "temagruppe-voksentemagruppen-for-somatik.yaml"
    if not example.exists():
        pytest.skip("no theme-group example in this checkout")
    text = example.read_text(encoding="utf-8")
    assert "  periode: 2026-2027" in text and "medformandskab: HE Midt og Viborg Kommune" in text
    assert ids(text) == []
    found = findings(text.replace("medformandskab: HE Midt og Viborg Kommune", "medformandskab: HE Midt og Skive Kommune"))
    assert [f.rule for f in found] == ["formandskab-rotation"]
    assert "i perioden 2026-2027 formandskabet HE Midt og Viborg Kommune" in found[0].message


def test_theme_group_rules_skip_without_reference_data(theme_kind, monkeypatch):
    monkeypatch.setitem(sys.modules, "drafter.reference", None)  # import fails: no reference data
    text = theme_answers("2023-2025", [dict(HE, fra="2026-02-01"), {"navn": "Bo Lind", "organisation": "Viborg Kommune"}])
    assert ids(text) == []


def test_theme_group_rules_skip_for_other_kinds():
    assert not {"formandskab-rotation", "formandskab-skifte-samme-aar"} & set(ids(EXAMPLE_TEXT))


# -- waivers ---------------------------------------------------------------------------------

WAIVED = ONE_CHAIR.replace(
    "schema_version: 1\n",
    "schema_version: 1\nundtagelser:\n  - regel: formandskab-todelt\n    begrundelse: Gruppen er en intern arbejdsgruppe i hospitalet med én faglig leder.\n",
)


def test_a_waived_rule_is_shown_with_its_reason():
    found = findings(WAIVED)
    assert [f.rule for f in found] == ["formandskab-todelt"]
    assert found[0].waived.startswith("Gruppen er en intern arbejdsgruppe")
    shown = format_problem(found[0])
    assert "undtaget" in shown and "Gruppen er en intern arbejdsgruppe" in shown
    assert not found[0].is_error(strict=True)


@pytest.mark.parametrize(
    "waiver, fragment",
    [
        ("  - regel: formandskab-todelt\n", "mangler en skrevet begrundelse"),
        ("  - regel: formandskab-todelt\n    begrundelse: ok\n", "mangler en skrevet begrundelse"),
        ("  - regel: formandskab-todeltt\n    begrundelse: Fordi det er sådan her.\n", "ukendt regel 'formandskab-todeltt'; mente du \"formandskab-todelt\"?"),
        ("  - formandskab-todelt\n", "hver undtagelse skal have 'regel:' og 'begrundelse:'"),
    ],
)
def test_a_waiver_without_reason_or_for_an_unknown_rule_is_an_error(waiver, fragment):
    text = ONE_CHAIR.replace("schema_version: 1\n", "schema_version: 1\nundtagelser:\n" + waiver)
    found = [f for f in findings(text) if f.rule == "undtagelse"]
    assert found and found[0].severity == ERROR and fragment in found[0].message, [f.message for f in findings(text)]
    assert source_of(text).line(found[0].path) in (line_of(text, "undtagelser:") + 1, line_of(text, "undtagelser:") + 2)  # the waiver's own line
    # The rule it tried to waive is not waived.
    assert [f for f in findings(text) if f.rule == "formandskab-todelt"][0].waived is None


def test_an_unused_waiver_is_pointed_out():
    text = EXAMPLE_TEXT.replace(
        "schema_version: 1\n", "schema_version: 1\nundtagelser:\n  - regel: formandskab-todelt\n    begrundelse: Kun én formand i starten.\n"
    )
    found = findings(text)
    assert [(f.rule, f.severity) for f in found] == [("undtagelse", WARNING)]
    assert "melder intet her" in found[0].message


def test_waivers_survive_saving_the_answers():
    from drafter.yamlio import to_yaml

    answers = check_file(parse_answer_text(WAIVED.encode("utf-8"), "x.yaml"))
    again = to_yaml(answers.questionnaire, answers.values, meta={"undtagelser": answers.data["undtagelser"]})
    assert [f.waived for f in findings(again)] == [f.waived for f in findings(WAIVED)]


# -- the command line --------------------------------------------------------------------------

def test_check_prints_file_line_rule_message_and_exits_by_severity(workdir):
    (workdir / "answers" / "en-formand.yaml").write_text(ONE_CHAIR, encoding="utf-8")
    (workdir / "answers" / "efter-slut.yaml").write_text(MILESTONE_AFTER_END, encoding="utf-8")
    warn = run_cli("check", "answers/en-formand.yaml", cwd=workdir)
    assert warn.returncode == 0, warn.stdout + warn.stderr
    line = line_of(ONE_CHAIR, "  formaend:")
    assert f"answers/en-formand.yaml:{line}: [formandskab-todelt] advarsel: formandskab.formaend: der er kun én formand" in warn.stdout
    strict = run_cli("check", "--strict", "answers/en-formand.yaml", cwd=workdir)
    assert_clean_failure(strict, f"answers/en-formand.yaml:{line}: [formandskab-todelt] fejl:")
    error = run_cli("check", "answers/efter-slut.yaml", "answers/en-formand.yaml", cwd=workdir)
    assert_clean_failure(error, f"answers/efter-slut.yaml:{line_of(MILESTONE_AFTER_END, '2028-01-15')}: [tidsplan-inden-for-perioden] fejl:")
    assert "answers/en-formand.yaml" in error.stdout  # the other file is still checked


def test_list_rules_names_every_rule_with_severity_and_source():
    result = run_cli("check", "--list-rules")
    assert result.returncode == 0, result.stderr
    for r in RULES:
        assert any(line.startswith(r.id) and r.severity in line for line in result.stdout.splitlines()), r.id
    assert result.stdout.count("kilde:") == len(RULES)
    assert "som udgangspunkt nedsættes et to-delt formandskab" in result.stdout


def test_check_without_files_and_without_an_answers_folder_is_a_usage_error(tmp_path):
    assert_clean_failure(run_cli("check", cwd=tmp_path), "angiv mindst én svarfil", "mappen answers")


def test_check_without_files_checks_the_answers_folder_as_status_does(workdir):
    result = run_cli("check", cwd=workdir)
    listed = run_cli("status", cwd=workdir)
    assert listed.returncode == 0, listed.stderr
    for path in sorted((workdir / "answers").glob("*.yaml")):
        assert f"answers/{path.name}" in result.stdout + result.stderr
    assert result.returncode == (1 if "kladde" in listed.stdout else 0), result.stdout + result.stderr


def test_render_refuses_rule_errors_and_shows_warnings(workdir):
    (workdir / "answers" / "efter-slut.yaml").write_text(MILESTONE_AFTER_END, encoding="utf-8")
    (workdir / "answers" / "en-formand.yaml").write_text(ONE_CHAIR, encoding="utf-8")
    refused = run_cli("render", "answers/efter-slut.yaml", cwd=workdir)
    assert_clean_failure(refused, "[tidsplan-inden-for-perioden] fejl:", "dokumentet laves ikke")
    assert not (workdir / "out" / "efter-slut.docx").exists()
    warned = run_cli("render", "answers/en-formand.yaml", cwd=workdir)
    assert warned.returncode == 0, warned.stderr
    assert "[formandskab-todelt] advarsel:" in warned.stderr
    assert (workdir / "out" / "en-formand.docx").exists()
    (workdir / "answers" / "undtaget.yaml").write_text(WAIVED, encoding="utf-8")
    waived = run_cli("render", "answers/undtaget.yaml", cwd=workdir)
    assert waived.returncode == 0 and "[formandskab-todelt] undtaget:" in waived.stderr


def test_drafter_edit_keeps_the_waivers(workdir):
    from interview_keys import ENTER, piped

    from drafter import interview

    path = workdir / "answers" / "undtaget.yaml"
    path.write_text(WAIVED, encoding="utf-8")
    with piped(ENTER * 4):  # section 6: keep both texts as they are (Enter on the empty line after each ends it)
        result = interview.edit(path, section="6", out_dir=workdir / "out")
    assert result.output is not None and result.output.exists()
    saved = path.read_text(encoding="utf-8")
    assert "undtagelser:" in saved and "Gruppen er en intern arbejdsgruppe" in saved
    assert [f.waived is not None for f in findings(saved)] == [True]
