"""`drafter import` never loses or invents an answer: the chair's edits in a real rendered
document (python-docx and XML edits, as Word would leave them), imported with the real CLI,
and the answer file compared with what it must be."""

from __future__ import annotations

import copy
import io
import os
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import ADHOC_EXAMPLE, REPO, assert_clean_failure, run_cli

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NAME = ADHOC_EXAMPLE.stem


@pytest.fixture
def rendered(workdir: Path) -> tuple[Path, Path]:
    """(the answer file, its document as drafter made it)."""
    answers = workdir / "answers" / ADHOC_EXAMPLE.name
    assert run_cli("render", answers, cwd=workdir).returncode == 0
    return answers, workdir / "out" / f"{NAME}.docx"


def _answers(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _set_text(paragraph, text: str) -> None:
    runs = paragraph.runs
    runs[0].text = text
    for run in runs[1:]:
        run._r.getparent().remove(run._r)


def _edit(path: Path, change) -> None:
    from docx import Document

    document = Document(str(path))
    change(document)
    document.save(str(path))


def _paragraph(document, start: str):
    return next(p for p in document.paragraphs if p.text.startswith(start))


def _members_table(document):
    return next(t for t in document.tables if t.rows[0].cells[0].text == "Navn" and len(t.columns) == 4)


def _import(workdir: Path, document: Path, *more: str) -> subprocess.CompletedProcess:
    return run_cli("import", document, "--into", workdir / "answers" / ADHOC_EXAMPLE.name, *more, cwd=workdir)


def _members(answers: Path) -> list[str]:
    return [m["navn"] for m in _answers(answers)["formandskab"]["medlemmer"]]


def test_a_name_fixed_in_a_line_whose_title_has_commas_changes_only_the_name(rendered, workdir):
    answers, document = rendered
    before = _answers(answers)
    _edit(document, lambda d: _set_text(_paragraph(d, "Mette Kjærgaard"), _paragraph(d, "Mette Kjærgaard").text.replace(
        "Mette Kjærgaard", "Mette Kjærgård")))
    result = _import(workdir, document, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    after = _answers(answers)
    expected = copy.deepcopy(before)
    expected["formandskab"]["formaend"][0]["navn"] = "Mette Kjærgård"
    assert after == expected
    assert after["formandskab"]["formaend"][0]["titel"] == "Oversygeplejerske, Medicinsk Afdeling"


def test_a_retyped_separator_moves_no_answer_into_the_next(rendered, workdir):
    """Autocorrect made ", " a dash: the words only moved between answers, so nothing is
    taken and the line is listed."""
    answers, document = rendered
    before = answers.read_bytes()
    _edit(document, lambda d: _set_text(_paragraph(d, "Mette Kjærgaard"), _paragraph(d, "Mette Kjærgaard").text.replace(
        "Kjærgaard, ", "Kjærgaard – ")))
    result = _import(workdir, document, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Kan ikke placeres" in result.stdout and "Mette Kjærgaard – Oversygeplejerske" in result.stdout
    assert answers.read_bytes() == before


def test_two_member_rows_swapped_keep_every_member_in_the_new_order(rendered, workdir):
    answers, document = rendered
    names = _members(answers)

    def swap(d):
        rows = _members_table(d)._tbl.findall(W + "tr")
        rows[1].addprevious(rows[2])  # Anders Holm above Lone Bæk

    _edit(document, swap)
    result = _import(workdir, document, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rækkefølgen er ændret" in result.stdout
    assert _members(answers) == [names[1], names[0], *names[2:]]
    assert _answers(answers)["formandskab"]["medlemmer"][0]["rolle"] == "Medicinafstemning"


def test_one_row_deleted_and_two_swapped_removes_exactly_one_member(rendered, workdir):
    answers, document = rendered
    names = _members(answers)

    def edit(d):
        rows = _members_table(d)._tbl.findall(W + "tr")
        rows[4].getparent().remove(rows[4])  # Jens Møller
        rows[1].addprevious(rows[2])

    _edit(document, edit)
    result = _import(workdir, document, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _members(answers) == [names[1], names[0], names[2], *names[4:]]
    assert "Medlem fjernet: Jens Møller" in result.stdout


def test_a_row_typed_into_the_table_is_a_new_member(rendered, workdir):
    answers, document = rendered
    names = _members(answers)

    def add(d):
        table = _members_table(d)
        last = table._tbl.findall(W + "tr")[-1]
        row = copy.deepcopy(last)
        last.addnext(row)
        from docx.table import _Row

        for cell, text in zip(_Row(row, table).cells, ["Ida Lund", "Fysioterapeut", "Skive Kommune", ""]):
            _set_text(cell.paragraphs[0], text) if cell.paragraphs[0].runs else cell.paragraphs[0].add_run(text)

    _edit(document, add)
    result = _import(workdir, document, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    members = _answers(answers)["formandskab"]["medlemmer"]
    assert [m["navn"] for m in members] == [*names, "Ida Lund"]
    assert members[-1] == {"navn": "Ida Lund", "titel": "Fysioterapeut", "organisation": "Skive Kommune"}


def test_the_chairs_edit_of_an_older_document_keeps_the_newer_answers(rendered, workdir):
    """Rendered, then two answers changed with edit --set, then the chair's edit of the
    document as it was: the chair's edit is taken and both newer answers are kept."""
    answers, document = rendered
    chair = workdir / "formandens.docx"
    shutil.copy(document, chair)
    changed = run_cli("edit", answers, "--set", "gruppe.navn=Ad-hoc gruppe om trygge udskrivelser",
                      "--set", "tidsplan.slut=2028-03-31", cwd=workdir)
    assert changed.returncode == 0, changed.stdout + changed.stderr
    newer = _answers(answers)
    _edit(chair, lambda d: _set_text(_paragraph(d, "Mette Kjærgaard"), _paragraph(d, "Mette Kjærgaard").text.replace(
        "Mette Kjærgaard", "Mette Kjærgård")))
    result = _import(workdir, chair, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "beholdes" in result.stdout and "Slutdato" in result.stdout
    after = _answers(answers)
    newer["formandskab"]["formaend"][0]["navn"] = "Mette Kjærgård"
    assert after == newer
    assert after["gruppe"]["navn"] == "Ad-hoc gruppe om trygge udskrivelser"
    assert str(after["tidsplan"]["slut"]) == "2028-03-31"


def test_the_same_answer_changed_on_both_sides_is_a_conflict(rendered, workdir):
    answers, document = rendered
    chair = workdir / "formandens.docx"
    shutil.copy(document, chair)
    assert run_cli("edit", answers, "--set", "tidsplan.slut=2028-03-31", cwd=workdir).returncode == 0
    before = answers.read_bytes()
    _edit(chair, lambda d: _set_text(_paragraph(d, "Gruppen arbejder fra"), _paragraph(d, "Gruppen arbejder fra").text.replace(
        "17. december 2027", "30. juni 2028")))
    result = _import(workdir, chair, "--yes")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "KONFLIKT: Slutdato (tidsplan.slut)" in result.stdout
    assert "«31. marts» 2028" in result.stdout and "«30. juni» 2028" in result.stdout  # side by side
    assert "Intet er skrevet" in result.stdout
    assert answers.read_bytes() == before


def test_a_document_from_an_older_drafter_changes_nothing_without_a_yes_per_answer(rendered, workdir):
    answers, document = rendered
    _edit(document, lambda d: _set_text(_paragraph(d, "Gruppen arbejder fra"), _paragraph(d, "Gruppen arbejder fra").text.replace(
        "17. december 2027", "30. juni 2028")))
    _strip_base(document)
    before = answers.read_bytes()
    result = _import(workdir, document, "--yes")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ældre drafter" in result.stdout and "Slutdato (tidsplan.slut)" in result.stdout
    assert answers.read_bytes() == before


def _strip_base(document: Path) -> None:
    import re

    with zipfile.ZipFile(document) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    custom = entries["docProps/custom.xml"].decode("utf-8")
    entries["docProps/custom.xml"] = re.sub(r'<property [^>]*name="drafter_grundlag_\d+".*?</property>', "", custom).encode()
    _write_zip(document, entries)


def _write_zip(path: Path, entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def test_formatting_drafter_cannot_keep_is_listed_with_its_answer(rendered, workdir):
    answers, document = rendered

    def bold(d):
        paragraph = _paragraph(d, "Gruppen arbejder fra")
        for run in paragraph.runs:
            run.bold = True

    _edit(document, bold)
    result = _import(workdir, document, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Formatering, som ikke bevares" in result.stdout
    assert "Slutdato (tidsplan.slut), Startdato (tidsplan.start): fed" in result.stdout


# -- broken Word files, through diff and import ----------------------------------------------

def _parts(document: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(document) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _broken_files(document: Path, folder: Path) -> dict[str, Path]:
    """Each a copy of *document* broken one way, as the issue lists them."""
    good = _parts(document)
    made = {}

    def make(name: str, entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> None:
        path = folder / f"{name}.docx"
        _write_zip(path, entries, compression)
        made[name] = path

    ns = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    make("ingen-brodtekst", {**good, "word/document.xml": b'<?xml version="1.0"?><w:document ' + ns + b"/>"})
    rels = good["_rels/.rels"].replace(b'Target="word/document.xml"', b"")
    assert rels != good["_rels/.rels"]
    make("relation-uden-maal", {**good, "_rels/.rels": rels})
    utf16 = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
             + good["word/document.xml"].decode("utf-8").split("?>", 1)[1]).encode("utf-16")
    make("utf16-doctype", {**good, "word/document.xml": utf16})
    renamed = {("word/document.bin" if k == "word/document.xml" else k): v for k, v in good.items()}
    renamed["_rels/.rels"] = good["_rels/.rels"].replace(b"word/document.xml", b"word/document.bin")
    make("hoveddel-ikke-xml", renamed)
    deep = b"<w:tbl>" * 100_000 + b"</w:tbl>" * 100_000
    xml = good["word/document.xml"]
    at = xml.index(b">", xml.index(b"<w:body")) + 1
    body = xml[:at] + deep + xml[at:]
    make("for-dybt", {**good, "word/document.xml": body})
    million = (b'<?xml version="1.0"?><document xmlns="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
               b"<body>" + b"<p/>" * 1_000_000 + b"</body></document>")
    make("million-afsnit", {**good, "word/document.xml": million}, zipfile.ZIP_STORED)
    assert made["million-afsnit"].stat().st_size > 4_000_000
    return made


def _run_bounded(*args, cwd: Path) -> subprocess.CompletedProcess:
    """The CLI with its memory capped (address space, 1 GB): a reader that is not bounded fails."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(REPO)}
    env.pop("DRAFTER_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "drafter", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL, preexec_fn=cap)


@pytest.mark.parametrize("command", ["diff", "import"])
def test_every_broken_word_file_gets_a_danish_message_naming_it(rendered, workdir, tmp_path, command):
    answers, document = rendered
    broken = _broken_files(document, tmp_path)
    expected = {
        "ingen-brodtekst": "ingen brødtekst",
        "relation-uden-maal": "intet mål",
        "utf16-doctype": "DOCTYPE",
        "hoveddel-ikke-xml": "ikke en XML-del",
        "for-dybt": "for dybt",
        "million-afsnit": "afsnit; højst",
    }
    for name, path in broken.items():
        if command == "diff":
            result = _run_bounded("diff", document, path, cwd=workdir)
            assert result.returncode == 2, (name, result.stdout, result.stderr)
        else:
            result = _run_bounded("import", path, "--into", answers, "--yes", cwd=workdir)
        assert_clean_failure(result, str(path), expected[name])
        assert "intern fejl" not in result.stderr, (name, result.stderr)
    if command == "diff":
        long_revision = run_cli("diff", f"{answers}@{'a' * 5000}", answers, cwd=workdir)
        assert long_revision.returncode == 2
        assert_clean_failure(long_revision, "revisionen er 5000 tegn lang")
        assert "intern fejl" not in long_revision.stderr


def test_other_formats_are_told_to_be_saved_as_docx(rendered, workdir, tmp_path):
    answers, _ = rendered
    odt = tmp_path / "kommissorium.odt"
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    doc = tmp_path / "kommissorium.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    disguised = tmp_path / "odt-med-forkert-navn.docx"
    shutil.copy(odt, disguised)
    for path in (odt, doc, disguised):
        for result in (run_cli("import", path, "--into", answers, cwd=workdir), run_cli("diff", path, answers, cwd=workdir)):
            assert_clean_failure(result, str(path), "gem det som Word-dokument (.docx) og prøv igen")


def test_in_a_terminal_the_chair_answers_j_or_n_and_chooses_per_conflict(rendered, workdir):
    """A real terminal (tmux): Danish j/n, an answer that is neither asked again; the chair's
    name fix taken, the conflicting end date left as the secretariat set it."""
    from tests.test_interview_cli import EXIT_MARK, drafter_in_tmux

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    answers, document = rendered
    chair = workdir / "formandens.docx"
    shutil.copy(document, chair)
    assert run_cli("edit", answers, "--set", "tidsplan.slut=2028-03-31", cwd=workdir).returncode == 0

    def edit(d):
        _set_text(_paragraph(d, "Gruppen arbejder fra"), _paragraph(d, "Gruppen arbejder fra").text.replace(
            "17. december 2027", "30. juni 2028"))
        _set_text(_paragraph(d, "Mette Kjærgaard"), _paragraph(d, "Mette Kjærgaard").text.replace(
            "Mette Kjærgaard", "Mette Kjærgård"))

    _edit(chair, edit)
    session = drafter_in_tmux(f"import formandens.docx --into answers/{ADHOC_EXAMPLE.name}", workdir)
    try:
        screen = session.wait_for("(j/n)")
        assert "KONFLIKT: Slutdato (tidsplan.slut)" in screen and "kan springes over" not in screen
        assert "Skal formandens rettelser skrives" in screen
        session.type("måske")
        session.send("Enter")
        session.wait_for("Svar j (ja) eller n (nej).")
        session.type("ja")
        session.send("Enter")
        session.wait_for("tag dokumentets tekst i stedet for svarfilens? (j/n)")
        session.type("n")
        session.send("Enter")
        screen = session.wait_for(EXIT_MARK)
        assert f"{EXIT_MARK}0" in screen, screen
    finally:
        session.close()
    after = _answers(answers)
    assert after["formandskab"]["formaend"][0]["navn"] == "Mette Kjærgård"
    assert str(after["tidsplan"]["slut"]) == "2028-03-31"


def test_both_sides_editing_different_members_of_one_table_merge(rendered, workdir):
    """The secretariat set one member's role, the chair corrected another's name and moved
    a row: every change kept, no conflict."""
    answers, document = rendered
    chair = workdir / "formandens.docx"
    shutil.copy(document, chair)
    assert run_cli("edit", answers, "--set", "formandskab.medlemmer[3].rolle=Hjemmeplejen", cwd=workdir).returncode == 0
    names = _members(answers)

    def edit(d):
        table = _members_table(d)
        cell = table.rows[1].cells[0]
        _set_text(cell.paragraphs[0], "Lone Bæk Nielsen")
        rows = table._tbl.findall(W + "tr")
        rows[5].addnext(rows[4])  # Jens Møller below Karen Frølund

    _edit(chair, edit)
    result = _import(workdir, chair, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    members = _answers(answers)["formandskab"]["medlemmer"]
    assert [m["navn"] for m in members] == ["Lone Bæk Nielsen", names[1], names[2], names[4], names[3], *names[5:]]
    assert members[2]["rolle"] == "Hjemmeplejen" and members[0]["titel"] == "Afdelingssygeplejerske"


def test_a_record_changed_on_both_sides_is_a_conflict_not_a_guess():
    from drafter.docimport import _merge_items
    from drafter.questionnaire import load_questionnaire

    question = load_questionnaire("adhoc").question("formandskab.medlemmer")
    base = [{"navn": "A", "titel": "x"}, {"navn": "B", "titel": "y"}]
    mine = [{"navn": "A", "titel": "x2"}, {"navn": "B", "titel": "y"}]
    assert _merge_items(question, base, mine, [{"navn": "A", "titel": "x3"}, {"navn": "B", "titel": "y"}]) is None
    assert _merge_items(question, base, mine, [{"navn": "B", "titel": "y"}]) is None  # removed there, changed here
    assert _merge_items(question, base, mine, [{"navn": "A", "titel": "x"}, {"navn": "B", "titel": "y2"}]) == [
        {"navn": "A", "titel": "x2"}, {"navn": "B", "titel": "y2"}]


def test_what_word_does_to_a_file_is_not_a_change(rendered, workdir):
    """Word's own marks, made in the XML as Word writes them: rsids, every run split in two,
    bookmarks, proofing marks, a tab stop more, an empty paragraph; then a member's row deleted
    as a tracked change. Only the tracked deletion is an edit."""
    from lxml import etree

    answers, document = rendered
    entries = _parts(document)
    root = etree.fromstring(entries["word/document.xml"])
    body = root.find(W + "body")
    for n, p in enumerate(body.iter(W + "p")):
        p.set(W + "rsidR", f"00{n:06X}")
        ppr = p.find(W + "pPr")
        if ppr is None:
            ppr = etree.SubElement(p, W + "pPr")
            p.insert(0, ppr)
        tabs = ppr.find(W + "tabs")
        if tabs is None:
            tabs = etree.Element(W + "tabs")
            ppr.insert(0, tabs)
        etree.SubElement(tabs, W + "tab", {W + "val": "left", W + "pos": "4536"})
        for run in p.findall(W + "r"):
            t = run.find(W + "t")
            if t is None or not t.text or len(t.text) < 4 or [c.tag for c in run if c.tag != W + "rPr"] != [W + "t"]:
                continue
            half = copy.deepcopy(run)
            half.find(W + "t").text = t.text[len(t.text) // 2:]
            half.find(W + "t").set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            t.text = t.text[:len(t.text) // 2]
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run.addnext(half)
            run.addnext(etree.Element(W + "proofErr", {W + "type": "spellStart"}))
        p.insert(1, etree.Element(W + "bookmarkStart", {W + "id": str(n), W + "name": f"_Toc{n}"}))
        p.append(etree.Element(W + "bookmarkEnd", {W + "id": str(n)}))
    body.insert(len(body) - 1, etree.Element(W + "p"))  # a new, empty paragraph mark before sectPr
    untouched = workdir / "word-gemt.docx"
    _write_zip(untouched, {**entries, "word/document.xml": etree.tostring(root, xml_declaration=True, encoding="UTF-8")})
    before = answers.read_bytes()
    result = _import(workdir, untouched, "--yes")
    assert result.returncode == 0 and "Ingen ændrede svar" in result.stdout, result.stdout + result.stderr
    assert "Kan ikke placeres" not in result.stdout and "Formatering" not in result.stdout
    assert answers.read_bytes() == before
    diff = run_cli("diff", document, untouched, cwd=workdir)
    assert diff.returncode == 0 and "Ingen ændringer i teksten" in diff.stdout, diff.stdout

    for tr in root.iter(W + "tr"):
        if "".join(tr.itertext()).startswith("Karen Frølund"):
            trpr = tr.find(W + "trPr")
            if trpr is None:
                trpr = etree.Element(W + "trPr")
                tr.insert(0, trpr)
            etree.SubElement(trpr, W + "del", {W + "id": "1", W + "author": "Formand", W + "date": "2026-12-01T00:00:00Z"})
            for t in tr.iter(W + "t"):
                t.tag = W + "delText"
    tracked = workdir / "word-slettet-raekke.docx"
    _write_zip(tracked, {**entries, "word/document.xml": etree.tostring(root, xml_declaration=True, encoding="UTF-8")})
    result = _import(workdir, tracked, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Medlem fjernet: Karen Frølund" in result.stdout
    assert "Karen Frølund" not in _members(answers) and len(_members(answers)) == 6
