"""PDF/A-2 metadata that passes (issue 23): the XMP of every archive PDF drafter writes,
read against ISO 19005-2's rules for XMP (6.6.2): every property is of a schema XMP
predefines, or described by an extension schema in the packet itself, whose description
has every field the standard asks for; and the values are of the described type.

veraPDF (the reference validator) is not available here, so this test reads the rules
for the properties drafter's PDFs carry. It is first shown to catch what LibreOffice
writes alone (pdfuaid:part without a description, the fault of the last round).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import ANSWERS_DIR, BUILT_TEMPLATES, EXAMPLES, has_soffice, run_cli

pytestmark = pytest.mark.skipif(not has_soffice(), reason="needs LibreOffice")

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
# The schemas XMP (2005) predefines, which PDF/A-2 allows without a description
# (ISO 19005-2, 6.6.2.3.1), and PDF/A's own identification and extension schemas.
PREDEFINED = {
    "http://purl.org/dc/elements/1.1/", "http://ns.adobe.com/xap/1.0/", "http://ns.adobe.com/xap/1.0/rights/",
    "http://ns.adobe.com/xap/1.0/mm/", "http://ns.adobe.com/xap/1.0/bj/", "http://ns.adobe.com/xap/1.0/t/pg/",
    "http://ns.adobe.com/xmp/1.0/DynamicMedia/", "http://ns.adobe.com/pdf/1.3/", "http://ns.adobe.com/photoshop/1.0/",
    "http://ns.adobe.com/camera-raw-settings/1.0/", "http://ns.adobe.com/tiff/1.0/", "http://ns.adobe.com/exif/1.0/",
    "http://ns.adobe.com/exif/1.0/aux/", "http://www.aiim.org/pdfa/ns/id/", EXTENSION,
}
CONTAINER_PREFIXES = {EXTENSION: "pdfaExtension", SCHEMA: "pdfaSchema", PROPERTY: "pdfaProperty"}
# XMP's simple value types a property description may name without a pdfaType of its own.
VALUE_TYPES = {"Text": r"(?s).*", "Integer": r"[+-]?\d+", "Boolean": r"True|False", "URI": r"\S+",
               "Date": r"\d{4}(-\d\d(-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?)?)?)?"}


def xmp_packet(pdf: Path) -> bytes:
    import pikepdf

    with pikepdf.open(pdf) as document:
        return document.Root.Metadata.read_bytes()


def xmp_findings(packet: bytes) -> list[str]:
    """Where the XMP *packet* breaks ISO 19005-2's rules for XMP (6.6.2), as messages."""
    findings = []
    header = re.match(rb'<\?xpacket begin="(\xef\xbb\xbf)?" id="W5M0MpCehiHzreSzNTczkc9d"\?>', packet)
    if not header:
        findings.append("the packet header is not the one XMP prescribes")
    if re.search(rb"<\?xpacket[^>]*\b(bytes|encoding)=", packet):
        findings.append("the packet header has a bytes or encoding attribute (6.6.2.1)")
    meta = packet[packet.index(b"<x:xmpmeta"):packet.index(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")]
    root = etree.fromstring(meta, etree.XMLParser(resolve_entities=False, no_network=True))
    described: dict[str, dict[str, str]] = {}
    for schema in root.iter(f"{{{EXTENSION}}}schemas"):
        for element in schema.iter():
            namespace = etree.QName(element).namespace
            if namespace in CONTAINER_PREFIXES and element.prefix != CONTAINER_PREFIXES[namespace]:
                findings.append(f"{element.tag}: the prefix must be {CONTAINER_PREFIXES[namespace]} (6.6.2.3.1)")
        for entry in schema.findall(f"{{{RDF}}}Bag/{{{RDF}}}li"):
            fields = {etree.QName(child).localname: child for child in entry}
            for needed in ("schema", "namespaceURI", "prefix", "property"):
                if needed not in fields or (needed != "property" and not (fields[needed].text or "").strip()):
                    findings.append(f"an extension schema lacks pdfaSchema:{needed}")
            uri = (fields["namespaceURI"].text or "").strip() if "namespaceURI" in fields else ""
            properties = described.setdefault(uri, {})
            prefix = (fields["prefix"].text or "").strip() if "prefix" in fields else ""
            used = {el.prefix for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).namespace == uri}
            if used and used != {prefix}:
                findings.append(f"{uri}: described with prefix {prefix!r}, used as {sorted(used)}")
            for item in fields["property"].findall(f"{{{RDF}}}Seq/{{{RDF}}}li") if "property" in fields else []:
                prop = {etree.QName(child).localname: (child.text or "").strip() for child in item}
                for needed in ("name", "valueType", "category", "description"):
                    if not prop.get(needed):
                        findings.append(f"{uri}: a property description lacks pdfaProperty:{needed}")
                if prop.get("category") not in ("internal", "external"):
                    findings.append(f"{uri}{prop.get('name')}: category must be internal or external")
                if prop.get("valueType") not in VALUE_TYPES:
                    findings.append(f"{uri}{prop.get('name')}: value type {prop.get('valueType')!r} is not defined")
                properties[prop.get("name", "")] = prop.get("valueType", "")
    for description in root.iter(f"{{{RDF}}}Description"):
        for element in description:
            name = etree.QName(element)
            if name.namespace in PREDEFINED:
                continue
            value_type = described.get(name.namespace, {}).get(name.localname)
            if value_type is None:
                findings.append(f"{element.prefix}:{name.localname} is neither predefined nor described (6.6.2.3.1)")
            elif not re.fullmatch(VALUE_TYPES.get(value_type, r".*"), (element.text or "").strip()):
                findings.append(f"{element.prefix}:{name.localname} = {element.text!r} is not a {value_type}")
    identification = {etree.QName(el).localname: el.text for el in root.iter() if isinstance(el.tag, str)
                      and etree.QName(el).namespace == "http://www.aiim.org/pdfa/ns/id/"}
    if identification.get("part") != "2" or identification.get("conformance") not in ("A", "B", "U"):
        findings.append(f"pdfaid says {identification}, not PDF/A-2")
    return findings


@pytest.fixture(scope="module")
def archive_pdfs(tmp_path_factory):
    """Every example as `drafter render --pdfa` writes it (one LibreOffice start), and every
    built-in template converted by LibreOffice alone, before and after drafter's fix-up."""
    work = tmp_path_factory.mktemp("pdfa")
    shutil.copytree(ANSWERS_DIR, work / "answers")
    result = run_cli("render", "answers", "--pdfa", cwd=work, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    examples = {p.stem: work / "out" / f"{p.stem}.pdf" for p in EXAMPLES}

    from drafter.pdf import export_filter, find_soffice

    raw = work / "raw"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [find_soffice(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to",
             export_filter(archive=True), "--outdir", str(raw), *map(str, BUILT_TEMPLATES)],
            check=True, capture_output=True, timeout=300,
        )
    templates = {}
    for pdf in sorted(raw.glob("*.pdf")):
        fixed = work / "templates" / pdf.name
        fixed.parent.mkdir(exist_ok=True)
        shutil.copy(pdf, fixed)
        templates[pdf.stem] = (pdf, fixed)
    assert len(templates) == len(BUILT_TEMPLATES)
    return examples, templates


def test_the_checker_catches_libreoffices_own_metadata(archive_pdfs):
    _, templates = archive_pdfs
    raw, _ = templates["adhoc"]
    assert "pdfuaid:part is neither predefined nor described (6.6.2.3.1)" in xmp_findings(xmp_packet(raw))
    # ... and a description with a wrong prefix or a missing field.
    from drafter.pdf import _describe_extension_schemas

    fixed = raw.with_name("planted.pdf")
    shutil.copy(raw, fixed)
    assert _describe_extension_schemas(fixed)
    packet = xmp_packet(fixed)
    assert xmp_findings(packet) == []
    wrong = packet.replace(b"<pdfaSchema:prefix>pdfuaid<", b"<pdfaSchema:prefix>pdfua<")
    wrong = wrong.replace(b"<pdfaProperty:category>internal</pdfaProperty:category>", b"", 1)
    found = xmp_findings(wrong)
    assert any("used as ['pdfuaid']" in f for f in found) and any("lacks pdfaProperty:category" in f for f in found)


@pytest.mark.parametrize("stem", [p.stem for p in EXAMPLES])
def test_every_example_archive_pdf_has_conforming_metadata(archive_pdfs, stem):
    examples, _ = archive_pdfs
    assert xmp_findings(xmp_packet(examples[stem])) == []


def test_every_built_in_template_archive_pdf_has_conforming_metadata(archive_pdfs):
    from drafter.pdf import _describe_extension_schemas

    _, templates = archive_pdfs
    for stem, (raw, fixed) in templates.items():
        assert _describe_extension_schemas(fixed), stem
        assert xmp_findings(xmp_packet(fixed)) == [], stem
        # The fix-up takes padding, not space: the file keeps its length and every offset.
        assert fixed.stat().st_size == raw.stat().st_size


def test_the_fix_up_leaves_the_pdf_readable_and_its_text(archive_pdfs):
    import pikepdf

    examples, _ = archive_pdfs
    pdf = examples["klyngestyregruppe-midtklyngen"]
    with pikepdf.open(pdf) as document:
        with document.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1" and xmp.get("pdfaid:part") == "2"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Kommissorium for klyngestyregruppen" in text
