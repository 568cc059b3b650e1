"""Builds the Word templates with python-docx: the letterhead every built-in kind is laid
out in (templates/docx/letterhead.docx), and the tests' full-layout template
(tests/data/fulllayout/adhoc.docx: the six sections laid out in Word with docxtpl tags, as a
secretariat may still bring one of its own; no built-in kind names one).

This script is the one source of these files: the fixture's section headings come from the
kind's sections (number and title, typed once there), everything else is written here, so
that a change to a template is a readable diff. The .docx files are committed as build
products: the build is deterministic, and tests/test_template_build.py fails when a
committed file differs from a fresh build by one byte (a heading turned red in Word, or an
edit here not rebuilt). After editing this file or a kind's section titles:

    python templates/build_templates.py              # rebuild every template
    python templates/build_templates.py letterhead   # rebuild one

Every template is then cleaned of what python-docx's own Word 2010 starting document
leaves behind (see clean_package), so that Word opens it in its current mode with Danish
spelling, and an OOXML validator finds nothing to report.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # the drafter of this checkout, to read its kinds
    sys.path.insert(0, str(REPO))

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

OUT_DIR = Path(__file__).resolve().parent / "docx"
FIXTURE_DIR = REPO / "tests" / "data" / "fulllayout"
KINDS_DIR = REPO / "drafter" / "kinds"

ACCENT = RGBColor(0x1F, 0x4E, 0x5F)  # dark teal, prints well in greyscale too
HEADER_FILL = "DCE6EA"
TEXT_WIDTH_CM = 16.0


# -- document scaffolding ---------------------------------------------------------------

def new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.footer_distance = Cm(1.0)
    _styles(doc)
    return doc


def _styles(doc: Document) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    _set_east_asian_font(normal, "Calibri")
    _document_language(doc, "da-DK")
    # Running text is not hyphenated (see _clean_settings); schema order: before spacing.
    normal.element.get_or_add_pPr().find(qn("w:spacing")).addprevious(OxmlElement("w:suppressAutoHyphens"))

    title = styles["Title"]
    title.font.name = "Calibri"
    title.font.size = Pt(24)
    title.font.bold = True
    title.font.color.rgb = ACCENT
    title.paragraph_format.space_after = Pt(4)
    _remove_border(title)

    subtitle = styles["Subtitle"]
    subtitle.font.name = "Calibri"
    subtitle.font.size = Pt(12)
    subtitle.font.italic = False
    subtitle.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    subtitle.paragraph_format.space_after = Pt(12)
    _no_letter_spacing(subtitle)

    for name, size, before in (("Heading 1", 15, 18), ("Heading 2", 12, 12)):
        style = styles[name]
        style.font.name = "Calibri"
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = ACCENT
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
        _set_east_asian_font(style, "Calibri")

    bullet = styles["List Bullet"]
    bullet.font.name = "Calibri"
    bullet.paragraph_format.space_after = Pt(3)

    footer = styles["Footer"]
    # The built-in style's centre tab (8.3 cm) would catch "Side X af Y" mid-page.
    footer.paragraph_format.tab_stops.clear_all()
    footer.font.size = Pt(9)
    footer.font.color.rgb = RGBColor(0x59, 0x59, 0x59)


def _set_east_asian_font(style, name: str) -> None:
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)


def _document_language(doc: Document, lang: str) -> None:
    # Word's spelling and hyphenation follow the language of the text.
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang_el = rpr_default.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        rpr_default.append(lang_el)
    lang_el.set(qn("w:val"), lang)


def _no_letter_spacing(style) -> None:
    rpr = style.element.get_or_add_rPr()
    spacing = rpr.find(qn("w:spacing"))
    if spacing is not None:
        rpr.remove(spacing)


def _remove_border(style) -> None:
    ppr = style.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)


# -- building blocks --------------------------------------------------------------------

def paragraph(doc, text: str = "", style: str | None = None, bold_prefix: str | None = None):
    p = doc.add_paragraph(style=style)
    if bold_prefix:
        p.add_run(bold_prefix).bold = True
    if text:
        p.add_run(text)
    return p


def list_intro(doc, text: str):
    """The line that introduces a list ("Gruppen skal:"): never alone at the foot of a page."""
    p = paragraph(doc, text)
    p.paragraph_format.keep_with_next = True
    return p


def tag(doc, jinja: str):
    """A paragraph holding only a docxtpl paragraph tag ({%p ... %}); docxtpl removes it."""
    return doc.add_paragraph(jinja)


def heading(doc, text: str, level: int):
    return doc.add_heading(text, level=level)


def section_headings(kind: str) -> dict[str, str]:
    """Each section's heading as the kind's YAML types it once: "1. Formål med gruppens arbejde"."""
    from drafter.questionnaire import _load_file

    return {s.key: s.heading for s in _load_file((KINDS_DIR / f"{kind}.yaml").resolve()).sections}


def paragraphs(doc, expression: str):
    """A multi-paragraph answer: the renderer turns each blank-line break into a paragraph."""
    return paragraph(doc, "{{ %s }}" % expression)


def bullets(doc, loop_var: str, sequence: str, text: str | None = None):
    """A real Word bullet list: one "List Bullet" paragraph per entry of *sequence*."""
    tag(doc, "{%%p for %s in %s %%}" % (loop_var, sequence))
    paragraph(doc, text or "{{ %s }}" % loop_var, style="List Bullet")
    tag(doc, "{%p endfor %}")


def table(doc, headers: list[str], widths_cm: list[float], loop_var: str, sequence: str, cells: list[str]):
    """A table with a repeating, shaded header row and one row per entry of *sequence*."""
    t = doc.add_table(rows=4, cols=len(headers))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.LEFT
    t.autofit = False
    header, loop_start, body, loop_end = t.rows
    for cell, text in zip(header.cells, headers):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        _shade(cell, HEADER_FILL)
    _cant_split(header)
    _repeat_as_header(header)
    loop_start.cells[0].text = "{%%tr for %s in %s %%}" % (loop_var, sequence)
    for cell, expression in zip(body.cells, cells):
        cell.text = "{{ %s }}" % expression
    loop_end.cells[0].text = "{%tr endfor %}"
    _grid(t, widths_cm)
    for row in t.rows[1:]:
        _cant_split(row)
    for row in t.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)
            for p in cell.paragraphs:
                p.paragraph_format.space_after = Pt(2)
    _cell_margins(t)
    return t


def cover(doc, title: str, subtitle: str, facts: list[tuple[str, str]]):
    """Title, subtitle and the facts block; every kind's facts end with date, version and status."""
    paragraph(doc, title, style="Title")
    paragraph(doc, subtitle, style="Subtitle")
    info_block(doc, facts + [
        ("Dato", "{{ dokument.dato }}"),
        ("Version", "{{ dokument.version }}"),
        ("Status", "{{ dokument.status|capitalize }}"),
    ])


