"""The checks a public body applies to the Word files and PDFs drafter writes (issue 16):
clean OOXML by an independent validator, headings without skipped levels, tagged PDF/UA
with Danish language and title, PDF/A on request, and table cells that never break a word.

The validators were first shown to catch planted defects (see the two *_catches_* tests);
a clean result from a checker that finds nothing would prove nothing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import pytest
from docx import Document

from conftest import BUILT_TEMPLATES, EXAMPLES, FULL_LAYOUT_TEMPLATE, docx_text, has_soffice, render_examples, run_cli

TEMPLATES = BUILT_TEMPLATES
STEMS = [p.stem for p in EXAMPLES]
needs_pdf_tools = pytest.mark.skipif(
    not has_soffice() or shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="needs LibreOffice and poppler-utils",
)


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    """Every example as .docx, rendered by one real `drafter render`."""
    return render_examples(tmp_path_factory.mktemp("examples"), STEMS)


@pytest.fixture(scope="module")
def validator():
    from openxml_audit import OpenXmlValidator

    return OpenXmlValidator()


def findings(validator, path) -> list[str]:
    result = validator.validate(path)
    return [f"{getattr(e, 'part', '')} {getattr(e, 'path', '')}: {getattr(e, 'description', e)}" for e in result.errors]


# -- clean OOXML ---------------------------------------------------------------------------

def test_the_validator_catches_a_planted_defect(validator, tmp_path):
    # The defect the templates had: tblHeader w:val="true", outside Microsoft's on/off values.
    planted = tmp_path / "planted.docx"
    with zipfile.ZipFile(FULL_LAYOUT_TEMPLATE) as source, zipfile.ZipFile(planted, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                assert b"<w:tblHeader/>" in data
                data = data.replace(b"<w:tblHeader/>", b'<w:tblHeader w:val="true"/>', 1)
            target.writestr(name, data)
    assert any("tblHeader" in f for f in findings(validator, planted))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.stem)
def test_no_validator_finding_in_a_template(validator, template):
    assert findings(validator, template) == []


def test_no_validator_finding_in_an_example_document(validator, examples):
    found = {stem: findings(validator, path) for stem, path in examples.items()}
    assert found == {stem: [] for stem in examples}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.stem)
def test_no_leftovers_of_python_docx_starting_document(template):
    with zipfile.ZipFile(template) as archive:
        names = archive.namelist()
        settings = archive.read("word/settings.xml").decode("utf-8")
        app = archive.read("docProps/app.xml").decode("utf-8")
        styles = archive.read("word/styles.xml").decode("utf-8")
        rels = archive.read("_rels/.rels").decode("utf-8") + archive.read("word/_rels/document.xml.rels").decode("utf-8")
    assert not [n for n in names if n.startswith(("customXml/", "docProps/thumbnail")) or "stylesWithEffects" in n]
    assert "thumbnail" not in rels and "stylesWithEffects" not in rels and "customXml" not in rels
    # Word 2013+ mode, Danish theme language, and Word spell-checks the text when it opens it.
    assert re.search(r'w:name="compatibilityMode"[^>]*w:val="15"', settings)
    assert '<w:themeFontLang w:val="da-DK"/>' in settings
    assert "proofState" not in settings
    assert "en-US" not in settings + styles and "ja-JP" not in settings + styles
    # Honest about who made it, and no counts that would be wrong after rendering.
    assert "<Application>drafter</Application>" in app
    assert "Macintosh" not in app and "<Words>" not in app and "<Pages>" not in app


# -- headings ----------------------------------------------------------------------------

def heading_levels(path) -> list[tuple[int, str]]:
    levels = []
    for p in Document(str(path)).paragraphs:
        match = re.fullmatch(r"Heading (\d)", p.style.name)
        if match:
            levels.append((int(match.group(1)), p.text))
    return levels


def test_headings_start_at_level_one_and_skip_no_level(examples):
    for stem, path in examples.items():
        previous = 0
        for level, text in heading_levels(path):
            assert level <= previous + 1, f"{stem}: {text!r} is level {level} after level {previous}"
            previous = level


def test_every_block_label_is_a_heading(examples):
    # Parties over their member lines and clusters in the appendix: in the navigation pane.
    levels = heading_levels(examples["klyngestyregruppe-midtklyngen"])
    assert (2, "Kommuner") in levels and (2, "Almen praksis") in levels
    appendix = heading_levels(examples["implementeringsnetvaerk-amning"])
    assert (2, "Gødstrupklyngen") in appendix and (2, "Aarhusklyngen") in appendix
    doc = Document(str(examples["klyngestyregruppe-midtklyngen"]))
    bold_lines = [p.text for p in doc.paragraphs if p.style.name == "Normal" and p.runs and all(r.bold for r in p.runs)]
    assert bold_lines == []


# -- tables --------------------------------------------------------------------------------

def test_a_column_no_row_fills_is_left_out(workdir):
    # No member has a role: the "Rolle i gruppen" column goes, and its width to the others.
    path = workdir / "answers" / "udskrivelse-af-skroebelige-aeldre.yaml"
    text = re.sub(r"\n      rolle: [^\n]*", "", path.read_text(encoding="utf-8"))
    assert "rolle:" not in text
    path.write_text(text, encoding="utf-8")
    result = run_cli("render", str(path), "--out-dir", str(workdir / "out"), cwd=workdir)
    assert result.returncode == 0, result.stderr
    doc = Document(str(workdir / "out" / "udskrivelse-af-skroebelige-aeldre.docx"))
    members = next(t for t in doc.tables if t.rows[0].cells[0].text == "Navn")
    assert [c.text for c in members.rows[0].cells] == ["Navn", "Titel", "Organisation"]
    grid = members._tbl.tblGrid.findall(W + "gridCol")
    assert len(grid) == 3
    template = next(t for t in Document(str(FULL_LAYOUT_TEMPLATE)).tables if t.rows[0].cells[0].text == "Navn")
    assert abs(sum(map(grid_width, grid)) - sum(map(grid_width, template._tbl.tblGrid.findall(W + "gridCol")))) <= 1


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def grid_width(col) -> int:
    return int(col.get(W + "w"))


# -- PDF -----------------------------------------------------------------------------------

def words_of(text: str) -> set[str]:
    words = set()
    for token in text.split():
        words.add(token)
        words.update(re.split(r"(?<=[-–/])", token))  # a line may break after a hyphen or slash
    return words


@needs_pdf_tools
@pytest.mark.parametrize("stem", STEMS)
def test_no_word_breaks_inside_itself(example_pdfs, stem):
    # Every word LibreOffice printed is a word of the document: a word broken in a narrow
    # column ("Patientinddragelsesud" + "valget") is two strings the document never had.
    docx, pdf = example_pdfs[stem]
    known = words_of(docx_text(docx))
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    strays = [w for w in printed.split() if w not in known and not w.isdigit() and w != "\uf0b7"]  # bullet glyph
    assert strays == []


@needs_pdf_tools
@pytest.mark.parametrize("stem", STEMS)
def test_pdf_is_tagged_danish_and_titled(example_pdfs, stem):
    import pikepdf

    docx, pdf = example_pdfs[stem]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    with pikepdf.open(pdf) as document:
        assert str(document.Root.Lang) == "da-DK"
        assert bool(document.Root.ViewerPreferences.DisplayDocTitle)
        with document.open_metadata() as xmp:
            # The window title is the title on page 1 ("Kommissorium for klyngestyregruppen").
            assert xmp.get("dc:title") == Document(str(docx)).core_properties.title == Document(str(docx)).paragraphs[0].text
            assert xmp.get("pdfuaid:part") == "1"
        order = structure_order(document)
    assert {"/H1", "/L", "/LI"} <= set(order)
    # Headings in the tags skip no level (pdfua's own heading rule, UA-14-001, fails with an
    # internal error on LibreOffice's PDFs and is skipped, so it is checked here).
    levels = [int(s[2:]) for s in order if re.fullmatch(r"/H\d", s)]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


def structure_order(document) -> list[str]:
    """The structure types of the PDF's tag tree in reading order ("/H1", "/P", ...)."""
    import pikepdf

    found, todo = [], [document.Root.StructTreeRoot]
    while todo:
        node = todo.pop()
        if "/S" in node:
            found.append(str(node.S))
        kids = node.get("/K")
        if kids is None:
            continue
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        todo.extend(kid for kid in reversed(kids) if isinstance(kid, pikepdf.Dictionary) and "/S" in kid)
    return found


