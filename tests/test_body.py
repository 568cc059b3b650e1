"""The document follows the kind (issue 24): the body is built from the kind's YAML in the
workspace's letterhead; an answer file can give its own title, headings and order; the
built-in arbejdsgruppe fits real commissions. Everything through the real CLI, and the
real .docx opened again."""

from __future__ import annotations

import re
import shutil
import zipfile

import pytest
from docx import Document

from conftest import FULL_LAYOUT_TEMPLATE, assert_clean_failure, docx_text, run_cli
from drafter.questionnaire import KINDS_PATH_ENV

RESHAPED_KIND = """\
# The council's working groups: background first, "Formål" called "Mission og mål",
# a section on the citizens' involvement, and no date, version or status required.
extends: arbejdsgruppe
kind: arbejdsgruppe
order: [baggrund, formaal, borgerinddragelse, opgaver]
sections:
  - key: formaal
    title: Mission og mål
  - key: dokument
    questions:
      - {key: dato, required: false}
      - {key: version, required: false}
      - {key: status, required: false}
  - key: borgerinddragelse
    title: Inddragelse af borgerne
    intro: Hvordan borgerne inddrages i gruppens arbejde.
    questions:
      - key: tekst
        type: paragraphs
        prompt: Hvordan inddrages borgerne (kan springes over)?
        required: false
"""

SENIORS = """\
kind: arbejdsgruppe
schema_version: 1
gruppe:
  navn: Arbejdsgruppen om ældres overgange
  nedsat_af: Ældrerådet
formaal:
  tekst: Gruppen skal gøre overgangene mellem hospital og hjem trygge.
baggrund:
  tekst: Ældrerådet har i 2025 hørt mange om utrygge udskrivelser.
borgerinddragelse:
  tekst: To medlemmer af ældrerådet deltager i alle møder.
opgaver:
  indledning: "Gruppen skal:"
  opgaver:
    - Samle erfaringer fra borgerne
    - Foreslå en tjekliste til udskrivelsen
"""

MINIMAL = """\
kind: arbejdsgruppe
schema_version: 1
gruppe:
  navn: Arbejdsgruppen om fælles kaldenavne
formaal:
  tekst: Gruppen skal finde fælles ord for de samme indsatser.
sammensaetning:
  indledning: "Arbejdsgruppen består af følgende medlemmer:"
  repraesentation:
    - beskrivelse: 2 terapeuter fra hospitalet
    - beskrivelse: 1 leder fra hver kommune
"""


