"""1 January 2027: a health council's workspace in one command, names with dates, and
`drafter replace` moving a cluster's commissions across (issue 22)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import yaml

from conftest import ADHOC_EXAMPLE, EXAMPLES, assert_clean_failure, docx_text, run_cli

from drafter.replace import replace_text


def init(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli("init", *args, cwd=tmp_path)


def xml_parts(docx: Path) -> dict[str, str]:
    with zipfile.ZipFile(docx) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith((".xml", ".rels"))}


# -- the council profile ---------------------------------------------------------------------

def test_a_council_workspace_in_one_command_and_a_commission_moved_into_it_names_no_cluster(tmp_path):
    made = init(tmp_path, "raad", "--profile", "sundhedsraad", "--name", "Sundhedsråd Test")
    assert made.returncode == 0, made.stderr
    # Nothing unknown is invented: the region and the municipalities are asked for, not guessed.
    assert "regionen fremgår ikke af navnet" in made.stdout
    assert "rådets kommuner er ikke angivet" in made.stdout
    ws = tmp_path / "raad"
    data = run_cli("data", cwd=ws)
    assert data.returncode == 0, data.stderr
    assert "Organisation: Sundhedsråd Test (sundhedsråd)" in data.stdout
    assert "Nedsætter grupper: Sundhedsrådet" in data.stdout
    profile_text = (ws / "drafter.yaml").read_text(encoding="utf-8")
    assert "navn: Sundhedsråd Test  # rådets navn" in profile_text  # written in place, comment kept
    assert "undergrupper: loven og rådene har endnu ikke fastlagt" in profile_text

    # The cluster's commission moves across with drafter replace, as the README's section says.
    shutil.copy(ADHOC_EXAMPLE, ws / "answers" / "udskrivelse.yaml")
    for old, new in (("Midtklyngen", "Sundhedsråd Test"), ("Voksentemagruppen for somatik", "Sundhedsrådet"),
                     ("klyngestyregruppen", "sundhedsrådet"), ("klyngen", "sundhedsrådets område")):
        moved = run_cli("replace", old, new, cwd=ws)
        assert moved.returncode == 0, moved.stdout + moved.stderr
    check = run_cli("check", "--strict", "answers/udskrivelse.yaml", cwd=ws)
    assert check.returncode == 0, check.stdout + check.stderr
    rendered = run_cli("render", "answers/", cwd=ws)
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    parts = xml_parts(ws / "out" / "udskrivelse.docx")
    assert not [name for name, text in parts.items() if "klynge" in text.lower()]
    assert "Sundhedsråd Test" in docx_text(ws / "out" / "udskrivelse.docx")
    status = run_cli("status", "--json", cwd=ws)
    assert '"document_state": "current"' in status.stdout, status.stdout


def test_name_and_region_for_any_profile(tmp_path):
    assert init(tmp_path, "skovby", "--profile", "neutral", "--name", "Skovby Kommune").returncode == 0
    assert "Organisation: Skovby Kommune" in run_cli("data", cwd=tmp_path / "skovby").stdout
    told = init(tmp_path, "oest", "--profile", "sundhedsraad", "--name", "Sundhedsråd Østdanmark Syd")
    assert "regionen fremgår ikke" not in told.stdout
    assert "Region: Region Østdanmark" in run_cli("data", cwd=tmp_path / "oest").stdout
    given = init(tmp_path, "vest", "--profile", "sundhedsraad", "--name", "Sundhedsråd Vest", "--region", "nordjylland")
    assert given.returncode == 0
    assert "Region: Region Nordjylland" in run_cli("data", cwd=tmp_path / "vest").stdout
    assert_clean_failure(init(tmp_path, "fyn", "--profile", "sundhedsraad", "--name", "X", "--region", "Fyn"),
                         '--region: "Fyn" er ikke en af regionerne', "Region Syddanmark")
    assert not (tmp_path / "fyn").exists()
    listed = run_cli("profiles", cwd=tmp_path)
    assert "sundhedsraad" in listed.stdout


def test_switching_a_workspace_to_the_council_profile_keeps_the_old_profile(tmp_path):
    assert init(tmp_path, "ws", "--profile", "midtklyngen").returncode == 0
    ws = tmp_path / "ws"
    before = (ws / "drafter.yaml").read_bytes()
    unchanged = init(tmp_path, "ws", "--profile", "sundhedsraad", "--name", "Sundhedsråd Midt")
    assert "findes allerede; intet er ændret" in unchanged.stdout
    assert (ws / "drafter.yaml").read_bytes() == before
    switched = run_cli("init", ".", "--profile", "sundhedsraad", "--name", "Sundhedsråd Midtjylland Midt", "--switch", cwd=ws)
    assert switched.returncode == 0, switched.stderr
    assert (ws / "drafter.midtklyngen.yaml").read_bytes() == before
    assert "drafter.midtklyngen.yaml" in switched.stdout
    assert "Region: Region Midtjylland" in run_cli("data", cwd=ws).stdout


# -- names with dates --------------------------------------------------------------------------

def _dated(text: str, day: str) -> str:
    return re.sub(r"(?m)^  dato: \d{4}-\d{2}-\d{2}$", f"  dato: {day}", text, count=1)


def test_a_name_that_has_ceased_is_a_warning_after_its_end_only(tmp_path):
    text = ADHOC_EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("    - Almen praksis i Midtklyngen", "    - Almen praksis i Region Sjælland")
    assert "Region Sjælland" in text
    for day, warned in (("2027-03-01", True), ("2026-11-01", False)):
        path = tmp_path / f"x-{day}.yaml"
        path.write_text(_dated(text, day), encoding="utf-8")
        result = run_cli("check", path, cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        line = text.splitlines().index("    - Almen praksis i Region Sjælland") + 1
        found = [l for l in result.stdout.splitlines() if "[navne-med-dato]" in l]
        if warned:
            assert any(f"{path.name}:{line}:" in l and "Region Østdanmark" in l and "L 214" in l for l in found), result.stdout
            assert any("Midtklyngen" in l for l in found)  # the cluster names have ended too
        else:
            assert not found, result.stdout
    rules = run_cli("check", "--list-rules", cwd=tmp_path)
    assert "navne-med-dato" in rules.stdout and "L 214" in rules.stdout


def test_a_profile_adds_its_own_names_with_dates_and_they_are_checked(tmp_path):
    assert init(tmp_path, "ws", "--profile", "neutral", "--name", "Skovby Kommune").returncode == 0
    ws = tmp_path / "ws"
    profile = ws / "drafter.yaml"
    own = ("navne:\n  - navn: Sundhed og Omsorg\n    til: 2026-06-30\n    afløst_af: Sundhed og Ældre\n"
           "    kilde: Byrådets beslutning om ny organisering\n")
    profile.write_text(profile.read_text(encoding="utf-8") + own, encoding="utf-8")
    answers = ws / "answers" / "g.yaml"
    answers.write_text(
        "kind: arbejdsgruppe\nschema_version: 1\ngruppe:\n  navn: Arbejdsgruppen for hjemmepleje\n"
        "dokument:\n  dato: 2026-09-01\n  version: '1.0'\n  status: udkast\n  forfatter: Sekretariatet\n"
        "formaal:\n  tekst: Gruppen er nedsat af Sundhed og Omsorg.\n"
        "opgaver:\n  opgaver:\n    - At beskrive hjemmeplejen\n",
        encoding="utf-8",
    )
    result = run_cli("check", "answers/g.yaml", cwd=ws)
    assert 'navnet "Sundhed og Omsorg" ophørte 30. juni 2026' in result.stdout, result.stdout + result.stderr
    assert '"Sundhed og Ældre"' in result.stdout
    profile.write_text(profile.read_text(encoding="utf-8").replace("    til: 2026-06-30\n", "    til: 30/6-2026\n"),
                       encoding="utf-8")
    line = profile.read_text(encoding="utf-8").splitlines().index("    til: 30/6-2026") + 1
    assert_clean_failure(run_cli("check", "answers/g.yaml", cwd=ws),
                         f"drafter.yaml:{line}: navne[1].til: \"30/6-2026\" er ikke en dato")


# -- drafter replace -------------------------------------------------------------------------

def test_replace_keeps_case_at_a_sentence_start_handles_the_genitive_and_lists_longer_words():
    text = ("Klyngestyregruppen nedsætter gruppen, som rapporterer til klyngestyregruppen. "
            "Klyngestyregruppens møder holdes som klyngestyregruppen-møder.")
    changed, changes, left = replace_text(text, "klyngestyregruppen", "sundhedsrådet")
    assert changed == ("Sundhedsrådet nedsætter gruppen, som rapporterer til sundhedsrådet. "
                       "Sundhedsrådets møder holdes som klyngestyregruppen-møder.")
    assert len(changes) == 3 and len(left) == 1
    assert replace_text("Region Sjællands\nopgaver", "Region Sjælland", "Region Østdanmark")[0] == "Region Østdanmarks\nopgaver"
    assert replace_text("i Midtklyngen-projektet", "Midtklyngen", "X")[0] == "i Midtklyngen-projektet"


def _commented_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "answers"
    folder.mkdir()
    for example in EXAMPLES:
        text = example.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        # Comments at the top, at a line end, and one that names the old name: none may change.
        lines.insert(0, "# Kopi til flytningen; Midtklyngen nævnes også her i en kommentar.\n")
        for index, line in enumerate(lines):
            if line.startswith("  navn:"):
                lines[index] = line.rstrip("\n") + "  # gruppens navn\n"
                break
        (folder / example.name).write_text("".join(lines), encoding="utf-8")
    return folder


def _occurrences(folder: Path, name: str) -> int:
    """An independent count: whole-word occurrences (genitive too) in every text of every file."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(name)}s?(?![\w-])")
    count = 0

    def walk(value):
        nonlocal count
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in ("kind", "schema_version", "complete", "undtagelser", "ufaerdige"):
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            count += len(pattern.findall(value))

    for path in sorted(folder.glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return count


def test_replace_dry_run_lists_every_occurrence_and_the_real_run_changes_only_those_lines(tmp_path):
    folder = _commented_copy(tmp_path)
    original = tmp_path / "original"
    shutil.copytree(folder, original)
    expected = _occurrences(folder, "Midtklyngen")
    assert expected >= 15

    dry = run_cli("replace", "Midtklyngen", "Sundhedsråd Test", "--dry-run", "answers", cwd=tmp_path)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert dry.stdout.count("  før: ") == expected
    assert f"Prøvekørsel: {expected} ændringer" in dry.stdout and "intet er skrevet" in dry.stdout
    for path in original.glob("*.yaml"):
        assert (folder / path.name).read_bytes() == path.read_bytes()
    first = next(line for line in dry.stdout.splitlines() if re.match(r"answers/.+\.yaml:\d+: ", line))
    assert ": " in first.split(".yaml:", 1)[1]  # file:line: answer label

    assert run_cli("render", "answers", cwd=tmp_path).returncode == 0
    real = run_cli("replace", "Midtklyngen", "Sundhedsråd Test", "answers", "--tracked-changes", "spor",
                   "--author", "Sekretariatet", cwd=tmp_path)
    assert real.returncode == 0, real.stdout + real.stderr
    assert f"Skrevet: {expected} ændringer" in real.stdout
    assert "Disse dokumenter er nu forældede" in real.stdout and "out/udskrivelse-af-skroebelige-aeldre.docx" in real.stdout
    diff = subprocess.run(["git", "diff", "--no-index", "-U0", str(original), str(folder)], capture_output=True, text=True)
    removed = [l[1:] for l in diff.stdout.splitlines() if l.startswith("-") and not l.startswith("---")]
    added = [l[1:] for l in diff.stdout.splitlines() if l.startswith("+") and not l.startswith("+++")]
    assert removed and len(removed) == len(added)
    assert all("Midtklyngen" in line for line in removed), removed
    assert [line.replace("Midtklyngen", "Sundhedsråd Test") for line in removed] == added
    for path in original.glob("*.yaml"):  # every comment kept, the one naming Midtklyngen too
        comments = [l for l in path.read_text(encoding="utf-8").splitlines() if l.lstrip().startswith("#") or "  # " in l]
        now = (folder / path.name).read_text(encoding="utf-8")
        assert all(c in now for c in comments if "Midtklyngen" not in c.split("#", 1)[0])
        assert "# Kopi til flytningen; Midtklyngen nævnes også her i en kommentar." in now
    check = run_cli("check", *sorted(str(p) for p in folder.glob("*.yaml")), cwd=tmp_path)
    assert "fejl" not in check.stdout.replace("0 fejl", ""), check.stdout + check.stderr
    tracked = tmp_path / "spor" / "udskrivelse-af-skroebelige-aeldre.docx"
    body = xml_parts(tracked)["word/document.xml"]
    assert "<w:ins " in body and "<w:del " in body and 'w:author="Sekretariatet"' in body
    assert _occurrences(folder, "Midtklyngen") == 0


def test_replace_refuses_bad_words_and_a_broken_file_is_left_alone(tmp_path):
    assert_clean_failure(run_cli("replace", "  ", "x", cwd=tmp_path), "det gamle navn er tomt")
    assert_clean_failure(run_cli("replace", "Midt", "Midt", cwd=tmp_path), "ens")
    folder = tmp_path / "answers"
    folder.mkdir()
    shutil.copy(ADHOC_EXAMPLE, folder / "god.yaml")
    broken = folder / "brudt.yaml"
    broken.write_text(ADHOC_EXAMPLE.read_text(encoding="utf-8").replace("  dato: 2026-11-25", "  dato: 2026-13-25"),
                      encoding="utf-8")
    before = broken.read_bytes()
    result = run_cli("replace", "Midtklyngen", "Sundhedsråd Test", cwd=tmp_path)
    assert result.returncode == 1
    assert "brudt.yaml" in result.stderr and "Traceback" not in result.stderr
    assert broken.read_bytes() == before
    assert "Sundhedsråd Test" in (folder / "god.yaml").read_text(encoding="utf-8")


def test_a_ceased_name_spoken_of_as_past_is_no_warning():
    # A council's commission may say where its work comes from ("the former cluster"); only a
    # name still used as current is warned about (in-process: api.check).
    from drafter import api

    data = yaml.safe_load(ADHOC_EXAMPLE.read_text(encoding="utf-8"))
    data["dokument"]["dato"] = "2027-01-15"
    data["formaal"]["tekst"] = ("Arbejdet bygger på erfaringerne fra den tidligere sundhedsklynge og "
                                "det daværende samarbejde med den\nforhenværende Region Sjælland.")
    data["kommunikation"]["interessenter"] = ["Almen praksis i Region Østdanmark"]
    dated = lambda found: [p.message for p in found if p.rule == "navne-med-dato" and p.field == "formaal.tekst"]
    assert dated(api.check(data)) == []
    data["formaal"]["tekst"] += " Det er tidligere aftalt. Region Sjællands læger deltager."  # the genitive
    assert [m.split(",")[0] for m in dated(api.check(data))] == ['navnet "Region Sjælland" ophørte 31. december 2026']

    # The review puts the message after 'Svaret på "...":', so it is a sentence of its own.
    from drafter import interview
    from drafter.questionnaire import load_questionnaire
    from drafter.session import DraftSession

    finding = next(p for p in api.check(data) if p.rule == "navne-med-dato" and p.field == "formaal.tekst")
    review = interview.Interview(DraftSession(load_questionnaire("adhoc"))).review
    assert review.plain(finding.field, finding.message, False).full_text.startswith(
        '1. Formål med gruppens arbejde – Svaret på "Hvad er formålet med gruppens arbejde?": Navnet "Region Sjælland" '
        "ophørte 31. december 2026, men kommissoriet er dateret 15. januar 2027")


def test_the_kinds_a_council_uses_name_no_organisations_own_chair_model_or_bodies():
    # The chair model is the profile's (a council's has none yet): a kind's intro or help that
    # says "as a rule the chair is two-part" would tell a council what only a cluster decided.
    from drafter.questionnaire import load_questionnaire
    from drafter.rules import name_pattern
    from drafter.workspace import shipped_dated_names

    for kind in ("adhoc", "projektgruppe", "arbejdsgruppe"):
        questionnaire = load_questionnaire(kind)
        said = [s.intro for s in questionnaire.sections]
        for question in questionnaire.questions:
            said += [question.prompt, question.help, *(f.help for f in question.fields)]
        assert [t for t in said if t and "udgangspunkt" in t and "formand" in t] == [], kind
        # Nor a body of one organisation ("Patientinddragelsesudvalget": Region Midtjylland's),
        # nor a hyphen for a dash ("For hver opgave - hvem ...").
        assert [t for t in said if t and re.search(r"\b[A-ZÆØÅ]\w+udvalget\b|\w - \w", t)] == [], kind
        # Nor, as an example, a name that ceases on 31 December 2026 ("fx sundhedsklynge").
        ceased = name_pattern([f for e in shipped_dated_names() if e.get("til") for f in [e["navn"], *e.get("former", [])]])
        assert [t for t in said if t and ceased.search(t)] == [], kind


def test_a_councils_lists_of_kinds_set_apart_the_kinds_that_need_a_clusters_data(tmp_path, monkeypatch, capsys):
    # In a council's workspace the web's "Nyt kommissorium" offered Klyngestyregruppe and the
    # other cluster kinds as if usable, and `drafter kinds` did not say they lack data; the
    # terminal's `drafter new` lists them apart (in-process: the server in a thread, cli.main).
    from drafter import cli, workspace
    from web_support import LiveServer

    workspace.init(tmp_path, "sundhedsraad", name="Sundhedsråd Sydsjælland og Lolland-Falster", region="Østdanmark")
    monkeypatch.setenv(workspace.WORKSPACE_ENV, str(tmp_path))
    workspace.read_afresh()
    try:
        server = LiveServer(tmp_path, copy_examples=False)
        try:
            page = server.get("/ny").text
        finally:
            server.stop()
        usable, _, unusable = page.partition("Kræver data, som profilen ikke har")
        assert 'value="adhoc"' in usable and 'value="arbejdsgruppe"' in usable and "klynge" not in usable.lower()
        for kind, missing in (("klyngestyregruppe", "Mangler klynger og rotationsplan"),
                              ("temagruppe", "Mangler temagrupper, klynger og rotationsplan")):
            assert re.search(rf'value="{kind}" disabled', unusable) and missing in unusable, kind
        assert cli.main(["kinds"]) == 0
        listed = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
        assert listed["klyngestyregruppe"].startswith("Klyngestyregruppe (profilen mangler klynger og rotationsplan): ")
        assert listed["adhoc"].startswith("Ad-hoc gruppe eller projektgruppe: ") and "skabelonens" not in listed["adhoc"]
    finally:
        monkeypatch.delenv(workspace.WORKSPACE_ENV)
        workspace.read_afresh()


def test_a_councils_region_is_its_first_party(tmp_path):
    # The region is the responsible authority and a party of the council; without it the
    # organisation lists of a council's first commission were empty (in-process).
    from drafter import workspace

    workspace.init(tmp_path / "a", "sundhedsraad", name="Sundhedsråd Sydsjælland", region="Østdanmark")
    workspace.init(tmp_path / "b", "sundhedsraad", name="Sundhedsråd Vest")  # the region unknown: no party
    told = yaml.safe_load((tmp_path / "a" / "drafter.yaml").read_text(encoding="utf-8"))
    assert told["parter"] == [{"navn": "Region Østdanmark", "side": "region"}]
    assert yaml.safe_load((tmp_path / "b" / "drafter.yaml").read_text(encoding="utf-8"))["parter"] == []
    assert "# rådets kommuner, som sekretariatet tilføjer." in (tmp_path / "a" / "drafter.yaml").read_text(encoding="utf-8")


def test_the_workspace_readme_names_the_organisation_in_the_genitive_within_its_lines():
    from drafter.workspace import _readme_intro

    long = _readme_intro("Sundhedsråd Sydsjælland og Lolland-Falster")
    assert long.startswith("Denne mappe er Sundhedsråd Sydsjælland og Lolland-Falsters arbejdsmappe")
    assert len(long.splitlines()) == 2 and max(len(line) for line in long.splitlines()) <= 100
    assert _readme_intro("Sundhedsråd Thy-Mors").startswith("Denne mappe er Sundhedsråd Thy-Mors' arbejdsmappe")
    assert _readme_intro("").startswith("Denne mappe er organisationens arbejdsmappe")


def test_replace_shows_whole_words_around_a_name():
    # The dry run showed "…dte model overdrages" (the cut end of "godkendte").
    from drafter.replace import _excerpt

    text = ("Den godkendte model overdrages til kommunernes og Region Sjællands driftsorganisationer, "
            "som står for implementeringen fra 2028.")
    start = text.index("Region Sjælland")
    shown = _excerpt(text, start, start + len("Region Sjællands"), "Region Østdanmarks")
    assert shown == "… model overdrages til kommunernes og Region Østdanmarks driftsorganisationer, som står for …"
    assert _excerpt("Kort: Region Sjælland.", 6, 21) == "Kort: Region Sjælland."


def test_a_suggestion_not_in_the_profiles_lists_is_a_choice_of_its_own_in_the_web_as_in_the_terminal(tmp_path, monkeypatch):
    # A council's own name, suggested as the group's organisation, showed in the web form as
    # "Andet (skriv selv)" and a text box, where the terminal offers it as a choice (in-process).
    from drafter import workspace
    from drafter.questionnaire import load_questionnaire
    from web_support import LiveServer

    council = "Sundhedsråd Sydsjælland og Lolland-Falster"
    workspace.init(tmp_path, "sundhedsraad", name=council, region="Østdanmark")
    monkeypatch.setenv(workspace.WORKSPACE_ENV, str(tmp_path))
    workspace.read_afresh()
    try:
        question = load_questionnaire("arbejdsgruppe").question("gruppe.organisation")
        assert question.allow_other and council not in question.choices
        assert question.offered_choices(council)[0] == council  # the list the terminal's interview offers
        server = LiveServer(tmp_path, copy_examples=False)
        try:
            made = server.post("/ny", {"kind": "arbejdsgruppe", "navn": "Arbejdsgruppe om genoptræning"})
            url = made.headers["location"].rsplit("/", 1)[0] + "/gruppe"
            page = server.get(url).text
            select = re.search(r'<select id="f-gruppe-organisation".*?</select>', page, re.S).group(0)
            assert f"<option selected>{council}</option>" in select
            assert re.search(r'<option value="__andet__">Andet \(skriv selv\)</option>', select)  # offered, not picked
            saved = server.submit(url, {"gruppe.organisation": council, "gruppe.organisation~andet": council,
                                        "version": re.search(r'name="version" value="([^"]*)"', page).group(1)})
            assert f"<option selected>{council}</option>" in saved.text  # kept as its own choice once saved
            slug = url.split("/")[2]
            assert f"organisation: {council}" in (tmp_path / "answers" / f"{slug}.yaml").read_text(encoding="utf-8")
        finally:
            server.stop()
    finally:
        monkeypatch.delenv(workspace.WORKSPACE_ENV)
        workspace.read_afresh()
