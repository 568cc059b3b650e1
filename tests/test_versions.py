"""`drafter diff` and `drafter import`: versions as tracked changes, a chair's Word edits back
into the answers. Real documents, the real CLI, LibreOffice where it is installed."""

from __future__ import annotations

import copy
import functools
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import ADHOC_EXAMPLE, assert_clean_failure, docx_text, has_soffice, run_cli

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


MEMBER_GONE = """    - navn: Karen Frølund
      titel: Sygeplejerske i akutfunktionen
      organisation: Viborg Kommune
"""


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    """Version 1.0 (the example) and 1.1: three answers changed and one member removed."""
    old = tmp_path / "v1.yaml"
    new = tmp_path / "v2.yaml"
    text = ADHOC_EXAMPLE.read_text(encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    new.write_text(_edit(
        text,
        ("slut: 2027-12-17", "slut: 2028-06-30"),
        ('version: "1.0"', 'version: "1.1"'),
        ("Sekretariatet indkalder til møder", "Sekretariatet indkalder til alle møder"),
        (MEMBER_GONE, ""),
    ), encoding="utf-8")
    return old, new


def _document_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def _paragraph_texts(root) -> list[str]:
    out = []
    for p in root.iter(W + "p"):
        out.append("".join(t.text or "" for t in p.iter(W + "t")))
    return out


def accept_all(root):
    """What Word's 'Accept all changes' leaves: insertions kept, deletions gone."""
    root = copy.deepcopy(root)
    for tr in list(root.iter(W + "tr")):
        if tr.find(f"{W}trPr/{W}del") is not None:
            tr.getparent().remove(tr)
    for p in list(root.iter(W + "p")):
        if p.find(f"{W}pPr/{W}rPr/{W}del") is not None:
            p.getparent().remove(p)
    for el in list(root.iter(W + "del")):
        if el.getparent() is not None and el.getparent().tag != W + "rPr" and el.getparent().tag != W + "trPr":
            el.getparent().remove(el)
    for ins in list(root.iter(W + "ins")):
        parent = ins.getparent()
        if parent.tag in (W + "rPr", W + "trPr"):
            parent.remove(ins)
            continue
        for child in list(ins):
            ins.addprevious(child)
        parent.remove(ins)
    return root


def reject_all(root):
    """What Word's 'Reject all changes' leaves: deletions back, insertions gone."""
    root = copy.deepcopy(root)
    for tr in list(root.iter(W + "tr")):
        if tr.find(f"{W}trPr/{W}ins") is not None:
            tr.getparent().remove(tr)
    for p in list(root.iter(W + "p")):
        if p.find(f"{W}pPr/{W}rPr/{W}ins") is not None:
            p.getparent().remove(p)
    for el in list(root.iter(W + "ins")):
        if el.getparent() is not None and el.getparent().tag not in (W + "rPr", W + "trPr"):
            el.getparent().remove(el)
    for d in list(root.iter(W + "del")):
        parent = d.getparent()
        if parent.tag in (W + "rPr", W + "trPr"):
            parent.remove(d)
            continue
        for child in list(d):
            for t in child.iter(W + "delText"):
                t.tag = W + "t"
            d.addprevious(child)
        parent.remove(d)
    return root


def test_diff_summary_and_tracked_changes(versions, tmp_path):
    old, new = versions
    tracked = tmp_path / "aendringer.docx"
    result = run_cli("diff", old, new, "--docx", tracked, "--author", "Fællessekretariatet")
    assert result.returncode == 1, result.stderr  # like diff(1): 1 = different
    out = result.stdout
    assert "Slutdato flyttet fra 17. december 2027 til 30. juni 2028" in out
    assert "Version ændret fra 1.0 til 1.1" in out
    assert "Medlem fjernet: Karen Frølund (Sygeplejerske i akutfunktionen, Viborg Kommune)" in out
    assert "3. Formandskab og gruppens sammensætning" in out

    # The two versions as drafter renders them, to compare with.
    assert run_cli("render", old, new, "--out-dir", tmp_path / "out").returncode == 0
    old_text = _paragraph_texts(_document_xml(tmp_path / "out" / "v1.docx"))
    new_text = _paragraph_texts(_document_xml(tmp_path / "out" / "v2.docx"))

    from docx import Document

    document = Document(str(tracked))  # python-docx opens it
    body = document.element.body
    insertions = body.findall(f".//{W}ins")
    deletions = body.findall(f".//{W}del")
    assert insertions and deletions
    assert {el.get(W + "author") for el in insertions + deletions} == {"Fællessekretariatet"}
    assert any(tr.find(f"{W}trPr/{W}del") is not None for tr in body.iter(W + "tr"))  # the member's row

    root = _document_xml(tracked)
    assert _paragraph_texts(accept_all(root)) == new_text
    assert _paragraph_texts(reject_all(root)) == old_text


@pytest.mark.skipif(not has_soffice(), reason="LibreOffice er ikke installeret")
def test_tracked_changes_open_in_libreoffice(versions, tmp_path):
    old, new = versions
    tracked = tmp_path / "aendringer.docx"
    assert run_cli("diff", old, new, "--docx", tracked).returncode == 1
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(tracked)],
        capture_output=True, timeout=120, check=True, stdin=subprocess.DEVNULL,
    )
    text = subprocess.run(["pdftotext", str(tmp_path / "aendringer.pdf"), "-"], capture_output=True, text=True).stdout
    # LibreOffice shows tracked changes: the old end date struck through beside the new one.
    assert "30. juni 2028" in text and "17. december 2027" in text
    assert "Karen Frølund" in text