@pytest.fixture(scope="module")
def neutral(tmp_path_factory):
    """A workspace made by `drafter init --profile neutral`."""
    root = tmp_path_factory.mktemp("raad")
    result = run_cli("init", "ws", "--profile", "neutral", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "ws"


def styled(path) -> list[tuple[str, str]]:
    # Not the hidden, empty paragraphs drafter.tablefit puts before a heading for LibreOffice's page flow.
    hidden = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return [(p.style.name, p.text) for p in Document(str(path)).paragraphs
            if p.text or p._p.find(f"{hidden}pPr/{hidden}rPr/{hidden}vanish") is None]


def headings(path, level: int = 1) -> list[str]:
    return [text for style, text in styled(path) if style == f"Heading {level}"]


def no_empty_labels(path) -> None:
    for style, text in styled(path):
        label, _, value = text.partition("\t")
        assert value.strip() or label not in ("Dato", "Version", "Status", "Nedsat af"), text


def test_a_reshaped_kind_renders_with_no_template_in_the_workspace(neutral):
    (neutral / "kinds" / "arbejdsgruppe.yaml").write_text(RESHAPED_KIND, encoding="utf-8")
    (neutral / "answers" / "seniorer.yaml").write_text(SENIORS, encoding="utf-8")
    assert not list((neutral / "templates").iterdir())

    check = run_cli("check", "answers/seniorer.yaml", cwd=neutral)
    assert check.returncode == 0 and "fejl" not in check.stdout, check.stdout + check.stderr
    result = run_cli("render", "answers/seniorer.yaml", cwd=neutral)
    assert result.returncode == 0, result.stderr
    document = neutral / "out" / "seniorer.docx"
    assert headings(document) == ["Baggrund", "Mission og mål", "Inddragelse af borgerne", "Opgaver"]
    paragraphs = styled(document)
    new = paragraphs.index(("Heading 1", "Inddragelse af borgerne"))
    assert paragraphs[new + 1] == ("Normal", "To medlemmer af ældrerådet deltager i alle møder.")
    tasks = paragraphs.index(("Heading 1", "Opgaver"))
    assert paragraphs[tasks + 1 : tasks + 4] == [
        ("Normal", "Gruppen skal:"),
        ("List Bullet", "Samle erfaringer fra borgerne"),
        ("List Bullet", "Foreslå en tjekliste til udskrivelsen"),
    ]
    no_empty_labels(document)
    text = docx_text(document)
    assert "Nedsat af\tÆldrerådet" in text
    for label in ("Dato", "Version", "Status"):
        assert not re.search(rf"^{label}\b", text, re.M), label

    checked = run_cli("template", "check", "--kind", "arbejdsgruppe", cwd=neutral)
    assert checked.returncode == 0, checked.stderr
    assert "skabelonen kan bruges til 'arbejdsgruppe'" in checked.stdout
    assert "advarsel" not in checked.stdout + checked.stderr and "ikke bruger" not in checked.stdout


def test_the_workspace_letterhead_is_made_checked_and_used_by_every_body_kind(neutral, tmp_path):
    (neutral / "kinds" / "arbejdsgruppe.yaml").write_text(RESHAPED_KIND, encoding="utf-8")
    (neutral / "answers" / "seniorer.yaml").write_text(SENIORS, encoding="utf-8")
    made = run_cli("template", "new", "--letterhead", "--force", cwd=neutral)
    assert made.returncode == 0, made.stderr
    letterhead = neutral / "templates" / "letterhead.docx"
    doc = Document(str(letterhead))
    doc.sections[0].header.paragraphs[0].text = "Ældrerådet i Vestbyen"  # the logo's place, edited in Word
    doc.save(str(letterhead))
    checked = run_cli("template", "check", "templates", cwd=neutral)
    assert checked.returncode == 0, checked.stderr
    assert "templates/letterhead.docx: skabelonen kan bruges til 'arbejdsgruppe'" in checked.stdout

    result = run_cli("render", "answers/seniorer.yaml", "--force", cwd=neutral)
    assert result.returncode == 0, result.stderr
    assert "Ældrerådet i Vestbyen" in docx_text(neutral / "out" / "seniorer.docx")

    # Checked on use: a letterhead without the body's place is refused, nothing written.
    broken = Document(str(letterhead))
    for p in broken.paragraphs:
        if "kommissorium.indhold" in p.text:
            p.text = "Her skulle indholdet stå"
    broken.save(str(letterhead))
    refused = run_cli("render", "answers/seniorer.yaml", "-o", str(tmp_path / "x.docx"), cwd=neutral)
    assert_clean_failure(refused, "brevpapiret har intet sted til kommissoriets indhold", "{{p kommissorium.indhold }}")
    assert not (tmp_path / "x.docx").exists()
    letterhead.unlink()


def test_the_minimal_working_group_passes_and_shows_no_empty_label(neutral):
    (neutral / "kinds" / "arbejdsgruppe.yaml").unlink(missing_ok=True)
    (neutral / "answers" / "minimal.yaml").write_text(MINIMAL, encoding="utf-8")
    check = run_cli("check", "answers/minimal.yaml", cwd=neutral)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "fejl" not in check.stdout + check.stderr
    result = run_cli("render", "answers/minimal.yaml", cwd=neutral)
    assert result.returncode == 0, result.stderr
    document = neutral / "out" / "minimal.docx"
    assert styled(document) == [
        ("Title", "Kommissorium for Arbejdsgruppen om fælles kaldenavne"),
        ("Heading 1", "Formål"),
        ("Normal", "Gruppen skal finde fælles ord for de samme indsatser."),
        ("Heading 1", "Sammensætning"),
        ("Normal", "Arbejdsgruppen består af følgende medlemmer:"),
        ("List Bullet", "2 terapeuter fra hospitalet"),
        ("List Bullet", "1 leder fra hver kommune"),
    ]
    no_empty_labels(document)


def test_a_purpose_or_tasks_is_required(neutral):
    (neutral / "answers" / "tom.yaml").write_text(
        "kind: arbejdsgruppe\nschema_version: 1\ngruppe:\n  navn: Gruppen uden opdrag\n", encoding="utf-8"
    )
    result = run_cli("check", "answers/tom.yaml", cwd=neutral)
    assert_clean_failure(result, "formaal.tekst: mangler; udfyld formål eller opgaver")
    (neutral / "answers" / "tom.yaml").write_text(
        "kind: arbejdsgruppe\nschema_version: 1\ngruppe:\n  navn: Gruppen\nopgaver:\n  tekst: Gruppen skal se på det.\n",
        encoding="utf-8",
    )
    assert run_cli("check", "answers/tom.yaml", cwd=neutral).returncode == 0
    (neutral / "answers" / "tom.yaml").unlink()


OWN_LAYOUT = """\
titel: Fælles kommissorium for rehabiliteringsgrupperne
overskrifter:
  formaal: Mission og mål
orden: [baggrund, opgaver, formaal]
"""


def test_an_answer_files_own_title_headings_and_order(workdir):
    example = workdir / "answers" / "arbejdsgruppe-faelles-sprog-om-rehabilitering.yaml"
    own = workdir / "answers" / "egen.yaml"
    own.write_text(example.read_text(encoding="utf-8").replace("schema_version: 1\n", "schema_version: 1\n" + OWN_LAYOUT), encoding="utf-8")
    result = run_cli("render", str(example), str(own), cwd=workdir)
    assert result.returncode == 0, result.stderr
    document = workdir / "out" / "egen.docx"
    assert headings(document)[:4] == ["Baggrund", "Opgaver", "Mission og mål", "Mandat og beslutningskompetence"]
    doc = Document(str(document))
    assert doc.paragraphs[0].text == "Fælles kommissorium for rehabiliteringsgrupperne"
    assert doc.sections[0].footer.paragraphs[0].text.startswith("Fælles kommissorium for rehabiliteringsgrupperne\tSide")
    assert doc.core_properties.title == "Fælles kommissorium for rehabiliteringsgrupperne"

    diff = run_cli("diff", str(example), str(own), cwd=workdir)
    assert diff.returncode == 1, diff.stderr
    assert "Titel: tilføjet: Fælles kommissorium for rehabiliteringsgrupperne" in diff.stdout
    assert "Overskrift ændret fra Formål til Mission og mål" in diff.stdout
    assert "Afsnittenes rækkefølge ændret til: Baggrund, Opgaver, Mission og mål, Mandat" in diff.stdout

    tracked = workdir / "out" / "aendringer.docx"
    result = run_cli("diff", str(example), str(own), "--docx", str(tracked), cwd=workdir)
    assert result.returncode == 1, result.stderr
    with zipfile.ZipFile(tracked) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    # The moved section reads as its old place deleted and its new place inserted, word for word.
    deleted = "".join(re.findall(r"<w:delText[^>]*>([^<]*)", xml))
    inserted = "".join(re.findall(r"<w:ins\b[^>]*>.*?</w:ins>", xml, re.S))
    assert "Formål" in deleted and "Mission og mål" in inserted
    assert "Fælles kommissorium for rehabiliteringsgrupperne" in inserted
    assert "Baggrund" not in deleted and "Opgaver" not in deleted  # what stayed is not marked
    Document(str(tracked))  # opens


def test_the_six_section_kinds_are_reshaped_in_yaml_too(workdir, tmp_path):
    # adhoc's own headings, order and title from its answer file, and a secretariat's kind
    # that extends adhoc with its own lead-in and column header: no Word tags touched.
    answers = workdir / "answers"
    example = (answers / "udskrivelse-af-skroebelige-aeldre.yaml").read_text(encoding="utf-8")
    layout = "titel: Kommissorium for udskrivelsesgruppen\noverskrifter:\n  formaal: Formål\norden: [opgaver, formaal]\n"
    (answers / "egen.yaml").write_text(example.replace("schema_version: 1\n", "schema_version: 1\n" + layout), encoding="utf-8")
    kinds = tmp_path / "typer"
    kinds.mkdir()
    (kinds / "udvalg.yaml").write_text(
        "extends: adhoc\nkind: udvalg\nname: Udvalg\nsections:\n  - key: opgaver\n    questions:\n"
        "      - key: opgaver\n        lead: \"Udvalget skal blandt andet:\"\n  - key: tidsplan\n    questions:\n"
        "      - key: milepaele\n        columns: [{key: dato, header: Hvornår}, {key: beskrivelse, header: Hvad}]\n",
        encoding="utf-8",
    )
    (answers / "udvalg.yaml").write_text(example.replace("kind: adhoc\n", "kind: udvalg\n", 1), encoding="utf-8")
    result = run_cli("render", "answers/egen.yaml", "answers/udvalg.yaml", cwd=workdir, env={KINDS_PATH_ENV: str(kinds)})
    assert result.returncode == 0, result.stdout + result.stderr
    own = Document(str(workdir / "out" / "egen.docx"))
    assert own.paragraphs[0].text == "Kommissorium for udskrivelsesgruppen"
    assert [p.text for p in own.paragraphs if p.style.name == "Heading 1"] == [
        "1. Opgaver", "2. Formål", "3. Formandskab og gruppens sammensætning", "4. Tidsplan", "5. Kommunikationsplan",
        "6. Afslutning",
    ]
    committee = Document(str(workdir / "out" / "udvalg.docx"))
    texts = [p.text for p in committee.paragraphs]
    assert "Udvalget skal blandt andet:" in texts and "Gruppen skal:" not in texts
    headers = [[c.text for c in table.rows[0].cells] for table in committee.tables]
    assert ["Hvornår", "Hvad"] in headers and ["Dato", "Milepæl"] not in headers


@pytest.mark.parametrize(
    "layout, message",
    [
        ("overskrifter:\n  formal: Mission\n", 'overskrifter.formal: ukendt afsnit; mente du "formaal"?'),
        ("orden: [baggrund, opgavr]\n", 'orden[2]: ukendt afsnit; mente du "opgaver"?'),
        ("orden: [baggrund, baggrund]\n", "orden[2]: afsnittet baggrund står to gange"),
        ("orden: baggrund\n", "orden: skal være en liste af afsnit"),
        ("titel: 12\n", "titel: skal være en tekst"),
        ("overskrifter:\n  gruppe: Gruppen\n", "overskrifter.gruppe: ukendt afsnit"),
    ],
)
def test_a_bad_title_heading_or_order_names_file_line_and_field(workdir, layout, message):
    example = workdir / "answers" / "arbejdsgruppe-faelles-sprog-om-rehabilitering.yaml"
    example.write_text(example.read_text(encoding="utf-8").replace("schema_version: 1\n", "schema_version: 1\n" + layout), encoding="utf-8")
    result = run_cli("check", str(example), cwd=workdir)
    assert_clean_failure(result, f"{example}:7: {message}" if "\n  " not in layout else f"{example}:8: {message}")


def test_answers_are_data_in_the_built_body(workdir):
    example = workdir / "answers" / "arbejdsgruppe-faelles-sprog-om-rehabilitering.yaml"
    text = example.read_text(encoding="utf-8")
    hostile = "{gruppe.navn} **fed** [x] <w:p/> & {{ 7*7 }}"
    text = text.replace("    - Sundhedsaftalen 2024-2027\n", f"    - '{hostile}'\n")
    text = text.replace("schema_version: 1\n", f"schema_version: 1\ntitel: '{hostile}'\n")
    example.write_text(text, encoding="utf-8")
    result = run_cli("render", str(example), cwd=workdir)
    assert result.returncode == 0, result.stderr
    doc = Document(str(workdir / "out" / (example.stem + ".docx")))
    assert doc.paragraphs[0].text == hostile
    bullet = next(p for p in doc.paragraphs if p.text == hostile and p.style.name == "List Bullet")
    assert not any(r.bold for r in bullet.runs)


def test_extends_merges_a_records_questions_fields_by_key(neutral):
    kind = (
        "extends: arbejdsgruppe\nkind: arbejdsgruppe\n"
        "remove: [sammensaetning.medlemmer.rolle]\n"
        "sections:\n  - key: sammensaetning\n    questions:\n      - key: medlemmer\n        fields:\n"
        "          - {key: organisation, required: true}\n"
    )
    (neutral / "kinds" / "arbejdsgruppe.yaml").write_text(kind, encoding="utf-8")
    group = MINIMAL + "  medlemmer:\n    - navn: Jens Hansen\n      titel: Terapeut\n"
    (neutral / "answers" / "felter.yaml").write_text(group, encoding="utf-8")
    result = run_cli("check", "answers/felter.yaml", cwd=neutral)
    # The one field made required; the others keep the built-in kind's settings.
    assert_clean_failure(result, "sammensaetning.medlemmer[1].organisation: mangler")
    (neutral / "answers" / "felter.yaml").write_text(group + "      organisation: Hospitalet\n      rolle: tovholder\n", encoding="utf-8")
    result = run_cli("check", "answers/felter.yaml", cwd=neutral)
    assert_clean_failure(result, "sammensaetning.medlemmer[1].rolle: ukendt felt")
    (neutral / "kinds" / "arbejdsgruppe.yaml").unlink()
    (neutral / "answers" / "felter.yaml").unlink()


def test_check_takes_a_folder_as_render_does(workdir):
    result = run_cli("check", "answers", cwd=workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "answers/arbejdsgruppe-faelles-sprog-om-rehabilitering.yaml: i orden" in result.stdout
    assert result.stdout.count(": i orden") == len(list((workdir / "answers").glob("*.yaml")))


def test_a_kinds_text_naming_no_question_is_refused_when_the_kind_is_loaded(neutral):
    kind = (
        "extends: arbejdsgruppe\nkind: arbejdsgruppe\n"
        "sections:\n  - key: opgaver\n    questions:\n      - {key: opgaver, lead: 'Gruppen {opgaver.indlednig}'}\n"
    )
    (neutral / "kinds" / "arbejdsgruppe.yaml").write_text(kind, encoding="utf-8")
    (neutral / "answers" / "minimal.yaml").write_text(MINIMAL, encoding="utf-8")
    result = run_cli("check", "answers/minimal.yaml", cwd=neutral)
    assert_clean_failure(result, "{opgaver.indlednig} er ikke et spørgsmål i typen", 'mente du "opgaver.indledning"?')
    (neutral / "kinds" / "arbejdsgruppe.yaml").unlink()


def test_a_chairs_edit_in_the_built_body_comes_back_by_import(workdir):
    example = workdir / "answers" / "arbejdsgruppe-faelles-sprog-om-rehabilitering.yaml"
    # The commission's own order and headings: the document is read back through them.
    example.write_text(example.read_text(encoding="utf-8").replace("schema_version: 1\n", "schema_version: 1\n" + OWN_LAYOUT), encoding="utf-8")
    assert run_cli("render", str(example), cwd=workdir).returncode == 0
    document = workdir / "out" / (example.stem + ".docx")
    doc = Document(str(document))
    bullet = next(p for p in doc.paragraphs if p.text.startswith("Samle de begreber"))
    for run in bullet.runs[1:]:
        run.text = ""
    bullet.runs[0].text = "Samle alle begreber, parterne bruger om rehabilitering"
    member = next(p for p in doc.paragraphs if p.text == "1 praksiskonsulent")
    member.runs[0].text = "2 praksiskonsulenter"
    doc.save(str(document))
    result = run_cli("import", str(document), "--into", str(example), "--yes", cwd=workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    saved = example.read_text(encoding="utf-8")
    assert "- Samle alle begreber, parterne bruger om rehabilitering\n" in saved
    assert "beskrivelse: 2 praksiskonsulenter\n" in saved
    assert "overskrifter:\n  formaal: Mission og mål\n" in saved and "orden: [baggrund, opgaver, formaal]\n" in saved
    assert "kan ikke placeres" not in result.stdout + result.stderr


def test_a_new_title_heading_or_order_makes_the_document_outdated(workdir):
    example = workdir / "answers" / "arbejdsgruppe-faelles-sprog-om-rehabilitering.yaml"
    assert run_cli("render", str(example), cwd=workdir).returncode == 0
    assert "dokumentet er aktuelt" in run_cli("status", cwd=workdir).stdout
    example.write_text(example.read_text(encoding="utf-8").replace("schema_version: 1\n", "schema_version: 1\norden: [baggrund]\n"), encoding="utf-8")
    line = next(l for l in run_cli("status", cwd=workdir).stdout.splitlines() if example.name in l)
    assert "dokumentet er forældet" in line


def test_a_kind_with_a_full_layout_template_refuses_its_own_order(workdir, tmp_path):
    kinds = tmp_path / "typer"
    kinds.mkdir()
    (kinds / "egen.yaml").write_text("extends: adhoc\nkind: egen\nname: Egen\ntemplate: adhoc.docx\n", encoding="utf-8")
    shutil.copy(FULL_LAYOUT_TEMPLATE, kinds / "adhoc.docx")  # laid out in Word, beside the kind
    example = workdir / "answers" / "udskrivelse-af-skroebelige-aeldre.yaml"
    text = example.read_text(encoding="utf-8").replace("kind: adhoc\n", "kind: egen\n", 1)
    example.write_text(text.replace("schema_version: 1\n", "schema_version: 1\norden: [opgaver]\n"), encoding="utf-8")
    result = run_cli("check", str(example), cwd=workdir, env={KINDS_PATH_ENV: str(kinds)})
    assert_clean_failure(result, "orden: typen 'egen' har sin egen Word-skabelon (adhoc.docx)")


def test_a_workspace_template_for_a_body_kind_may_be_a_full_layout(neutral):
    doc = Document()
    doc.add_paragraph("Kommissorium for {{ gruppe.navn }}", style="Title")
    doc.add_paragraph("{{ formaal.tekst }}")
    doc.save(str(neutral / "templates" / "arbejdsgruppe.docx"))
    (neutral / "answers" / "minimal.yaml").write_text(MINIMAL, encoding="utf-8")
    checked = run_cli("template", "check", "templates/arbejdsgruppe.docx", cwd=neutral)
    assert checked.returncode == 0, checked.stderr
    assert "skabelonen kan bruges til 'arbejdsgruppe'" in checked.stdout
    assert "spørgsmål, som skabelonen ikke bruger" in checked.stdout  # checked as any template
    result = run_cli("render", "answers/minimal.yaml", "-o", "out/fuld.docx", cwd=neutral)
    assert result.returncode == 0, result.stderr
    assert [p.text for p in Document(str(neutral / "out" / "fuld.docx")).paragraphs] == [
        "Kommissorium for Arbejdsgruppen om fælles kaldenavne", "Gruppen skal finde fælles ord for de samme indsatser.",
    ]
    (neutral / "templates" / "arbejdsgruppe.docx").unlink()
