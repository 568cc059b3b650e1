"""A user's template carries its own document properties into every document (issue 23):
fields in docProps/app.xml (Company, Manager) are checked and filled like the core
properties; its custom properties (a document system's case number) and its category are
kept, with drafter's own custom properties beside them; `template check` lists them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from docx import Document

from conftest import ADHOC_EXAMPLE, FULL_LAYOUT_TEMPLATE, assert_clean_failure, run_cli

GROUP_NAME = "Ad-hoc gruppe om udskrivelse af skrøbelige ældre"
CUSTOM = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Sagsnummer"><vt:lpwstr>SAG-2027-0042</vt:lpwstr></property>'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="Journalplan"><vt:lpwstr>{{ gruppe.nedsat_af }}</vt:lpwstr></property>'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="4" name="Arkiveres"><vt:bool>true</vt:bool></property>'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="5" name="drafter_indholds_hash"><vt:lpwstr>0000</vt:lpwstr></property>'
    "</Properties>"
)


def template_with_properties(tmp_path: Path, company: str = "{{ gruppe.navn }}") -> Path:
    """The built-in ad-hoc template as a document system would hand it out: Company and
    Manager with fields, a category, and custom properties (one left by an earlier drafter)."""
    path = tmp_path / "sagsskabelon.docx"
    with zipfile.ZipFile(FULL_LAYOUT_TEMPLATE) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name).decode("utf-8")
            if name == "docProps/app.xml":
                data = data.replace("</Properties>", f"<Manager>{{{{ dokument.forfatter }}}}</Manager><Company>{company}</Company></Properties>")
            elif name == "docProps/core.xml":
                data = data.replace("</cp:coreProperties>", "<cp:category>Kommissorier</cp:category></cp:coreProperties>")
            elif name == "[Content_Types].xml":
                data = data.replace("</Types>", '<Override PartName="/docProps/custom.xml" '
                                    'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>')
            elif name == "_rels/.rels":
                data = data.replace("</Relationships>", '<Relationship Id="rIdCustom" Type="http://schemas.openxmlformats.org/'
                                    'officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>')
            target.writestr(name, data)
        target.writestr("docProps/custom.xml", CUSTOM)
    return path


def test_company_with_a_field_and_a_case_number_are_both_in_the_document(tmp_path, workdir):
    template = template_with_properties(tmp_path)
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--template", str(template), cwd=workdir)
    assert result.returncode == 0, result.stderr
    output = workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx"
    with zipfile.ZipFile(output) as archive:
        app = archive.read("docProps/app.xml").decode("utf-8")
        custom = archive.read("docProps/custom.xml").decode("utf-8")
    assert f"<Company>{GROUP_NAME}</Company>" in app and "{{" not in app
    assert "<Manager>" in app and "Manager>{{" not in app
    props = dict(re.findall(r'name="([^"]+)"[^>]*>\s*<vt:\w+>([^<]*)<', custom))
    assert props["Sagsnummer"] == "SAG-2027-0042"
    assert props["Journalplan"] == "Voksentemagruppen for somatik"  # a field in a custom property is filled too
    assert props["Arkiveres"] == "true"
    assert props["drafter_indholds_hash"] != "0000" and len(props["drafter_indholds_hash"]) == 64  # drafter's own, new
    pids = re.findall(r'pid="(\d+)"', custom)
    assert pids == [str(n) for n in range(2, 2 + len(pids))]  # unique, in order
    assert Document(str(output)).core_properties.category == "Kommissorier"
    # drafter still knows its own document: unchanged on a second render, and status reads it.
    again = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--template", str(template), cwd=workdir)
    assert again.returncode == 0 and "uændret" in again.stdout, again.stdout + again.stderr


def test_template_check_lists_what_it_keeps(tmp_path):
    result = run_cli("template", "check", str(template_with_properties(tmp_path)), "--kind", "adhoc")
    assert result.returncode == 0, result.stderr
    kept = next(line for line in result.stdout.splitlines() if "beholder fra skabelonen" in line)
    for expected in ("kategori (Kommissorier)", "Company (udfyldes)", "Manager (udfyldes)",
                     "Sagsnummer (SAG-2027-0042)", "Journalplan (udfyldes)", "Arkiveres (true)"):
        assert expected in kept, kept
    assert "drafter_indholds_hash" not in kept


def test_a_wrong_field_in_company_is_found_by_the_check_and_writes_nothing(tmp_path, workdir):
    template = template_with_properties(tmp_path, company="{{ gruppe.nav }}")
    result = run_cli("template", "check", str(template), "--kind", "adhoc")
    assert_clean_failure(result, "docProps/app.xml", "Company", '"gruppe.nav" findes ikke')
    render = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--template", str(template), cwd=workdir)
    assert render.returncode == 1 and not (workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx").exists()