def test_diff_exit_codes_and_sides(versions, tmp_path):
    old, new = versions
    same = run_cli("diff", old, old)
    assert same.returncode == 0 and "Ingen ændringer" in same.stdout
    missing = run_cli("diff", old, tmp_path / "findes-ikke.yaml")
    assert missing.returncode == 2 and "filen findes ikke" in missing.stderr
    assert_clean_failure(missing)

    # FILE@REV: an answer file as git has it at a revision.
    repo = tmp_path / "repo"
    repo.mkdir()
    target = repo / "x.yaml"
    shutil.copy(old, target)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "x.yaml"], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    shutil.copy(new, target)
    at_rev = run_cli("diff", f"{target}@HEAD", target)
    assert at_rev.returncode == 1 and "Slutdato flyttet" in at_rev.stdout
    bad_rev = run_cli("diff", f"{target}@ingen-saadan", target)
    assert bad_rev.returncode == 2 and "git kender ikke versionen" in bad_rev.stderr

    # Two documents: compared by text, under their headings.
    assert run_cli("render", old, new, "--out-dir", tmp_path / "out").returncode == 0
    docs = run_cli("diff", tmp_path / "out" / "v1.docx", tmp_path / "out" / "v2.docx")
    assert docs.returncode == 1
    assert "4. Tidsplan" in docs.stdout and "30. juni 2028" in docs.stdout
    # A paragraph edited in place: which one, and the words that changed (never clipped away).
    assert 'ændret i "Gruppen arbejder fra 4. januar 2027…": «17. december 2027.» er nu «30. juni 2028.»' \
        in docs.stdout, docs.stdout
    assert 'ændret i "Version 1.0": «1.0» er nu «1.1»' in docs.stdout  # a tab is a space between words


# -- import ------------------------------------------------------------------------------

def _set_paragraph(paragraph, text: str) -> None:
    runs = paragraph.runs
    runs[0].text = text
    for run in runs[1:]:
        run._r.getparent().remove(run._r)


