"""Every part of every built-in template and every example document is valid against the
schemas of ECMA-376 Part 4 (transitional), read with lxml (issue 23).

openxml-audit (test_document_standards) follows the Open XML SDK, which is more lenient
than the standard's schemas in places (a <w:zoom> without w:percent passes it); these are
the schemas themselves. Word's own extensions are read the way Markup Compatibility
(ECMA-376 Part 3) tells a reader that does not know them to: what a part marks as
ignorable is left out, and of an mc:AlternateContent the fallback is read.
The core properties (Dublin Core, whose schemas live outside ECMA-376) are left to
openxml-audit.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import BUILT_TEMPLATES, EXAMPLES, FULL_LAYOUT_TEMPLATE, render_examples

SCHEMAS = Path(__file__).parent / "data" / "ecma376"
TEMPLATES = BUILT_TEMPLATES
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "package.xsd")))


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    return render_examples(tmp_path_factory.mktemp("examples"), [p.stem for p in EXAMPLES])


def as_understood(root):
    """*root* as a reader that knows only ECMA-376 reads it (Markup Compatibility)."""
    ignorable = set()
    for element in root.iter():
        prefixes = element.get(f"{{{MC}}}Ignorable")
        if prefixes:
            ignorable.update(element.nsmap.get(p) for p in prefixes.split())
            del element.attrib[f"{{{MC}}}Ignorable"]
    for alternate in list(root.iter(f"{{{MC}}}AlternateContent")):
        fallback = alternate.find(f"{{{MC}}}Fallback")
        parent = alternate.getparent()
        for child in list(fallback) if fallback is not None else []:
            alternate.addprevious(child)
        parent.remove(alternate)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if etree.QName(element).namespace in ignorable:
            element.getparent().remove(element)
            continue
        for name in list(element.attrib):
            if etree.QName(name).namespace in ignorable:
                del element.attrib[name]
    return root


def schema_errors(schema, path) -> list[str]:
    errors = []
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        types = etree.fromstring(archive.read("[Content_Types].xml"))
        declared = {o.get("PartName").lstrip("/") for o in types.iter(f"{_CONTENT_TYPES}Override")}
        defaults = {d.get("Extension").lower() for d in types.iter(f"{_CONTENT_TYPES}Default")}
        errors += [f"[Content_Types].xml declares {n}, which is not in the package" for n in sorted(declared - names)]
        errors += [f"{n} has no content type" for n in sorted(names) if n not in declared
                   and n.rpartition(".")[2].lower() not in defaults]
        for name in sorted(n for n in names if n.endswith((".xml", ".rels"))):
            root = etree.fromstring(archive.read(name))
            if etree.QName(root).namespace == CORE_PROPERTIES:
                continue
            if not schema.validate(as_understood(root)):
                errors += [f"{name}:{e.line}: {e.message}" for e in schema.error_log]
    return errors


def test_the_schemas_catch_planted_faults(schema, tmp_path):
    # The faults of the last round, put back: a <w:zoom> without w:percent, a declared part
    # that is missing; and a wrong element order that Word itself would refuse.
    planted = tmp_path / "planted.docx"
    with zipfile.ZipFile(FULL_LAYOUT_TEMPLATE) as source, zipfile.ZipFile(planted, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/settings.xml":
                data = re.sub(rb"<w:zoom [^>]*/>", b'<w:zoom w:val="bestFit"/>', data)
            if name == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/word/stylesWithEffects.xml" '
                                    b'ContentType="application/vnd.ms-word.stylesWithEffects+xml"/></Types>')
            if name == "word/styles.xml":
                data = data.replace(b"<w:suppressAutoHyphens/><w:spacing", b"<w:spacing", 1)
                data = re.sub(rb"(<w:style [^>]*w:styleId=\"Normal\">.*?<w:spacing [^>]*/>)", rb"\1<w:keepNext/>", data, 1)
            target.writestr(name, data)
    found = schema_errors(schema, planted)
    assert any("zoom" in f and "percent" in f for f in found), found
    assert any("stylesWithEffects" in f for f in found), found
    assert any("keepNext" in f for f in found), found


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.stem)
def test_every_part_of_a_template_is_valid(schema, template):
    assert schema_errors(schema, template) == []


def test_every_part_of_every_example_document_is_valid(schema, examples):
    found = {stem: schema_errors(schema, path) for stem, path in examples.items()}
    assert found == {stem: [] for stem in examples}
