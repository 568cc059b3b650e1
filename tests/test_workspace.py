"""Workspaces and organisation profiles (issue 11): drafter init, finding drafter.yaml,
profiles shipped as data, the documents that follow the profile, and kinds that take away."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import ANSWERS_DIR, REPO, assert_clean_failure, docx_text, run_cli

EIGHT = [
    "implementeringsnetvaerk-amning",
    "klyngestyregruppe-midtklyngen",
    "overgang-fra-boerne-til-voksenpsykiatri",
    "projektgruppe-digital-opfoelgning-kol",
    "temagruppe-boern-unge-og-familie",
    "temagruppe-voksentemagruppen-for-psykiatri",
    "temagruppe-voksentemagruppen-for-somatik",
    "udskrivelse-af-skroebelige-aeldre",
]
ARBEJDSGRUPPE = "arbejdsgruppe-faelles-sprog-om-rehabilitering"


def all_text(docx: Path) -> str:
    """Every XML part of a .docx (body, headers, footers, properties), tags removed."""
    with zipfile.ZipFile(io.BytesIO(docx.read_bytes())) as archive:
        parts = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml")]
    return re.sub(r"<[^>]+>", " ", "\n".join(parts))


def init(where: Path, profile: str, with_examples: list[str]) -> Path:
    result = run_cli("init", where, "--profile", profile, cwd=where.parent)
    assert result.returncode == 0, result.stderr
    for stem in with_examples:
        shutil.copy(ANSWERS_DIR / f"{stem}.yaml", where / "answers")
    return where


@pytest.fixture(scope="module")
def today(tmp_path_factory) -> dict[str, bytes]:
    """The eight examples rendered in their own workspace (drafter.yaml naming the built-in
    profile midtklyngen), as a checkout renders them."""
    work = tmp_path_factory.mktemp("examples")
    shutil.copytree(ANSWERS_DIR, work / "answers")
    shutil.copy(REPO / "drafter.yaml", work / "drafter.yaml")
    result = run_cli("render", *[f"answers/{s}.yaml" for s in EIGHT], cwd=work)
    assert result.returncode == 0, result.stderr
    return {s: (work / "out" / f"{s}.docx").read_bytes() for s in EIGHT}


def test_a_midtklyngen_workspace_renders_the_examples_byte_for_byte_as_the_examples_own(tmp_path, today):
    ws = init(tmp_path / "w", "midtklyngen", EIGHT)
    result = run_cli("render", ".", cwd=ws / "answers")  # the workspace is found by walking up
    assert result.returncode == 0, result.stderr
    for stem in EIGHT:
        assert (ws / "out" / f"{stem}.docx").read_bytes() == today[stem], stem
    # The wording that moved into the profile is still what the documents say.
    adhoc = docx_text(ws / "out" / "udskrivelse-af-skroebelige-aeldre.docx")
    assert "Ad-hoc gruppe i Midtklyngen" in adhoc
    assert "Rapportering til klynge-temagruppen eller klyngestyregruppen" in adhoc
    assert "Bilag 1: Sundhedsklynger" in docx_text(ws / "out" / "implementeringsnetvaerk-amning.docx")
    assert "Temagruppe i Midtklyngen" in docx_text(ws / "out" / "temagruppe-boern-unge-og-familie.docx")


def test_neutral_profile_says_nothing_of_midtklyngen_clusters_or_theme_groups(tmp_path):
    ws = init(tmp_path / "w", "neutral", [ARBEJDSGRUPPE, "udskrivelse-af-skroebelige-aeldre"])
    result = run_cli("render", f"answers/{ARBEJDSGRUPPE}.yaml", cwd=ws)
    assert result.returncode == 0, result.stderr
    text = all_text(ws / "out" / f"{ARBEJDSGRUPPE}.docx").lower()
    for word in ("midtklyngen", "klynge", "temagruppe", "region midtjylland", "he midt"):
        assert word not in text, word
    # The adhoc template's own wording follows the profile too: no word for the report
    # receivers in the profile, so the heading says only "Rapportering".
    result = run_cli("render", "answers/udskrivelse-af-skroebelige-aeldre.yaml", cwd=ws)
    assert result.returncode == 0, result.stderr
    adhoc = docx_text(ws / "out" / "udskrivelse-af-skroebelige-aeldre.docx")
    assert "\nRapportering\n" in adhoc
    assert "klynge-temagruppen" not in adhoc


# Midtklyngen's names (organisation, parties, groups, municipalities, the region's other
# clusters) -> another organisation's. Longest first, so a name inside a longer one goes with it.
RENAMES = {
    "Fællessekretariatet i Midtklyngen": "Sekretariatet i Nordrådet",
    "Psykiatrien i Region Midtjylland": "Psykiatrien i Region Nordland",
    "Regionspsykiatrien Midt": "Nordpsykiatrien Vest",
    "Regionspsykiatrien": "Nordpsykiatrien",
    "Hospitalsenhed Midt": "Sygehus Nordvest",
    "HE Midt": "SNV",
    "Region Midtjyllands": "Region Nordlands",
    "Region Midtjylland": "Region Nordland",
    "Voksentemagruppen for somatik": "Fagrådet for somatik",
    "Voksentemagruppen for psykiatri": "Fagrådet for psykiatri",
    "Temagruppen for børn, unge og familie": "Fagrådet for børn, unge og familie",
    "Voksentemagruppen somatik": "Fagrådet for somatik",  # the seed's own spellings vary
    "Temagruppen børn, unge og familien": "Fagrådet for børn, unge og familie",
    "Klyngestyregruppe": "Rådsstyregruppe",  # also in "klyngestyregruppemøder"
    "Klynge-temagruppen eller Klyngestyregruppen": "fagrådet eller rådsstyregruppen",
    "klynge-temagruppen eller klyngestyregruppen": "fagrådet eller rådsstyregruppen",
    "Midtklyngen": "Nordrådet",
    "Midtklyngens": "Nordrådets",
    "Gødstrupklyngen": "Vestrådet",
    "Horsensklyngen": "Sydrådet",
    "Randersklyngen": "Østrådet",
    "Aarhusklyngen": "Bydrådet",
    "Silkeborg": "Aabybro",
    "Skive": "Brovst",
    "Viborg": "Fjerritslev",
    "PLO-Midt": "PLO-Nord",
    "Fødeplanudvalget": "Fødselsudvalget",
}
OLD_NAMES = [
    "Midtklyngen", "Hospitalsenhed Midt", "HE Midt", "Regionspsykiatrien", "Midtjylland", "Klyngestyregruppe",
    "Voksentemagruppen", "Temagruppen for børn", "Silkeborg", "Skive", "Viborg", "Gødstrupklyngen",
    "Horsensklyngen", "Randersklyngen", "Aarhusklyngen", "PLO-Midt", "Fødeplanudvalget",
]


def renamed(text: str) -> str:
    """*text* with every old name replaced; the kind (a name of drafter's, not of Midtklyngen's) stays."""
    kind_lines = re.findall(r"^kind: .*$", text, flags=re.M)
    for old, new in sorted(RENAMES.items(), key=lambda item: -len(item[0])):
        text = text.replace(old, new).replace(old[0].lower() + old[1:], new[0].lower() + new[1:])
    for line in kind_lines:
        text = re.sub(r"^kind: .*$", line, text, count=1, flags=re.M)
    return text


def test_another_organisations_names_in_the_workspace_files_only_reach_every_document(tmp_path):
    ws = init(tmp_path / "w", "midtklyngen", EIGHT)
    for path in [ws / "drafter.yaml", *sorted((ws / "answers").glob("*.yaml"))]:
        path.write_text(renamed(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_cli("render", "answers/", cwd=ws)
    assert result.returncode == 0, result.stdout + result.stderr
    for stem in EIGHT:
        text = all_text(ws / "out" / f"{stem}.docx")
        leftovers = [name for name in OLD_NAMES if name.lower() in text.lower()]
        assert not leftovers, (stem, leftovers)
    assert "Ad-hoc gruppe i Nordrådet" in docx_text(ws / "out" / "udskrivelse-af-skroebelige-aeldre.docx")
    assert "Rapportering til fagrådet eller rådsstyregruppen" in docx_text(ws / "out" / "udskrivelse-af-skroebelige-aeldre.docx")


SUNDHEDSRAAD_PROFILE = """\
# Sundhedsrådets egen profil, skrevet i hånden.
schema_version: 1
organisation:
  navn: Sundhedsråd Vestkysten
  type: sundhedsråd