def structure_types(document) -> set[str]:
    return set(structure_order(document))


@needs_pdf_tools
def test_tables_have_header_cells_in_the_tags(example_pdfs):
    import pikepdf

    with pikepdf.open(example_pdfs["udskrivelse-af-skroebelige-aeldre"][1]) as document:
        assert {"/Table", "/TH", "/TD", "/H2"} <= structure_types(document)


@needs_pdf_tools
def test_pdfua_checker_finds_no_error(example_pdfs, tmp_path):
    errors = {stem: pdfua_errors(pdf) for stem, (_, pdf) in example_pdfs.items()}
    assert errors == {stem: [] for stem in example_pdfs}
    # The checker is not blind: an untagged PDF of the same document fails it.
    untagged = tmp_path / "untagged.pdf"
    _strip_tags(example_pdfs["udskrivelse-af-skroebelige-aeldre"][1], untagged)
    assert pdfua_errors(untagged)


def pdfua_errors(pdf) -> list[str]:
    """The PyPI package pdfua's findings (machine-checkable PDF/UA-1), warnings included."""
    import pdfua

    return [f"{f.rule_id}: {f.message}" for f in pdfua.validate(str(pdf)).findings]


def _strip_tags(source, target) -> None:
    import pikepdf

    with pikepdf.open(source) as document:
        del document.Root["/StructTreeRoot"]
        del document.Root["/MarkInfo"]
        document.save(target)


