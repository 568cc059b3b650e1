"""Custom Word templates: `drafter template check`, `template new` and `render --template`."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document

from conftest import ADHOC_EXAMPLE, FULL_LAYOUT_TEMPLATE, TEMPLATES_DIR, assert_clean_failure, docx_text, run_cli

BUILTIN = FULL_LAYOUT_TEMPLATE
GROUP_NAME = "Ad-hoc gruppe om udskrivelse af skrøbelige ældre"


def png(width: int = 24, height: int = 12) -> bytes:
    """A small, valid PNG (a teal bar), written by hand: no image library needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes([0x1F, 0x4E, 0x5F]) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def template_with(tmp_path: Path, *paragraphs: str, name: str = "egen.docx", runs: list[tuple[str, bool]] | None = None,
                  header: str | None = None) -> Path:
    """The built-in template plus paragraphs at the end (and optionally split runs or a header)."""
    doc = Document(str(BUILTIN))
    for text in paragraphs:
        doc.add_paragraph(text)
    if runs:
        p = doc.add_paragraph()
        for text, bold in runs:
            p.add_run(text).bold = bold
    if header is not None:
        doc.sections[0].header.paragraphs[0].text = header
    path = tmp_path / name
    doc.save(str(path))
    return path


def check(path: Path, kind: str = "adhoc"):
    return run_cli("template", "check", str(path), "--kind", kind)


def _template_and_kind():
    from drafter.questionnaire import available_kinds, load_questionnaire

    pairs = []
    for kind in available_kinds():
        pairs.append((load_questionnaire(kind).template_path, kind))
    return pairs


@pytest.mark.parametrize("template, kind", _template_and_kind(), ids=lambda v: getattr(v, "stem", v))
def test_every_builtin_template_passes_and_uses_every_question(template, kind):
    # A kind built from its YAML is checked with the letterhead it is rendered in.
    result = check(template, kind=kind)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"skabelonen kan bruges til '{kind}'" in result.stdout
    assert "ikke bruger" not in result.stdout and "advarsel" not in result.stdout


def test_every_builtin_template_is_some_kinds():
    assert {t.name for t, _ in _template_and_kind()} == {p.name for p in TEMPLATES_DIR.glob("*.docx")}


def test_misspelled_variable(tmp_path):
    result = check(template_with(tmp_path, "Gruppens navn: {{ gruppe.nanv }}"))
    assert_clean_failure(
        result,
        'brødtekst: fejl: "gruppe.nanv" findes ikke i spørgeskemaet for "adhoc"; mente du "navn"?',
        'i teksten: "Gruppens navn: {{ gruppe.nanv }}"',
    )


def test_misspelled_section_and_record_field(tmp_path):
    path = template_with(
        tmp_path, "{{ grupe.navn }}", "{%p for m in formandskab.medlemmer %}", "Medlem: {{ m.nvn }}", "{%p endfor %}"
    )
    result = check(path)
    assert_clean_failure(
        result,
        '"grupe" findes ikke i spørgeskemaet for "adhoc"; mente du "gruppe"?',
        '"m.nvn" findes ikke: hvert punkt i formandskab.medlemmer har felterne navn, titel, organisation, rolle; mente du "navn"?',
        '"Medlem: {{ m.nvn }}"',
    )


def test_unclosed_tag(tmp_path):
    result = check(template_with(tmp_path, "Gruppen {{ gruppe.navn arbejder"))
    assert_clean_failure(result, 'feltet "{{ gruppe.navn arbejder" bliver aldrig lukket; tilføj "}}"', '"Gruppen {{ gruppe.navn arbejder"')


def test_unclosed_block(tmp_path):
    result = check(template_with(tmp_path, "{%p if opgaver.snitflader %}", "Der er snitflader."))
    assert_clean_failure(
        result, 'blokken "{% if … %}" bliver aldrig lukket; tilføj "{% endif %}"', 'i teksten: "{% if opgaver.snitflader %}"'
    )


