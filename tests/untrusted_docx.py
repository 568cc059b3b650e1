"""Small Word files built by hand for the untrusted-input tests: any body, any extra part.

Equivalents of docxtpl's own test templates (body, headers, footnotes, endnotes,
comments), without python-docx: a few hundred bytes each, written in microseconds.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"
# Relationship type and content type of each extra part a template may have.
PARTS = {
    "header": ("header", f"{CT}.header+xml", "hdr"),
    "footer": ("footer", f"{CT}.footer+xml", "ftr"),
    "footnotes": ("footnotes", f"{CT}.footnotes+xml", "footnotes"),
    "endnotes": ("endnotes", f"{CT}.endnotes+xml", "endnotes"),
    "comments": ("comments", f"{CT}.comments+xml", "comments"),
}


def paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def part_xml(kind: str, paragraphs: list[str]) -> str:
    root = PARTS[kind][2]
    body = "".join(paragraph(t) for t in paragraphs)
    if kind in ("footnotes", "endnotes"):
        item = "footnote" if kind == "footnotes" else "endnote"
        body = f'<w:{item} w:id="1">{body}</w:{item}>'
    elif kind == "comments":
        body = f'<w:comment w:id="0" w:author="A">{body}</w:comment>'
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{root} xmlns:w="{W}">{body}</w:{root}>'


def docx_bytes(body: list[str] | None = None, raw_body: str | None = None, core: dict[str, str] | None = None,
               **extra: list[str]) -> bytes:
    """A Word file whose body has these paragraphs (or this raw XML), plus extra parts and
    core document properties (*core*: {"dc:title": "...", "cp:keywords": "..."})."""
    inner = raw_body if raw_body is not None else "".join(paragraph(t) for t in (body or []))
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" xmlns:r="{REL}">'
        f"<w:body>{inner}<w:sectPr/></w:body></w:document>"
    )
    overrides = [f'<Override PartName="/word/document.xml" ContentType="{CT}.document.main+xml"/>']
    rels = []
    files = {"word/document.xml": document}
    for n, (kind, paragraphs) in enumerate(extra.items(), start=1):
        rel_type, content_type, _ = PARTS[kind]
        name = f"{kind}1.xml" if kind in ("header", "footer") else f"{kind}.xml"
        files[f"word/{name}"] = part_xml(kind, paragraphs)
        overrides.append(f'<Override PartName="/word/{name}" ContentType="{content_type}"/>')
        rels.append(f'<Relationship Id="rId{n}" Type="{REL}/{rel_type}" Target="{name}"/>')
    files["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) + "</Types>"
    )
    package_rels = f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
    if core:
        files["docProps/core.xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            + "".join(f"<{tag}>{escape(text)}</{tag}>" for tag, text in core.items()) + "</cp:coreProperties>"
        )
        package_rels += ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
                         'metadata/core-properties" Target="docProps/core.xml"/>')
    files["_rels/.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{package_rels}</Relationships>"
    )
    files["word/_rels/document.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{"".join(rels)}</Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def write_docx(path: Path, body: list[str] | None = None, **kwargs) -> Path:
    path.write_bytes(docx_bytes(body, **kwargs))
    return path