def _chair_edits(path: Path) -> None:
    """What a chair does in Word: two answers' text changed, a paragraph of their own added."""
    from docx import Document
    from docx.text.paragraph import Paragraph

    document = Document(str(path))
    paragraphs = document.paragraphs
    period = next(p for p in paragraphs if p.text.startswith("Gruppen arbejder fra"))
    _set_paragraph(period, period.text.replace("17. december 2027", "30. juni 2028"))
    task = next(p for p in paragraphs if p.text.startswith("Kortlægge den nuværende praksis"))
    _set_paragraph(task, "Kortlægge den nuværende praksis i alle tre kommuner.")
    heading = next(p for p in paragraphs if p.text.startswith("5. Kommunikationsplan"))
    body = next(p for p in paragraphs if p.style.name == "Normal" and p.text)
    added = copy.deepcopy(body._p)
    heading._p.addnext(added)
    _set_paragraph(Paragraph(added, heading._parent), "Formanden orienterer løbende på klyngens intranet.")
    document.add_comment(task.runs[0], text="Skal kommunerne godkende dette?", author="Formand")
    document.save(str(path))


def _import_case(workdir: Path, via_libreoffice: bool) -> tuple[subprocess.CompletedProcess, Path, Path]:
    answers = workdir / "answers" / ADHOC_EXAMPLE.name
    assert run_cli("render", answers, cwd=workdir).returncode == 0
    document = workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx"
    _chair_edits(document)
    if via_libreoffice:
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        saved = workdir / "lo"
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{workdir / 'lo-profile'}", "--headless",
             "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(saved), str(document)],
            capture_output=True, timeout=120, check=True, stdin=subprocess.DEVNULL,
        )
        shutil.copy(saved / document.name, document)
    result = run_cli("import", document, "--yes", cwd=workdir)
    return result, answers, document


@pytest.mark.parametrize("via_libreoffice", [False, pytest.param(True, marks=pytest.mark.skipif(
    not has_soffice(), reason="LibreOffice er ikke installeret"))])
def test_import_brings_chair_edits_back(workdir, via_libreoffice):
    original = (workdir / "answers" / ADHOC_EXAMPLE.name).read_text(encoding="utf-8")
    result, answers, document = _import_case(workdir, via_libreoffice)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Slutdato (tidsplan.slut)" in out and "nu:  «30. juni 2028»" in out  # the changed words marked
    assert "punkt 1 nu:  Kortlægge den nuværende praksis i «alle» tre «kommuner.»" in out
    assert "kan ikke placeres" in out.lower() and "Formanden orienterer løbende" in out
    assert 'nyt afsnit, efter "5. Kommunikationsplan": Formanden orienterer løbende' in out  # where it stands
    # A Word comment belongs to no answer: listed with who wrote it and the text it is on.
    assert ('kommentar i Word fra Formand, ved "Kortlægge den nuværende praksis i alle tre kommuner.": '
            "Skal kommunerne godkende dette?") in out, out

    saved = answers.read_text(encoding="utf-8")
    assert "slut: 2028-06-30" in saved
    assert "Kortlægge den nuværende praksis i alle tre kommuner." in saved
    # Everything else as the person wrote it (comments too).
    assert [line for line in original.splitlines() if line.lstrip().startswith("#")] == \
        [line for line in saved.splitlines() if line.lstrip().startswith("#")]

    # The chair's own file is kept, and the new document carries their text for those answers.
    backups = list((workdir / "out").glob("* (rettet i Word).docx"))
    assert len(backups) == 1 and "Formanden orienterer løbende" in docx_text(backups[0])
    text = docx_text(document)
    assert "Gruppen arbejder fra 4. januar 2027 til 30. juni 2028." in text
    assert "Kortlægge den nuværende praksis i alle tre kommuner." in text
    # And the document and the answers agree: status says so, and rendering changes nothing.
    import json

    status = run_cli("status", "--json", cwd=workdir)
    states = {Path(entry["file"]).name: entry["document_state"] for entry in json.loads(status.stdout)}
    assert states[ADHOC_EXAMPLE.name] == "current"
    again = run_cli("render", answers, cwd=workdir)
    assert again.returncode == 0 and "uændret" in again.stdout