FACT_LABEL_CM = 3.6


def info_block(doc, rows: list[tuple[str, str]]):
    """The short facts block under the title: label in bold, a tab, the value.

    Paragraphs, not a table: a table without header cells is what an accessibility check
    flags, and these label/value lines are not tabular data. A long value wraps under
    itself (hanging indent), as it did in the table's second column.
    """
    for label, value in rows:
        p = doc.add_paragraph()
        p.add_run(label).bold = True
        p.add_run("\t" + value)
        fmt = p.paragraph_format
        fmt.left_indent = Cm(FACT_LABEL_CM)
        fmt.first_line_indent = Cm(-FACT_LABEL_CM)
        fmt.tab_stops.add_tab_stop(Cm(FACT_LABEL_CM))
        fmt.space_after = Pt(4)
        fmt.keep_with_next = True
    last = doc.paragraphs[-1]
    last.paragraph_format.space_after = Pt(18)
    last.paragraph_format.keep_with_next = False


# At 9 pt, "Side 10 af 12" and this many characters of title fit on one footer line.
FOOTER_TITLE_CHARS = 85


def footer(doc, left: str):
    """Footer: document title on the left, "Side X af Y" on the right (Word fields).

    *left* is a Jinja expression; a title longer than the line is cut at a word and ends in
    "…", so the footer never wraps to two lines.
    """
    section = doc.sections[0]
    p = section.footer.paragraphs[0]
    p.style = doc.styles["Footer"]
    p.paragraph_format.tab_stops.clear_all()
    p.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    p.add_run('{{ (%s)|truncate(%d, false, "…", 0) }}' % (left, FOOTER_TITLE_CHARS))
    p.add_run("\tSide ")
    _field(p, "PAGE", "1")
    p.add_run(" af ")
    _field(p, "NUMPAGES", "1")


