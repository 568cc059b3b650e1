"""Rendering the ad-hoc examples: the real .docx, opened again with python-docx."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from docx import Document

from conftest import ADHOC_EXAMPLE, EXAMPLES, docx_text, run_cli
from drafter.answers import load_answers
from drafter.dates import long_date as danish_long_date
from drafter.questionnaire import load_questionnaire, split_paragraphs

# The six numbered sections of Midtklyngen's template, as the kind types them (once).
SECTION_HEADINGS = [s.heading for s in load_questionnaire("adhoc").sections if s.number]
ADHOC_EXAMPLES = [p for p in EXAMPLES if "kind: adhoc" in p.read_text(encoding="utf-8")]


def render(workdir, name: str):
    result = run_cli("render", f"answers/{name}", cwd=workdir)
    assert result.returncode == 0, result.stderr
    out = workdir / "out" / name.replace(".yaml", ".docx")
    assert result.stdout.strip() == f"out/{out.name}"
    return out


def expected_strings(answers) -> list[str]:
    """Every answer value as it must appear in the document."""
    found: list[str] = []

    def walk(question, value):
        if value in (None, "", []):
            return
        if question.type == "records":
            for entry in value:
                for field in question.fields:
                    walk(field, entry.get(field.key))
        elif question.type == "list":
            found.extend(value)
        elif question.type == "date":
            found.append(danish_long_date(dt.date.fromisoformat(value)))
        elif question.type == "paragraphs":
            found.extend(split_paragraphs(value))
        elif question.type == "bool":
            return
        elif question.path == "dokument.forfatter":
            return  # a core property, not body text (checked below)
        else:
            found.append(value)

    for question in answers.questionnaire.questions:
        walk(question, answers.get(question.path))
    return found


@pytest.mark.parametrize("example", ADHOC_EXAMPLES, ids=lambda p: p.stem)
def test_example_renders_with_every_answer(workdir, example):
    out = render(workdir, example.name)
    answers = load_answers(example)
    text = docx_text(out)
    for value in expected_strings(answers):
        assert value in text or (value.capitalize() in text), f"{value!r} missing from {out.name}"


@pytest.mark.parametrize("example", ADHOC_EXAMPLES, ids=lambda p: p.stem)
def test_six_sections_in_order_with_heading_styles(workdir, example):
    doc = Document(str(render(workdir, example.name)))
    level1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert len(SECTION_HEADINGS) == 6
    assert level1 == SECTION_HEADINGS
    title = doc.paragraphs[0]
    assert title.style.name == "Title"
    assert title.text == f"Kommissorium for {load_answers(example).get('gruppe.navn')}"


def test_tables_have_a_header_row_and_one_row_per_entry(workdir):
    answers = load_answers(ADHOC_EXAMPLE)
    doc = Document(str(render(workdir, ADHOC_EXAMPLE.name)))
    by_header = {tuple(c.text for c in t.rows[0].cells): t for t in doc.tables}

    members = by_header[("Navn", "Titel", "Organisation", "Rolle i gruppen")]
    assert len(members.rows) == 1 + len(answers.get("formandskab.medlemmer"))
    for row, member in zip(members.rows[1:], answers.get("formandskab.medlemmer")):
        assert [c.text for c in row.cells] == [member["navn"], member["titel"], member["organisation"], member["rolle"] or ""]
    header_xml = members.rows[0]._tr.xml
    assert "w:tblHeader" in header_xml  # repeats on every page in Word

    milestones = by_header[("Dato", "Milepæl")]
    assert len(milestones.rows) == 1 + len(answers.get("tidsplan.milepaele"))
    assert milestones.rows[1].cells[0].text == "1. marts 2027"


def test_lists_are_word_bullet_lists(workdir):
    answers = load_answers(ADHOC_EXAMPLE)
    doc = Document(str(render(workdir, ADHOC_EXAMPLE.name)))
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    for task in answers.get("opgaver.opgaver"):
        assert task in bullets
    # The List Bullet style carries Word numbering (a real list, not typed dashes).
    assert doc.styles["List Bullet"].element.xpath(".//w:numPr")


def test_multi_paragraph_answers_become_separate_paragraphs(workdir):
    answers = load_answers(ADHOC_EXAMPLE)
    doc = Document(str(render(workdir, ADHOC_EXAMPLE.name)))
    texts = [p.text for p in doc.paragraphs]
    purpose = split_paragraphs(answers.get("formaal.tekst"))
    assert len(purpose) == 3
    start = texts.index(purpose[0])
    assert texts[start : start + 3] == purpose


def test_info_block_footer_and_properties(workdir):
    answers = load_answers(ADHOC_EXAMPLE)
    out = render(workdir, ADHOC_EXAMPLE.name)
    doc = Document(str(out))
    # The facts block: "label<TAB>value" paragraphs between the subtitle and the first heading.
    facts = [p.text for p in doc.paragraphs[2:] if "\t" in p.text]
    info = dict(line.split("\t", 1) for line in facts[:4])
    assert info == {
        "Nedsat af": "Voksentemagruppen for somatik",
        "Dato": "25. november 2026",
        "Version": "1.0",
        "Status": "Udkast",
    }
    footer = doc.sections[0].footer
    assert "Kommissorium for Ad-hoc gruppe om udskrivelse af skrøbelige ældre" in footer.paragraphs[0].text
    assert "PAGE" in footer._element.xml and "NUMPAGES" in footer._element.xml
    props = doc.core_properties
    assert props.title == f"Kommissorium for {answers.get('gruppe.navn')}"
    assert props.subject == "Kommissorium for ad-hoc gruppe nedsat af Voksentemagruppen for somatik"
    assert props.author == "Fællessekretariatet i Midtklyngen"
    assert props.created == dt.datetime(2026, 11, 25, tzinfo=props.created.tzinfo)
    assert props.language == "da-DK"


def test_rendering_again_gives_the_same_bytes(workdir):
    out = render(workdir, ADHOC_EXAMPLE.name)
    first = out.read_bytes()
    again = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", cwd=workdir)
    assert again.returncode == 0
    assert "uændret" in again.stdout
    assert out.read_bytes() == first
    other = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "-o", "copy.docx", cwd=workdir)
    assert other.returncode == 0, other.stderr
    assert (workdir / "copy.docx").read_bytes() == first
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        assert archive.namelist()[0] == "[Content_Types].xml"


def test_values_are_data_not_code(workdir, adhoc_example):
    text = adhoc_example.read_text(encoding="utf-8")
    text = text.replace(
        "navn: Ad-hoc gruppe om udskrivelse af skrøbelige ældre",
        'navn: "Ældre & <pårørende> {{ 7*7 }} {% if x %}å{% endif %}"',
    )
    text = text.replace(
        "    - Kortlægge den nuværende praksis",
        "    - \"Afklare 'ansvar' & \\\"roller\\\" {{ gruppe.navn }} {#x#}\"\n    - Kortlægge den nuværende praksis",
    )
    adhoc_example.write_text(text, encoding="utf-8")
    result = run_cli("render", f"answers/{adhoc_example.name}", cwd=workdir)
    assert result.returncode == 0, result.stderr
    out = workdir / "out" / f"{adhoc_example.stem}.docx"
    doc = Document(str(out))
    name = "Ældre & <pårørende> {{ 7*7 }} {% if x %}å{% endif %}"
    assert doc.paragraphs[0].text == f"Kommissorium for {name}"
    assert f"Kommissorium for {name}" in doc.sections[0].footer.paragraphs[0].text
    assert doc.core_properties.title == f"Kommissorium for {name}"
    assert "Afklare 'ansvar' & \"roller\" {{ gruppe.navn }} {#x#}" in docx_text(out)
    assert "49" not in doc.paragraphs[0].text


def test_line_breaks_and_tabs_in_values(workdir, adhoc_example):
    text = adhoc_example.read_text(encoding="utf-8")
    text = text.replace(
        "  sekretariat: |\n",
        "  sekretariat: |\n    Første linje\n    anden linje\tefter tabulator\n\n",
    )
    adhoc_example.write_text(text, encoding="utf-8")
    out = render(workdir, adhoc_example.name)
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert "Første linje\nanden linje\tefter tabulator" in texts


def test_word_tools_accept_the_document(example_pdfs):
    # LibreOffice opened the document and printed it: the session's one LibreOffice run over
    # every example (a LibreOffice start of its own here cost a second of CPU and proved the same).
    for stem, (docx, pdf) in example_pdfs.items():
        assert docx.exists(), stem
        assert pdf.read_bytes().startswith(b"%PDF"), stem
        assert pdf.stat().st_size > 10_000, stem


def test_an_undefined_template_variable_is_an_error_not_a_blank(tmp_path):
    from drafter.errors import TemplateProblem
    from drafter.render import DocxRenderer, render_document

    doc = Document()
    doc.add_paragraph("Kommissorium for {{ gruppe.navn }}")
    doc.add_paragraph("{{ gruppe.findes_ikke }}")
    template = tmp_path / "broken.docx"
    doc.save(template)
    with pytest.raises(TemplateProblem, match="findes_ikke"):
        render_document(load_answers(ADHOC_EXAMPLE), DocxRenderer(template))