def test_import_refuses_foreign_and_mismatched_documents(workdir, tmp_path):
    from docx import Document

    foreign = tmp_path / "fremmed.docx"
    Document().save(str(foreign))
    result = run_cli("import", foreign, "--into", workdir / "answers" / ADHOC_EXAMPLE.name, cwd=workdir)
    assert_clean_failure(result, "er ikke lavet af drafter")

    other = workdir / "answers" / "temagruppe-boern-unge-og-familie.yaml"
    assert run_cli("render", other, cwd=workdir).returncode == 0
    result = run_cli("import", workdir / "out" / f"{other.stem}.docx", "--into",
                     workdir / "answers" / ADHOC_EXAMPLE.name, cwd=workdir)
    assert_clean_failure(result, "ligner ikke et kommissorium lavet ud fra denne svarfil")

    # Without a terminal and without --yes nothing is written.
    answers = workdir / "answers" / ADHOC_EXAMPLE.name
    before = answers.read_bytes()
    assert run_cli("render", answers, cwd=workdir).returncode == 0
    _chair_edits(workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx")
    result = run_cli("import", workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx", cwd=workdir)
    assert result.returncode == 1 and "--yes" in result.stdout
    assert answers.read_bytes() == before


def test_tracked_changes_in_the_chairs_file_are_read_as_accepted(versions, tmp_path, workdir):
    """The tracked-changes document of version 1.0 -> 1.1 is made from 1.1: read as
    accepted, it is 1.1 and imports as no change; read as rejected it would be 1.0."""
    old, new = versions
    shutil.copy(new, workdir / "answers" / "v2.yaml")
    tracked = workdir / "out" / "v2.docx"
    assert run_cli("diff", old, new, "--docx", tracked).returncode == 1
    before = (workdir / "answers" / "v2.yaml").read_bytes()
    result = run_cli("import", tracked, "--into", workdir / "answers" / "v2.yaml", "--yes", cwd=workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "registrerede ændringer" in result.stdout and "Ingen ændrede svar" in result.stdout
    assert (workdir / "answers" / "v2.yaml").read_bytes() == before


def test_an_answer_shown_twice_in_one_paragraph_is_read_back_once():
    from drafter.docimport import readings

    marked = "Gruppen \ue0000\ue001 (\ue0000\ue001) mødes \ue0001\ue001."
    assert readings(marked, "Gruppen Søvn (Søvn) mødes hver måned.") == [{0: "Søvn", 1: "hver måned"}]
    assert readings(marked, "Gruppen Søvn (Sovn) mødes hver måned.") == []


def test_tracked_changes_reach_the_footer(tmp_path):
    """The group's name stands in the footer too: reject-all gives the old footer, accept-all the new."""
    old = tmp_path / "v1.yaml"
    new = tmp_path / "v2.yaml"
    text = ADHOC_EXAMPLE.read_text(encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    new.write_text(_edit(text, ("navn: Ad-hoc gruppe om udskrivelse af skrøbelige ældre",
                                "navn: Ad-hoc gruppe om trygge udskrivelser")), encoding="utf-8")
    tracked = tmp_path / "aendringer.docx"
    assert run_cli("diff", old, new, "--docx", tracked).returncode == 1
    assert run_cli("render", old, new, "--out-dir", tmp_path / "out").returncode == 0

    def footer(path: Path):
        with zipfile.ZipFile(path) as archive:
            return etree.fromstring(archive.read("word/footer1.xml"))

    def texts(root) -> str:
        return " ".join(t for t in _paragraph_texts(root) if t)

    marked = footer(tracked)
    assert marked.findall(f".//{W}ins") and marked.findall(f".//{W}del")
    assert texts(reject_all(marked)) == texts(footer(tmp_path / "out" / "v1.docx"))
    assert texts(accept_all(marked)) == texts(footer(tmp_path / "out" / "v2.docx"))
    assert "udskrivelse af skrøbelige ældre" in texts(reject_all(marked))


# -- fields in a footer (tracked changes, in-process) ---------------------------------------

_FOOTER = "word/footer1.xml"
_SCHEMAS = Path(__file__).parent / "data" / "ecma376" / "package.xsd"


@functools.cache
def _example_document() -> bytes:
    from drafter.answers import load_answers
    from drafter.render import render_document, renderer_for

    answers = load_answers(ADHOC_EXAMPLE)
    return render_document(answers, renderer_for(answers.questionnaire.template_path))


def _with_footer(docx: bytes, edit) -> bytes:
    """*docx* with its footer paragraph changed by *edit* (given the paragraph)."""
    from drafter.docdiff import read_entries, write_entries

    entries = read_entries(docx)
    root = etree.fromstring(entries[_FOOTER])
    edit(root.find(W + "p"))
    entries[_FOOTER] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return write_entries(entries)


def _run(p, tag: str, text: str | None = None, **attrs):
    run = etree.SubElement(p, W + "r")
    etree.SubElement(run, W + "rPr")  # LibreOffice writes an empty one on every run
    el = etree.SubElement(run, W + tag, {W + k: v for k, v in attrs.items()})
    el.text = text
    return run


def _field_as_libreoffice_saves_it(field, instruction: str, shown: str) -> None:
    """A w:fldSimple replaced by the runs LibreOffice writes for it, with its last result."""
    holder = etree.Element(W + "p")
    _run(holder, "fldChar", fldCharType="begin")
    _run(holder, "instrText", instruction)
    _run(holder, "fldChar", fldCharType="separate")
    _run(holder, "t", shown)
    _run(holder, "fldChar", fldCharType="end")
    for run in holder:
        field.addprevious(run)
    field.getparent().remove(field)


def _add_date_field(p, shown: str, simple: bool) -> None:
    etree.SubElement(etree.SubElement(p, W + "r"), W + "t").text = " · "
    field = etree.SubElement(p, W + "fldSimple", {W + "instr": ' DATE \\@ "d. MMMM yyyy" \\* MERGEFORMAT '})
    etree.SubElement(etree.SubElement(field, W + "r"), W + "t").text = shown
    if not simple:
        _field_as_libreoffice_saves_it(field, ' DATE \\@ "d. MMMM yyyy" ', shown)


def _saved_by_libreoffice(p) -> None:
    """The footer of a document a chair saved: fields as runs, their results from then (and
    where the page last broke, as Word marks it)."""
    etree.SubElement(p.find(W + "r"), W + "lastRenderedPageBreak")
    page, pages = p.findall(W + "fldSimple")
    _field_as_libreoffice_saves_it(page, " PAGE ", "4")
    _field_as_libreoffice_saves_it(pages, " NUMPAGES ", "4")
    _add_date_field(p, "25. november 2026", simple=False)


def _footer_and_its_errors(docx: bytes):
    from drafter.docdiff import read_entries

    from tests.test_ooxml_schema import as_understood

    footer = etree.fromstring(read_entries(docx)[_FOOTER])
    schema = etree.XMLSchema(etree.parse(str(_SCHEMAS)))
    valid = schema.validate(as_understood(copy.deepcopy(footer)))
    return footer, [] if valid else [e.message for e in schema.error_log]


def test_an_unchanged_footer_with_fields_comes_through_untouched():
    """"Side 4 af 4" and a date as a chair's save left them, "Side 1 af 1" and today's date
    as drafter writes them: the same fields, so the footer is NEW's, with no change marked."""
    from drafter.docdiff import tracked_changes

    old = _with_footer(_example_document(), _saved_by_libreoffice)
    new = _with_footer(_example_document(), lambda p: _add_date_field(p, "6. december 2026", simple=True))
    footer, errors = _footer_and_its_errors(tracked_changes(old, new, "Sekretariatet", "2026-12-06T00:00:00Z"))
    assert footer.findall(f".//{W}del") == [] and footer.findall(f".//{W}ins") == []
    new_footer, _ = _footer_and_its_errors(new)
    assert etree.tostring(footer, method="c14n") == etree.tostring(new_footer, method="c14n")
    assert errors == []


def test_a_changed_footer_is_tracked_word_by_word_and_its_fields_kept():
    """A new title in the footer is a tracked change of those words; PAGE and NUMPAGES stay
    untouched, and a date field NEW no longer has is deleted as a field."""
    from drafter.docdiff import tracked_changes

    def renamed(p) -> None:
        title = p.find(f"{W}r/{W}t")
        title.text = title.text.replace("udskrivelse af skrøbelige ældre", "trygge udskrivelser")

    old = _with_footer(_example_document(), _saved_by_libreoffice)
    new = _with_footer(_example_document(), renamed)
    footer, errors = _footer_and_its_errors(tracked_changes(old, new, "Sekretariatet", "2026-12-06T00:00:00Z"))
    assert errors == []
    deleted = " ".join(" ".join(d.itertext()) for d in footer.iter(W + "del"))
    inserted = " ".join(" ".join(i.itertext()) for i in footer.iter(W + "ins"))
    assert "udskrivelse af skrøbelige ældre" in deleted and "trygge udskrivelser" in inserted
    assert "Kommissorium" not in deleted + inserted  # word by word, not the whole line
    assert [t.text for t in footer.iter(W + "delInstrText")] == [' DATE \\@ "d. MMMM yyyy" ']
    kept = [f.get(W + "instr") for f in footer.iter(W + "fldSimple")]
    assert kept == [" PAGE \\* MERGEFORMAT ", " NUMPAGES \\* MERGEFORMAT "]
    assert all(f.getparent().tag == W + "p" for f in footer.iter(W + "fldSimple"))
    new_footer, _ = _footer_and_its_errors(new)
    assert _paragraph_texts(accept_all(footer)) == _paragraph_texts(new_footer)
    assert "udskrivelse af skrøbelige ældre" in " ".join(_paragraph_texts(reject_all(footer)))


def test_a_field_inserted_in_a_footer_is_one_tracked_insertion():
    """A w:fldSimple may not stand inside w:ins: an inserted one is written as field runs."""
    from drafter.docdiff import tracked_changes

    old = _example_document()
    new = _with_footer(old, lambda p: _add_date_field(p, "6. december 2026", simple=True))
    footer, errors = _footer_and_its_errors(tracked_changes(old, new, "Sekretariatet", "2026-12-06T00:00:00Z"))
    assert errors == []
    (inserted,) = [i for i in footer.iter(W + "ins") if i.find(f".//{W}instrText") is not None]
    assert [c.get(W + "fldCharType") for c in inserted.iter(W + "fldChar")] == ["begin", "separate", "end"]
    assert "6. december 2026" in "".join(inserted.itertext())
    assert footer.find(f".//{W}del") is None


def _rendered(text: str) -> bytes:
    """The document drafter makes of the answer file *text* (in-process)."""
    from drafter.answers import check_file
    from drafter.render import render_document, renderer_for
    from drafter.yamlread import parse_answer_text

    answers = check_file(parse_answer_text(text.encode("utf-8"), str(ADHOC_EXAMPLE)))
    return render_document(answers, renderer_for(answers.questionnaire.template_path))


def test_a_changed_table_cell_with_a_soft_hyphen_is_tracked_word_by_word():
    """A word too long for its column gets a soft hyphen (w:softHyphen); a changed word
    elsewhere in that cell is still a change of that word, the soft hyphen kept."""
    from drafter.docdiff import read_entries, tracked_changes

    from tests.test_ooxml_schema import as_understood

    long_title = "titel: Kvalitetsudviklingskoordinator i akutfunktionen"
    text = _edit(ADHOC_EXAMPLE.read_text(encoding="utf-8"), ("titel: Sygeplejerske i akutfunktionen", long_title))
    old = _rendered(text)
    new = _rendered(_edit(text, (long_title, "titel: Kvalitetsudviklingskoordinator i hjemmeplejen")))
    body = etree.fromstring(read_entries(tracked_changes(old, new, "Sekretariatet", "2026-12-06T00:00:00Z"))[
        "word/document.xml"])
    (cell,) = [tc for tc in body.iter(W + "tc") if "Kvalitetsudviklings" in "".join(tc.itertext())]
    assert ["".join(d.itertext()) for d in cell.iter(W + "del") if d.getparent().tag == W + "p"] == ["akutfunktionen"]
    assert ["".join(i.itertext()) for i in cell.iter(W + "ins") if i.getparent().tag == W + "p"] == ["hjemmeplejen"]
    (kept,) = [r for r in cell.iter(W + "r") if r.find(W + "softHyphen") is not None]
    assert kept.getparent().tag == W + "p"  # the hyphenated word is unchanged: neither deleted nor inserted
    assert [c.tag for c in kept if c.tag != W + "rPr"] == [W + "t", W + "softHyphen", W + "t"]
    schema = etree.XMLSchema(etree.parse(str(_SCHEMAS)))
    assert schema.validate(as_understood(copy.deepcopy(body))), schema.error_log
    old_body, new_body = (etree.fromstring(read_entries(d)["word/document.xml"]) for d in (old, new))
    assert _paragraph_texts(accept_all(body)) == _paragraph_texts(new_body)
    assert _paragraph_texts(reject_all(body)) == _paragraph_texts(old_body)


def test_a_changed_text_is_summed_up_by_the_words_that_changed():
    # "Afslutning: teksten er ændret" told nothing of what the chair added (in-process).
    from drafter.changes import question_lines
    from drafter.questionnaire import load_questionnaire

    adhoc = load_questionnaire("adhoc")
    closing, handover = adhoc.question("afslutning.tekst"), adhoc.question("afslutning.overdragelse")
    before = "Gruppen afslutter sit arbejde med en slutrapport til sundhedsrådet på mødet i december 2027."
    assert question_lines(closing, before, before + " Slutrapporten sendes også til kommunernes sundhedsudvalg.") == [
        "Afslutning: tilføjet «Slutrapporten sendes også til kommunernes sundhedsudvalg.»"]
    assert question_lines(handover, "Modellen overdrages til driften.\n\nFormanden orienterer.",
                          "Modellen overdrages til kommunernes drift.") == [
        "Overdragelse: «driften. Formanden orienterer.» er nu «kommunernes drift.»"]
    many = " ".join(f"ord{n} x y z" for n in range(6))
    assert question_lines(closing, many, many.replace("ord", "ORD")).pop().endswith("; og 3 ændringer mere")


def test_comment_anchors_are_read_in_one_pass_and_bounded():
    # Many comments left open over a long body: each anchor is cut to a few words (a naive
    # reading copied the rest of the body into every open comment: memory times comments).
    from lxml import etree

    from drafter.wordread import _comment_anchors

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = etree.fromstring((
        f'<w:body xmlns:w="{w}"><w:p>' + "".join(f'<w:commentRangeStart w:id="{i}"/>' for i in range(3000)) + "</w:p>"
        + '<w:p><w:r><w:t>Tekst med </w:t></w:r><w:commentRangeStart w:id="a"/><w:r><w:t>48 timer</w:t></w:r>'
        + '<w:commentRangeEnd w:id="a"/><w:r><w:t> efter.</w:t><w:commentReference w:id="b"/></w:r></w:p>'
        + "".join("<w:p><w:r><w:t>ord </w:t></w:r></w:p>" for _ in range(3000)) + "</w:body>").encode())
    anchors = _comment_anchors(body)
    assert anchors["a"] == "48 timer" and anchors["b"] == "Tekst med 48 timer efter."
    assert len(anchors) == 3002 and max(len(text) for text in anchors.values()) <= 400