def _field(paragraph, instruction: str, placeholder: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {instruction} \\* MERGEFORMAT ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _grid(t, widths_cm: list[float]) -> None:
    # Word and LibreOffice lay a table out from its grid, not from the cell widths alone.
    for col, width in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(int(width * 567)))
    t._tbl.tblPr.get_or_add_tblLayout().set(qn("w:type"), "fixed")


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _repeat_as_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))  # present = on; "true" is not in Word's schema


def _cant_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def _cell_margins(t) -> None:
    tblpr = t._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side, width in (("top", 40), ("left", 90), ("bottom", 40), ("right", 90)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(width))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    # Schema order matters to Word: tblCellMar comes right before tblLook.
    look = tblpr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
    else:
        tblpr.append(margins)


# -- the kinds ---------------------------------------------------------------------------

# Organisation wording is never fixed text here: it comes from the workspace's profile
# (profil.ord.*), and a word the profile does not give leaves its text out. A fixed sentence
# around an answer stands only when the answer is there (a kind may remove a question).
WORD = "profil.ord."
IN_ORGANISATION = "{% if gruppe.klynge %} i {{ gruppe.klynge }}{% endif %}"


def build_adhoc(path: Path) -> None:
    """The tests' full-layout template: the six sections of the seed's template for the
    adhoc kind, laid out in Word (the kind itself is built from its YAML)."""
    _build_six_sections(path, "adhoc", group="Gruppen", period=(
        "Gruppen arbejder fra {{ tidsplan.start }} til {{ tidsplan.slut }}.",
        "Gruppen arbejder fra {{ tidsplan.start }}.",
        "Gruppen arbejder frem til {{ tidsplan.slut }}.",
    ))


def when(doc, condition: str, build) -> None:
    """What *build* adds to *doc*, only when *condition* holds in the answers."""
    tag(doc, "{%%p if %s %%}" % condition)
    build()
    tag(doc, "{%p endif %}")


def _period(doc, sentences: tuple[str, str, str], start: str = "tidsplan.start", end: str = "tidsplan.slut") -> None:
    both, start_only, end_only = sentences
    tag(doc, "{%%p if %s and %s %%}" % (start, end))
    paragraph(doc, both)
    tag(doc, "{%%p elif %s %%}" % start)
    paragraph(doc, start_only)
    tag(doc, "{%%p elif %s %%}" % end)
    paragraph(doc, end_only)
    tag(doc, "{%p endif %}")