@needs_pdf_tools
def test_pdfa_declares_pdfa_2_in_its_metadata(workdir):
    import pikepdf

    result = run_cli("render", "answers/klyngestyregruppe-midtklyngen.yaml", "--pdfa", cwd=workdir, timeout=300)
    assert result.returncode == 0, result.stderr
    with pikepdf.open(workdir / "out" / "klyngestyregruppe-midtklyngen.pdf") as document:
        with document.open_metadata() as xmp:
            # LibreOffice 7 offers PDF/A-2b (not 2a/2u); tagged PDF/UA as with --pdf.
            assert xmp.get("pdfaid:part") == "2"
            assert xmp.get("pdfaid:conformance") == "B"
            assert xmp.get("pdfuaid:part") == "1"
    # A later --pdf does not reuse the archive PDF (nor --pdfa a plain one): it is made anew.
    from drafter.pdf import _conforms

    pdf = workdir / "out" / "klyngestyregruppe-midtklyngen.pdf"
    assert _conforms(pdf, archive=True) and not _conforms(pdf, archive=False)


# -- page flow -----------------------------------------------------------------------------

def pdf_pages(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.rstrip("\f").split("\f")]


@needs_pdf_tools
@pytest.mark.parametrize("stem", STEMS)
def test_no_heading_ends_a_page(example_pdfs, stem):
    docx, pdf = example_pdfs[stem]
    headings = {text for _, text in heading_levels(docx)}
    raw = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for number, page in enumerate(raw.rstrip("\f").split("\f")[:-1], start=1):
        lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
        last_body_line = lines[-2]  # the last line is the footer
        assert last_body_line not in headings, f"page {number} ends with the heading {last_body_line!r}"


@needs_pdf_tools
@pytest.mark.parametrize("stem", STEMS)
def test_short_tables_stay_on_one_page(example_pdfs, stem):
    # A table tablefit found short (every row but the last keeps with the next) is on one page.
    docx, pdf = example_pdfs[stem]
    pages = pdf_pages(pdf)
    for table in Document(str(docx)).tables:
        if not all(p._p.find(f"{W}pPr/{W}keepNext") is not None for row in table.rows[:-1] for p in row.cells[0].paragraphs):
            continue
        where = None
        for row in table.rows:
            # The first word of the row (a cell may wrap: "Birgitte" / "Laursen").
            start = " ".join(c.text for c in row.cells).split()[0]
            found = {i for i, page in enumerate(pages) if start in page}
            where = found if where is None else where & found
        assert where, f"{stem}: the table starting {table.rows[0].cells[0].text!r} is split over pages"


def test_a_long_title_is_shortened_in_the_footer_never_wrapped(workdir):
    path = workdir / "answers" / "udskrivelse-af-skroebelige-aeldre.yaml"
    long_name = "Ad-hoc gruppe om udskrivelse af skrøbelige ældre med mange samtidige sygdomme og behov for koordineret opfølgning"
    text = path.read_text(encoding="utf-8").replace("navn: Ad-hoc gruppe om udskrivelse af skrøbelige ældre", f"navn: {long_name}")
    path.write_text(text, encoding="utf-8")
    result = run_cli("render", str(path), "--out-dir", str(workdir / "out"), cwd=workdir)
    assert result.returncode == 0, result.stderr
    doc = Document(str(workdir / "out" / "udskrivelse-af-skroebelige-aeldre.docx"))
    footer = doc.sections[0].footer.paragraphs[0].text.split("\t")[0]
    assert footer.endswith("…") and len(footer) <= 86
    assert ("Kommissorium for " + long_name).startswith(footer[:-1])
    assert doc.paragraphs[0].text == "Kommissorium for " + long_name  # the title keeps every word


def lowest_text_per_page(pdf) -> list[tuple[float, float]]:
    """(lowest body text y, page height) of each page, in points from the top; the footer
    (in the bottom margin) does not count."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in re.finditer(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', xml, re.S):
        height = float(page.group(1))
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page.group(2))]
        body = [y for y in bottoms if y < height - 2.2 / 2.54 * 72 + 4]  # above the bottom margin (2.2 cm)
        pages.append((max(body, default=0.0), height))
    return pages


@needs_pdf_tools
@pytest.mark.parametrize("stem", STEMS)
def test_no_page_is_more_than_half_blank_unless_a_section_ends_there(example_pdfs, stem):
    docx, pdf = example_pdfs[stem]
    sections = {text for level, text in heading_levels(docx) if level == 1}
    pages = pdf_pages(pdf)
    top = 2.5 / 2.54 * 72
    for number, (lowest, height) in enumerate(lowest_text_per_page(pdf)[:-1], start=1):
        bottom = height - 2.2 / 2.54 * 72
        if lowest >= top + (bottom - top) / 2:
            continue
        following = pages[number]
        assert any(following.startswith(section) for section in sections), (
            f"{stem}: page {number} is more than half blank, and no section begins on page {number + 1}"
        )