def test_unknown_filter(tmp_path):
    assert_clean_failure(check(template_with(tmp_path, "{{ gruppe.navn|shout }}")), 'filteret "shout" findes ikke')


def test_tag_split_across_runs_is_reported_and_still_renders(tmp_path, workdir):
    path = template_with(tmp_path, runs=[("Arbejdsgruppe: {{ gruppe.", False), ("navn }} (udkast)", True)])
    result = check(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        'advarsel: feltet "{{ gruppe.navn }}" er i Word delt over 2 tekststykker med forskellig formatering' in result.stdout
    ), result.stdout
    assert 'i teksten: "Arbejdsgruppe: {{ gruppe.navn }} (udkast)"' in result.stdout
    render = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--template", str(path), cwd=workdir)
    assert render.returncode == 0, render.stderr
    assert f"Arbejdsgruppe: {GROUP_NAME} (udkast)" in docx_text(workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx")


def test_a_split_delimiter_with_the_same_formatting_is_rejoined_without_a_warning(tmp_path, workdir):
    # "{" in one run and "{ gruppe.klynge }}" in the next: the kind of split Word makes.
    # Both pieces look the same, so rejoining them changes nothing a reader sees.
    path = template_with(tmp_path, runs=[("Klynge: {", False), ("{ gruppe.klynge }}", False)])
    result = check(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "delt over" not in result.stdout
    render = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--template", str(path), cwd=workdir)
    assert render.returncode == 0, render.stderr
    assert "Klynge: Midtklyngen" in docx_text(workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx")


@pytest.mark.parametrize("command", [["template"], ["template", "check"], ["template", "new"]])
def test_template_help_is_danish(command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("brug: drafter template") and "vis denne hjælp og afslut" in result.stdout


def test_tag_split_across_paragraphs_is_an_error(tmp_path):
    result = check(template_with(tmp_path, "Gruppe: {{ gruppe.", "navn }}"))
    assert_clean_failure(result, 'feltet "{{ gruppe." fortsætter i et senere afsnit; et felt skal stå i ét afsnit')


@pytest.mark.parametrize(
    "expression, attribute",
    [("{{ ''.__class__.__mro__ }}", "__class__"), ("{{ gruppe.navn.__init__.__globals__ }}", "__init__"),
     ("{{ gruppe|attr('__class__') }}", "__class__")],
)
def test_reaching_python_internals_is_refused(tmp_path, workdir, expression, attribute):
    path = template_with(tmp_path, f"Titel: {expression}")
    message = f'skabelonen forsøger at nå Pythons indre dele ("{attribute}"); det er ikke tilladt'
    assert_clean_failure(check(path), message)
    render = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--template", str(path), cwd=workdir)
    assert_clean_failure(render, message, "skabelonen bruges ikke")
    assert not (workdir / "out").exists()


def test_the_sandbox_refuses_internals_even_without_the_check(tmp_path):
    # Rendering with a template that skipped the check: Jinja's sandbox still stops it.
    from drafter.answers import load_answers
    from drafter.errors import TemplateProblem
    from drafter.render import DocxRenderer, render_document

    path = template_with(tmp_path, "{{ gruppe.navn.__class__.__mro__ }}")
    with pytest.raises(TemplateProblem, match='forsøger at nå Pythons indre dele \\("__class__"\\)'):
        render_document(load_answers(ADHOC_EXAMPLE), DocxRenderer(path))


def test_headers_and_footers_are_checked(tmp_path):
    result = check(template_with(tmp_path, header="{{ gruppe.klynge }} · {{ dokument.versoin }}"))
    assert_clean_failure(
        result, 'sidehoved (word/header', '"dokument.versoin" findes ikke', 'mente du "version"?', 'i teksten: "· {{ dokument.versoin }}"'
    )


def test_questions_the_template_never_uses_are_listed(tmp_path):
    doc = Document()
    doc.add_paragraph("Kommissorium for {{ gruppe.navn }}")
    doc.add_paragraph("{%p for m in formandskab.medlemmer %}")
    doc.add_paragraph("{{ m.navn }} ({{ m.organisation }})")
    doc.add_paragraph("{%p endfor %}")
    path = tmp_path / "kort.docx"
    doc.save(str(path))
    result = check(path)
    assert result.returncode == 0, result.stderr
    unused = next(line for line in result.stdout.splitlines() if "ikke bruger" in line)
    assert "afslutning.overdragelse" in unused and "opgaver.patientperspektiv" in unused
    assert "formandskab.medlemmer[].titel" in unused and "formandskab.medlemmer[].rolle" in unused
    assert "gruppe.navn," not in unused and "formandskab.medlemmer," not in unused
    # Used by the document's properties (title, author), not by the template: not listed.
    assert "dokument.forfatter" not in unused


def test_not_a_word_file(tmp_path):
    path = tmp_path / "ikke.docx"
    path.write_text("hej", encoding="utf-8")
    assert_clean_failure(check(path), "ikke.docx: er ikke en Word-fil")
    assert_clean_failure(check(tmp_path / "findes-ikke.docx"), "findes-ikke.docx: filen findes ikke")
    assert_clean_failure(check(BUILTIN, kind="adhok"), 'ukendt kommissorietype "adhok"')


def test_template_new_writes_a_copy_that_passes(tmp_path):
    target = tmp_path / "brevhoved.docx"
    result = run_cli("template", "new", "--kind", "adhoc", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == (TEMPLATES_DIR / "letterhead.docx").read_bytes()  # the one adhoc is built in
    assert check(target).returncode == 0
    assert_clean_failure(run_cli("template", "new", "--kind", "adhoc", str(target)), "findes allerede")
    assert_clean_failure(run_cli("template", "new", "--kind", "adhoc", str(tmp_path / "x.txt")), "skal ende på .docx")


def test_custom_template_with_an_image_in_its_header_renders(tmp_path, workdir):
    doc = Document(str(BUILTIN))
    header = doc.sections[0].header
    logo = header.paragraphs[0]
    logo.add_run().add_picture(io.BytesIO(png()))
    logo.add_run("  Viborg Kommune · {{ gruppe.klynge }}")
    path = tmp_path / "brevhoved.docx"
    doc.save(str(path))
    assert check(path).returncode == 0

    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--template", str(path), cwd=workdir)
    assert result.returncode == 0, result.stderr
    out = workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx"
    text = docx_text(out)
    assert "Viborg Kommune · Midtklyngen" in text and f"Kommissorium for {GROUP_NAME}" in text
    rendered = Document(str(out))
    header_part = rendered.sections[0].header.part
    images = [rel.target_part for rel in header_part.rels.values() if "image" in rel.reltype]
    assert len(images) == 1 and images[0].blob == png()
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        header_xml = next(archive.read(n) for n in archive.namelist() if n.startswith("word/header"))
    assert b"<a:blip" in header_xml and b"{{" not in header_xml


def test_render_with_a_broken_template_writes_nothing(tmp_path, workdir):
    path = template_with(tmp_path, "{{ gruppe.nanv }}")
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--template", str(path), cwd=workdir)
    assert_clean_failure(result, '"gruppe.nanv" findes ikke', "skabelonen bruges ikke")
    assert not (workdir / "out").exists()


def test_a_template_cannot_include_other_files(tmp_path):
    assert_clean_failure(check(template_with(tmp_path, "{% include '/etc/passwd' %}")), "kan ikke hente andre skabeloner")


def test_xml_entities_in_a_template_are_refused(tmp_path):
    # A part that declares an entity (which could pull in a local file) is never read.
    source = template_with(tmp_path, "{{ gruppe.navn }}")
    target = tmp_path / "entitet.docx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/hostname">]>', 1)
            dst.writestr(item, data)
    assert_clean_failure(check(target), "DOCTYPE- eller ENTITY-erklæring")