def _build_six_sections(path: Path, kind: str, group: str, period: tuple[str, str, str]) -> None:
    sections = section_headings(kind)
    doc = new_document()
    # Who commissioned the group stands in the facts block right below; not repeated here.
    cover(doc, "Kommissorium for {{ gruppe.navn }}", "{{ gruppe.type|capitalize }}" + IN_ORGANISATION,
          [("Nedsat af", "{{ gruppe.nedsat_af }}")])

    heading(doc, sections["formaal"], 1)
    paragraphs(doc, "formaal.tekst")

    heading(doc, sections["opgaver"], 1)
    list_intro(doc, f"{group} skal:")
    bullets(doc, "opgave", "opgaver.opgaver")
    # No fixed "no interfaces" sentence: that would state a fact the user never gave.
    when(doc, "opgaver.snitflader", lambda: (
        heading(doc, "Snitflader til andre grupper", 2),
        table(doc, ["Gruppe", "Hvad deles eller koordineres"], [5.5, 10.5], "s", "opgaver.snitflader", ["s.gruppe", "s.deles"]),
    ))
    when(doc, "opgaver.patientperspektiv", lambda: (
        heading(doc, "Inddragelse af patient- og pårørendeperspektivet", 2),
        paragraphs(doc, "opgaver.patientperspektiv"),
    ))

    heading(doc, sections["formandskab"], 1)
    when(doc, "formandskab.formaend", lambda: (
        heading(doc, "Formandskab", 2),
        bullets(doc, "f", "formandskab.formaend", "{{ f.navn }}, {{ f.titel }}, {{ f.organisation }}"),
    ))

    def members() -> None:
        heading(doc, "Medlemmer", 2)
        # The role column only when some member has a role: never an empty column.
        tag(doc, '{%p if formandskab.medlemmer|selectattr("rolle")|list %}')
        table(
            doc,
            ["Navn", "Titel", "Organisation", "Rolle i gruppen"],
            [3.8, 4.0, 4.2, 4.0],
            "m",
            "formandskab.medlemmer",
            ["m.navn", "m.titel", "m.organisation", "m.rolle"],
        )
        tag(doc, "{%p else %}")
        table(doc, ["Navn", "Titel", "Organisation"], [5.0, 5.5, 5.5], "m", "formandskab.medlemmer",
              ["m.navn", "m.titel", "m.organisation"])
        tag(doc, "{%p endif %}")

    when(doc, "formandskab.medlemmer", members)
    when(doc, "formandskab.sekretariat", lambda: (
        heading(doc, "Sekretariatsbetjening", 2),
        paragraphs(doc, "formandskab.sekretariat"),
    ))

    def timeline() -> None:
        heading(doc, sections["tidsplan"], 1)
        _period(doc, period)
        when(doc, "tidsplan.milepaele", lambda: (
            heading(doc, "Milepæle", 2),
            table(doc, ["Dato", "Milepæl"], [4.0, 12.0], "m", "tidsplan.milepaele", ["m.dato", "m.beskrivelse"]),
        ))
        when(doc, "tidsplan.rapportering", lambda: (
            heading(doc, "Rapportering{%% if %srapportering_til %%} til {{ %srapportering_til }}{%% endif %%}" % (WORD, WORD), 2),
            table(
                doc,
                ["Dato", "Til", "Hvad rapporteres"],
                [4.0, 5.0, 7.0],
                "r",
                "tidsplan.rapportering",
                ["r.dato", "r.modtager", "r.indhold"],
            ),
        ))

    when(doc, "tidsplan.start or tidsplan.slut or tidsplan.milepaele or tidsplan.rapportering", timeline)

    def communication() -> None:
        heading(doc, sections["kommunikation"], 1)
        when(doc, "kommunikation.interessenter", lambda: (
            heading(doc, "Interessenter", 2),
            bullets(doc, "i", "kommunikation.interessenter"),
        ))
        when(doc, "kommunikation.plan", lambda: (
            heading(doc, "Hvem skal informeres og af hvem", 2),
            table(
                doc,
                ["Hvem informerer", "Hvem informeres", "Om hvad", "Hvornår"],
                [3.6, 3.9, 5.0, 3.5],
                "k",
                "kommunikation.plan",
                ["k.afsender", "k.modtager", "k.indhold", "k.tidspunkt"],
            ),
        ))

    when(doc, "kommunikation.interessenter or kommunikation.plan", communication)

    def closing() -> None:
        heading(doc, sections["afslutning"], 1)
        optional_paragraphs(doc, "afslutning.tekst")
        when(doc, "afslutning.overdragelse", lambda: (
            heading(doc, "Overdragelse", 2),
            paragraphs(doc, "afslutning.overdragelse"),
        ))

    when(doc, "afslutning.tekst or afslutning.overdragelse", closing)

    footer(doc, '"Kommissorium for " ~ gruppe.navn')
    save(doc, path, "Kommissorium for en ad-hoc gruppe")


# -- shared by the builders and the letterhead ---------------------------------------------