sekretariat: Sekretariatet for Sundhedsråd Vestkysten
forfatter: Sekretariatet
formandskab:
  model: en
parter:
  - {navn: Sygehus Vestkysten, side: region}
  - {navn: Havby Kommune, side: kommune}
  - {navn: Almen praksis, side: almen praksis}
grupper:
  - {key: styregruppe, navn: Styregruppen, nedsaetter: true, modtager_rapporter: true}
  - {key: forebyggelse, navn: Arbejdsgruppen for forebyggelse, modtager_rapporter: true}
ord:
  organisation: Sundhedsråd
  rapportering_til: styregruppen
"""
# The council's own adhoc kind: no communication plan, the handover optional.
SUNDHEDSRAAD_ADHOC = """\
extends: adhoc
kind: adhoc
remove: [kommunikation]
sections:
  - key: afslutning
    questions:
      - key: overdragelse
        required: false
"""


def _sundhedsraad_adhoc() -> str:
    text = (ANSWERS_DIR / "udskrivelse-af-skroebelige-aeldre.yaml").read_text(encoding="utf-8")
    text = text.replace("  nedsat_af: Voksentemagruppen for somatik", "  nedsat_af: Styregruppen")
    text = text.replace("  klynge: Midtklyngen", "  klynge: Sundhedsråd Vestkysten")
    text = text.replace("      modtager: Voksentemagruppen for somatik", "      modtager: Styregruppen")
    # One chair; the second becomes a member.
    start = text.index("  formaend:")
    second = text.index("    - navn:", text.index("    - navn:", start) + 1)
    members = text.index("  medlemmer:")
    text = text[:second] + text[members:]
    # The council removed the communication plan and the handover is optional.
    text = text[: text.index("# 5. Kommunikationsplan")] + text[text.index("# 6. Afslutning"):]
    return re.sub(r"  overdragelse: \|\n(    .*\n|\n)*", "", text)


def test_a_sundhedsraad_workspace_made_of_files_only_renders_without_waivers(tmp_path):
    ws = tmp_path / "raad"
    for folder in ("answers", "kinds"):
        (ws / folder).mkdir(parents=True)
    (ws / "drafter.yaml").write_text(SUNDHEDSRAAD_PROFILE, encoding="utf-8")
    (ws / "kinds" / "adhoc.yaml").write_text(SUNDHEDSRAAD_ADHOC, encoding="utf-8")
    group = (ANSWERS_DIR / f"{ARBEJDSGRUPPE}.yaml").read_text(encoding="utf-8")
    group = group.replace("Styregruppen for sundhedssamarbejdet", "Styregruppen").replace("  model: to-delt formandskab", "  model: én formand")
    group = group[: group.index("    - navn: Morten Iversen")] + group[group.index("sekretariat:"):]
    # The council's own file names no agreement that ended with the reform (the example does, and waives it).
    group = group.replace("    - Sundhedsaftalen 2024-2027\n", "")
    group = group[: group.index("# Sundhedsaftalen ophører")].rstrip("\n") + "\n"
    (ws / "answers" / "arbejdsgruppe.yaml").write_text(group, encoding="utf-8")
    adhoc = _sundhedsraad_adhoc()
    assert "undtagelser" not in adhoc and "undtagelser" not in group
    (ws / "answers" / "adhoc.yaml").write_text(adhoc, encoding="utf-8")

    check = run_cli("check", "--strict", "answers/arbejdsgruppe.yaml", "answers/adhoc.yaml", cwd=ws)
    assert check.returncode == 0, check.stdout + check.stderr
    result = run_cli("render", "answers/", cwd=ws)
    assert result.returncode == 0, result.stdout + result.stderr
    text = docx_text(ws / "out" / "adhoc.docx")
    assert "Ad-hoc gruppe i Sundhedsråd Vestkysten" in text
    assert "Rapportering til styregruppen" in text
    assert "Kommunikationsplan" not in text and "Overdragelse" not in text
    assert "Gruppen ledes af en formand." in docx_text(ws / "out" / "arbejdsgruppe.docx")
    # The two-part chair rules are skipped, and say why.
    rules = run_cli("check", "--list-rules", cwd=ws)
    assert "springes over: profilens formandskab er én formand, ikke to-delt" in rules.stdout
    # The seed's quotes are Midtklyngen's profile data; this profile has none, so the basis shows.
    assert "kilde:    Profilens grupper, der kan nedsætte grupper (nedsaetter: true)." in rules.stdout
    assert "HE Midt" not in rules.stdout and "Klyngestyregruppen" not in rules.stdout
    # With the default profile the same adhoc file breaks the collaboration's rules.
    outside = run_cli("check", ws / "answers" / "adhoc.yaml", cwd=tmp_path)
    assert outside.returncode != 0


def test_init_on_an_existing_workspace_changes_nothing(tmp_path):
    ws = init(tmp_path / "w", "neutral", [])
    before = (ws / "drafter.yaml").read_bytes()
    result = run_cli("init", ws, "--profile", "midtklyngen", cwd=tmp_path)
    assert result.returncode == 0
    assert "findes allerede; intet er ændret" in result.stdout
    assert (ws / "drafter.yaml").read_bytes() == before
    assert sorted(p.name for p in ws.iterdir()) == ["README.md", "answers", "drafter.yaml", "kinds", "out", "templates"]


def test_a_bad_drafter_yaml_is_reported_with_file_line_and_field(tmp_path):
    ws = init(tmp_path / "w", "midtklyngen", [])
    text = (ws / "drafter.yaml").read_text(encoding="utf-8")
    text = text.replace("  model: todelt", "  model: tredelt").replace("    nedsaetter: true", "    nedsaeter: true", 1)
    (ws / "drafter.yaml").write_text(text, encoding="utf-8")
    result = run_cli("kinds", cwd=ws / "answers")
    line = text.splitlines().index("  model: tredelt") + 1
    assert_clean_failure(result, f"drafter.yaml:{line}: formandskab.model: \"tredelt\" er ikke en af mulighederne")
    assert 'grupper[1].nedsaeter: ukendt felt; mente du "nedsaetter"?' in result.stderr


def test_an_unknown_rule_in_the_profile_is_named_by_file_line_and_field(tmp_path):
    ws = init(tmp_path / "w", "neutral", ["udskrivelse-af-skroebelige-aeldre"])
    text = (ws / "drafter.yaml").read_text(encoding="utf-8")
    text += "regler:\n  formandskab-todeltt:\n    alvor: advarsel\n    begrundelse: Vi har ingen todelt model.\n"
    (ws / "drafter.yaml").write_text(text, encoding="utf-8")
    line = text.splitlines().index("  formandskab-todeltt:") + 1
    message = (f"drafter.yaml:{line}: regler.formandskab-todeltt: ukendt regel 'formandskab-todeltt'; "
               'mente du "formandskab-todelt"? (se: drafter check --list-rules)')
    assert_clean_failure(run_cli("check", cwd=ws), message)
    # The list of rules says the same and fails, and still lists every rule drafter knows.
    listed = run_cli("check", "--list-rules", cwd=ws)
    assert_clean_failure(listed, message)
    from drafter.rules import RULES

    assert [line.split()[0] for line in listed.stdout.splitlines() if line and not line[0].isspace()][:-1] == \
        [rule.id for rule in RULES]


def test_the_yaml_reader_names_a_profile_a_kind_and_an_answer_file_as_what_they_are(tmp_path):
    """One reader for every YAML file; its messages say which kind of file is wrong."""
    ws = init(tmp_path / "w", "neutral", [])
    profile = ws / "drafter.yaml"
    valid = profile.read_text(encoding="utf-8")
    profile.write_text(valid + "ord: &ord\n  tema: x\nmere: *ord\n", encoding="utf-8")
    assert_clean_failure(run_cli("kinds", cwd=ws), "drafter.yaml:",
                         "YAML-ankre og -aliaser (& og *) kan ikke bruges i en profil; skriv værdien ud")
    profile.write_text("organisation: !!python/name:os.system\n", encoding="utf-8")
    assert_clean_failure(run_cli("kinds", cwd=ws), "drafter.yaml:1: organisation: YAML-mærket '!!python/name:os.system' "
                                                   "er ikke tilladt i en profil")
    profile.write_text(valid, encoding="utf-8")
    (ws / "kinds" / "egen.yaml").write_text("kind: egen\nname: !!binary aGVq\n", encoding="utf-8")
    result = run_cli("kinds", cwd=ws)
    assert_clean_failure(result, "egen.yaml:2: name: YAML-mærket '!!binary' er ikke tilladt i en typefil")
    (ws / "answers" / "x.yaml").write_text("kind: adhoc\n---\nkind: adhoc\n", encoding="utf-8")
    assert_clean_failure(run_cli("check", "answers/x.yaml", cwd=ws), "x.yaml:2: YAML-fejl: filen indeholder flere "
                         "YAML-dokumenter (en linje med '---' midt i filen?); en svarfil er ét dokument")
    assert "svarfil" not in result.stderr


def test_unknown_profile_and_missing_workspace_are_clean_failures(tmp_path):
    assert_clean_failure(run_cli("init", tmp_path / "w", "--profile", "midklyngen", cwd=tmp_path),
                         'ukendt profil "midklyngen"; mente du "midtklyngen"?')
    assert not (tmp_path / "w").exists()
    assert_clean_failure(run_cli("--workspace", tmp_path, "kinds", cwd=tmp_path), "er ikke en arbejdsmappe")


def test_profiles_lists_the_shipped_profiles_and_the_one_in_force(tmp_path):
    result = run_cli("profiles", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for line in ("midtklyngen   Midtklyngen (sundhedsklynge)\n",
                 "goedstrup     Gødstrupklyngen (sundhedsklynge)",
                 "neutral       ingen bestemt organisation (andet) (standard uden arbejdsmappe)",
                 "sundhedsraad  ingen bestemt organisation (sundhedsråd)"):
        assert line in result.stdout
    ws = init(tmp_path / "w", "aarhus", [])
    result = run_cli("--workspace", ws, "profiles", cwd=tmp_path)
    assert f"Her gælder: arbejdsmappen {ws.resolve()} (drafter.yaml): Aarhusklyngen (sundhedsklynge)" in result.stdout


def test_the_other_clusters_profiles_hold_only_what_the_seeds_state():
    from drafter import workspace

    for name, municipalities in {"goedstrup": 6, "horsens": 4, "randers": 4, "aarhus": 2}.items():
        profile = workspace.builtin_profile(name)
        assert [p["side"] for p in profile.data["parter"]] == ["kommune"] * municipalities
        assert len(profile.data["klynger"]) == 5
        # Their groups, chair model and rotation are not in the seeds: unknown, so absent.
        for unknown in ("grupper", "formandskab", "rotation", "andre_opdragsgivere", "spoergsmaal"):
            assert unknown not in profile.data, (name, unknown)


def test_a_workspace_template_is_checked_and_used(tmp_path):
    ws = init(tmp_path / "w", "midtklyngen", ["udskrivelse-af-skroebelige-aeldre"])
    result = run_cli("template", "new", "--kind", "adhoc", cwd=ws)
    assert result.returncode == 0, result.stderr
    own = ws / "templates" / "adhoc.docx"
    assert own.read_bytes() == (REPO / "templates" / "docx" / "letterhead.docx").read_bytes()  # adhoc is built in it
    # A letterhead: the copy with the organisation's name added to the document's start.
    with zipfile.ZipFile(own) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    body = parts["word/document.xml"].decode("utf-8")
    parts["word/document.xml"] = body.replace("<w:body>", "<w:body><w:p><w:r><w:t>BREVHOVED</w:t></w:r></w:p>", 1).encode("utf-8")
    with zipfile.ZipFile(own, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    result = run_cli("render", "answers/udskrivelse-af-skroebelige-aeldre.yaml", cwd=ws)
    assert result.returncode == 0, result.stderr
    assert docx_text(ws / "out" / "udskrivelse-af-skroebelige-aeldre.docx").startswith("BREVHOVED")
    # A broken one is refused before anything is written.
    parts["word/document.xml"] = body.replace("<w:body>", "<w:body><w:p><w:r><w:t>{{ gruppe.nanv }}</w:t></w:r></w:p>", 1).encode("utf-8")
    with zipfile.ZipFile(own, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    result = run_cli("render", "answers/udskrivelse-af-skroebelige-aeldre.yaml", "-o", "ny.docx", cwd=ws)
    assert_clean_failure(result, '"gruppe.nanv" findes ikke')
    assert not (ws / "out" / "ny.docx").exists()


def test_a_profile_switches_a_rule_off_or_changes_its_severity_with_a_reason(tmp_path):
    ws = init(tmp_path / "w", "midtklyngen", ["udskrivelse-af-skroebelige-aeldre"])
    profile = (ws / "drafter.yaml").read_text(encoding="utf-8")
    profile = profile.replace(  # beside the rules' sources that the profile already holds
        "  formandskab-todelt:\n", "  formandskab-todelt:\n    slaaet_fra: true\n    begrundelse: Vores grupper har altid én formand.\n"
    ).replace("  patientperspektiv:\n", "  patientperspektiv:\n    alvor: advarsel\n    begrundelse: Perspektivet inddrages i styregruppen.\n")
    (ws / "drafter.yaml").write_text(profile, encoding="utf-8")
    answers = ws / "answers" / "udskrivelse-af-skroebelige-aeldre.yaml"
    answers.write_text(re.sub(r"  patientperspektiv: \|\n(    .*\n|\n)*", "  patientperspektiv: ingen\n", answers.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_cli("check", "answers/udskrivelse-af-skroebelige-aeldre.yaml", cwd=ws)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[formandskab-todelt] slået fra i profilen: Vores grupper har altid én formand." in result.stdout
    assert "[patientperspektiv] advarsel:" in result.stdout
    assert "(profilen gør reglen til advarsel: Perspektivet inddrages i styregruppen.)" in result.stdout
    listed = run_cli("check", "--list-rules", cwd=ws).stdout
    assert "alvor ændret i profilen (fra fejl): Perspektivet inddrages i styregruppen." in listed


def test_extends_removes_sections_and_questions_and_makes_required_optional(tmp_path, monkeypatch):
    from drafter import questionnaire, workspace

    ws = init(tmp_path / "w", "neutral", [])
    (ws / "kinds" / "kort.yaml").write_text(
        "extends: adhoc\nkind: kort\nname: Kort\ndescription: Uden kommunikationsplan.\n"
        "remove: [kommunikation, opgaver.snitflader]\n"
        "sections:\n  - key: tidsplan\n    questions:\n      - key: milepaele\n        required: false\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(ws)
    monkeypatch.delenv(workspace.WORKSPACE_ENV, raising=False)
    workspace.activate(None)
    try:
        kind = questionnaire.load_questionnaire("kort")
        assert kind.section("kommunikation") is None
        assert kind.question("opgaver.snitflader") is None and kind.question("opgaver.opgaver") is not None
        assert kind.question("tidsplan.milepaele").required is False
        assert kind.template_path.name == "letterhead.docx"  # laid out from the YAML, as adhoc is
        # A full-layout template of the kind's own may still name what was removed; it renders as nothing.
        names = {s.key: [q.key for q in s.questions] for s in kind.template_sections}
        assert "kommunikation" in names and "snitflader" in names["opgaver"]
        (ws / "kinds" / "kort.yaml").write_text("extends: adhoc\nkind: kort\nremove: [opgaver.snitfladr]\n", encoding="utf-8")
        workspace.activate(None)
        with pytest.raises(Exception, match='spørgsmålet .opgaver.snitfladr. findes ikke; mente du "snitflader"'):
            questionnaire.load_questionnaire("kort")
    finally:
        monkeypatch.chdir(REPO)
        workspace.activate(None)


def test_template_check_warns_of_fixed_text_around_an_optional_answer(tmp_path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("Kommissorium for {{ gruppe.navn }}")  # required: fine
    doc.add_paragraph("Ad-hoc gruppe i {{ gruppe.klynge }}")  # optional, no condition: warned
    doc.add_paragraph("{% if gruppe.klynge %}Ad-hoc gruppe i {{ gruppe.klynge }}{% endif %}")  # guarded inline
    doc.add_paragraph("{%p for m in formandskab.medlemmer %}")
    doc.add_paragraph("Rolle: {{ m.rolle }}")  # an optional field of each member: warned
    doc.add_paragraph("{%p if m.rolle %}")
    doc.add_paragraph("Rolle: {{ m.rolle }}")  # guarded by the paragraph condition
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")
    doc.save(tmp_path / "t.docx")
    result = run_cli("template", "check", tmp_path / "t.docx", "--kind", "adhoc", cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # warnings only
    warned = [line for line in result.stdout.splitlines() if "advarsel" in line]
    assert len(warned) == 2, warned
    assert '"gruppe.klynge" kan udelades, men står i fast tekst uden betingelse' in warned[0]
    assert '"m.rolle" kan udelades' in warned[1]