def label_headings(doc) -> None:
    """In the documents whose level-2 headings are such labels: a quieter Heading 2, the
    size of the text, close to the lines it introduces."""
    style = doc.styles["Heading 2"]
    style.font.size = Pt(11)
    style.paragraph_format.space_before = Pt(8)
    style.paragraph_format.space_after = Pt(2)


def optional_paragraphs(doc, expression: str):
    tag(doc, "{%%p if %s %%}" % expression)
    paragraphs(doc, expression)
    tag(doc, "{%p endif %}")


# -- the letterhead ------------------------------------------------------------------------

# The styles the body drafter builds uses (drafter/body.py); kept in the letterhead although
# its own paragraphs do not use them.
BODY_STYLES = ("Heading1", "Heading2", "Heading3", "ListBullet", "TableGrid")


def build_letterhead(path: Path) -> None:
    """The letterhead every kind without a full-layout template of its own is rendered in:
    styles, page set-up, footer, the first-page block (title, subtitle, facts) and one place
    where the body goes. The body is built from the kind (drafter/body.py)."""
    doc = new_document()
    label_headings(doc)
    h3 = doc.styles["Heading 3"]
    h3.font.name = "Calibri"
    h3.font.size = Pt(11)
    h3.font.bold = True
    h3.font.italic = False
    h3.font.color.rgb = ACCENT
    h3.paragraph_format.space_before = Pt(6)
    h3.paragraph_format.space_after = Pt(2)
    h3.paragraph_format.keep_with_next = True
    _set_east_asian_font(h3, "Calibri")
    paragraph(doc, "{{ kommissorium.titel }}", style="Title")
    when(doc, "kommissorium.undertitel", lambda: paragraph(doc, "{{ kommissorium.undertitel }}", style="Subtitle"))
    tag(doc, "{{p kommissorium.fakta }}")
    tag(doc, "{{p kommissorium.indhold }}")
    footer(doc, "kommissorium.titel")
    save(doc, path, "Brevpapir til kommissorier", keep_styles=BODY_STYLES)


# -- a clean package ----------------------------------------------------------------------

# python-docx starts from a Word 2010 document made on a Mac; these parts of it are stale
# (a second style sheet in en-US, a blank thumbnail, a bibliography store) and go.
_STALE_PARTS = ("word/stylesWithEffects.xml", "docProps/thumbnail.jpeg", "customXml/")
_STALE_RELS = ("/stylesWithEffects", "/metadata/thumbnail", "/customXml")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entry time: the same build gives the same bytes
_TEMPLATE_DATE = "2026-01-01T00:00:00Z"

_APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>Normal.dotm</Template><Application>drafter</Application><DocSecurity>0</DocSecurity>"
    "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def _core_xml(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>Skabelon: {title}</dc:title><dc:creator>drafter</dc:creator>"
        "<dc:description>Word-skabelon til drafter. Felterne i {{ }} udfyldes fra en svarfil.</dc:description>"
        "<dc:language>da-DK</dc:language>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{_TEMPLATE_DATE}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{_TEMPLATE_DATE}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _clean_settings(xml: str) -> str:
    # Word 2013+ layout (compatibility mode 15), Danish theme fonts and number format, and
    # no "spelling checked and clean" flag, so Word checks the Danish text when it opens.
    xml = re.sub(r"<w:proofState [^>]*/>", "", xml)
    xml = re.sub(r"<w:savePreviewPicture/>", "", xml)
    xml = xml.replace('w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="14"',
                      'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"')
    xml = re.sub(r"<w:themeFontLang [^>]*/>", '<w:themeFontLang w:val="da-DK"/>', xml)
    xml = xml.replace('<w:decimalSymbol w:val="."/>', '<w:decimalSymbol w:val=","/>')
    xml = xml.replace('<w:listSeparator w:val=","/>', '<w:listSeparator w:val=";"/>')
    # w:percent is required by the schema (python-docx's starting document lacks it).
    xml = re.sub(r"<w:zoom [^>]*/>", '<w:zoom w:percent="100"/>', xml)
    # Hyphenation on, in the text's language (da-DK, see _document_language); the Normal
    # style suppresses it, and drafter.tablefit allows it only in a table column too narrow
    # for its longest word. Schema order: right after defaultTabStop.
    xml = re.sub(r"(<w:defaultTabStop [^>]*/>)", r'\1<w:autoHyphenation/><w:hyphenationZone w:val="357"/>', xml)
    return xml


def _without_rels(xml: str, types: tuple[str, ...]) -> str:
    return re.sub(
        r"<Relationship [^>]*/>",
        lambda m: "" if any(f'{t}"' in m.group(0) for t in types) else m.group(0),
        xml,
    )


def _used_styles_only(text: dict[str, str], keep: tuple[str, ...] = ()) -> str:
    """styles.xml with only the styles the template uses (and what they are based on, link
    to or are followed by) and the defaults. python-docx's starting document defines some
    160 styles, mostly table styles nobody uses; Word still offers every built-in style
    (latentStyles), and the document is a tenth of the size to read and check."""
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    root = etree.fromstring(text["word/styles.xml"].encode("utf-8"))
    styles = {el.get(w + "styleId"): el for el in root.findall(w + "style")}
    used = {sid for sid, el in styles.items() if el.get(w + "default") in ("1", "true", "on") or sid in keep}
    for name, xml in text.items():
        if name.startswith("word/") and name != "word/styles.xml":
            used.update(re.findall(r'<w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', xml))
    todo = list(used)
    while todo:
        el = styles.get(todo.pop())
        if el is None:
            continue
        for ref in ("basedOn", "next", "link"):
            target = el.find(w + ref)
            if target is not None and target.get(w + "val") not in used:
                used.add(target.get(w + "val"))
                todo.append(target.get(w + "val"))
    for sid, el in styles.items():
        if sid not in used:
            root.remove(el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True).decode("utf-8")


def clean_package(data: bytes, title: str, keep_styles: tuple[str, ...] = ()) -> bytes:
    """The .docx python-docx wrote, without its starting document's leftovers, as
    deterministic bytes (fixed entry times, [Content_Types].xml first)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts = {n: b for n, b in parts.items() if not any(n == s or (s.endswith("/") and n.startswith(s)) for s in _STALE_PARTS)}
    text = {n: parts[n].decode("utf-8") for n in parts if n.endswith((".xml", ".rels"))}
    types = text["[Content_Types].xml"]
    types = re.sub(r'<Override PartName="/(word/stylesWithEffects\.xml|customXml/[^"]*)"[^>]*/>', "", types)
    types = re.sub(r'<Default Extension="jpeg"[^>]*/>', "", types)
    text["[Content_Types].xml"] = types
    text["_rels/.rels"] = _without_rels(text["_rels/.rels"], _STALE_RELS)
    text["word/_rels/document.xml.rels"] = _without_rels(text["word/_rels/document.xml.rels"], _STALE_RELS)
    text["word/settings.xml"] = _clean_settings(text["word/settings.xml"])
    text["word/styles.xml"] = _used_styles_only(text, keep_styles).replace(
        '<w:lang w:val="da-DK" w:eastAsia="en-US" w:bidi="ar-SA"/>', '<w:lang w:val="da-DK"/>'
    )
    text["docProps/app.xml"] = _APP_XML
    text["docProps/core.xml"] = _core_xml(title)
    parts.update({n: t.encode("utf-8") for n, t in text.items()})

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(parts, key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, _FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, parts[name])
    return out.getvalue()


def save(doc: Document, path: Path, title: str, keep_styles: tuple[str, ...] = ()) -> None:
    """Write the template: python-docx's package, cleaned (see clean_package)."""
    buffer = io.BytesIO()
    doc.save(buffer)
    data = clean_package(buffer.getvalue(), title, keep_styles)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


BUILDERS = {
    "adhoc": build_adhoc,
    "letterhead": build_letterhead,
}


def target(name: str) -> Path:
    """Where the build of *name* is committed: the tests' fixture, or a built-in template."""
    return (FIXTURE_DIR if name == "adhoc" else OUT_DIR) / f"{name}.docx"


def main(argv: list[str]) -> int:
    for name in argv or sorted(BUILDERS):
        path = target(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        BUILDERS[name](path)
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
