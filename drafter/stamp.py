"""The stamp drafter leaves in each document it writes (custom properties in docProps/custom.xml).

- the content hash: a digest of every part but the stamp, so that an edit in Word is seen
  and never overwritten unasked (:func:`read_recorded_hash`);
- the package fingerprint: the name, CRC-32 and size of each part, which a zip lists in its
  directory, so `drafter status` sees an edit without unpacking the document;
- the answers digest: what the answers said (:func:`answers_digest`), so `drafter status`
  sees a document made from answers that changed since;
- the answers themselves (:func:`base_properties`), so `drafter import` can tell the
  chair's edits from the secretariat's later ones (a three-way merge).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zipfile
import zlib

from drafter.fsutil import UnsafeFile, read_docx_entries

HASH_PROPERTY = "drafter_indholds_hash"
ANSWERS_PROPERTY = "drafter_svar_hash"
PACKAGE_PROPERTY = "drafter_pakke_hash"
CUSTOM_PART = "docProps/custom.xml"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def canonical_answers(answers) -> str:
    """What the answers say, as one canonical JSON text (not how the file is written)."""
    said = {"kind": answers.questionnaire.kind, "schema_version": answers.questionnaire.schema_version, "values": answers.values}
    # The commission's own title, headings and order change the document too (only when
    # given, so the digest of a file without them is what it always was).
    layout = {k: answers.data[k] for k in ("titel", "overskrifter", "orden") if isinstance(answers.data, dict) and k in answers.data}
    if layout:
        said["layout"] = layout
    return json.dumps(said, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def answers_digest(answers) -> str:
    """A digest of what the answers say (not how the file is written: comments do not count)."""
    return hashlib.sha256(canonical_answers(answers).encode("utf-8")).hexdigest()


def content_hash(entries: dict[str, bytes]) -> str:
    """A digest of the document's parts, the stamp itself left out."""
    digest = hashlib.sha256()
    for name in sorted(entries):
        if name == CUSTOM_PART:
            continue
        digest.update(name.encode("utf-8") + b"\0" + entries[name] + b"\0")
    return digest.hexdigest()


def package_fingerprint(parts: list[tuple[str, int, int]]) -> str:
    """(name, CRC-32, size) of every part but the custom properties -> one digest."""
    digest = hashlib.sha256()
    for name, crc, size in sorted(parts):
        if name != CUSTOM_PART:
            digest.update(f"{name}\0{crc:08x}\0{size}\n".encode("utf-8"))
    return digest.hexdigest()


def entries_fingerprint(entries: dict[str, bytes]) -> str:
    return package_fingerprint([(name, zlib.crc32(data), len(data)) for name, data in entries.items()])


def is_drafters_property(name: str) -> bool:
    """Whether the custom property *name* is one drafter records (the stamp)."""
    return name in (HASH_PROPERTY, PACKAGE_PROPERTY, ANSWERS_PROPERTY) or name.startswith(f"{BASE_PROPERTY}_")


def custom_xml(props: dict[str, str], kept: list[str] = ()) -> str:
    """docProps/custom.xml holding *props* (name -> text), in order, after the template's own
    properties (*kept*: <property> XML with pids 2, 3, ...)."""
    items = "".join(kept) + "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{_escape(name)}">'
        f"<vt:lpwstr>{_escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(props.items(), start=2 + len(kept))
    )
    return (
        _XML_DECL
        + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        + items
        + "</Properties>"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def recorded(custom: str, name: str) -> str | None:
    """The digest recorded under *name* in the text of docProps/custom.xml, if any."""
    match = re.search(rf'name="{name}"[^>]*>\s*<vt:lpwstr>([0-9a-f]+)</vt:lpwstr>', custom)
    return match.group(1) if match else None


def read_recorded_hash(docx_bytes: bytes) -> tuple[str | None, str | None]:
    """(hash recorded by drafter, hash of the content now); None where there is none."""
    try:
        # Bounded: a zip bomb at the output path is refused before it is decompressed.
        entries = read_docx_entries(docx_bytes)
    except (UnsafeFile, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError, zlib.error):
        return None, None
    custom = entries.get(CUSTOM_PART, b"").decode("utf-8", "replace")
    return recorded(custom, HASH_PROPERTY), content_hash(entries)


# The answers a document was made from, kept in the document itself so that `drafter import`
# can tell the chair's edits from the secretariat's later ones (a three-way merge). They go
# into custom properties, which Word and LibreOffice both keep through a save: the canonical
# JSON, compressed, in base64 pieces of at most 240 characters (Word cuts a text property at 255).
BASE_PROPERTY = "drafter_grundlag"
_BASE_PIECE = 240
_BASE_MAX_PIECES = 2000
_BASE_MAX_JSON = 4_000_000


def base_properties(answers, canonical: str | None = None) -> dict[str, str]:
    """*canonical*: canonical_answers(answers), when the caller has made it already."""
    canonical = canonical_answers(answers) if canonical is None else canonical
    packed = base64.b64encode(zlib.compress(canonical.encode("utf-8"), 9)).decode("ascii")
    pieces = [packed[i:i + _BASE_PIECE] for i in range(0, len(packed), _BASE_PIECE)]
    if len(pieces) > _BASE_MAX_PIECES:
        return {}  # answers this large are not kept; import then compares as without a base
    return {f"{BASE_PROPERTY}_{n:04d}": piece for n, piece in enumerate(pieces, start=1)}


def recorded_base(custom: str) -> dict | None:
    """The answers recorded by base_properties in a document's custom properties (its
    docProps/custom.xml as text): {"kind", "schema_version", "values"}, or None when the
    document has none or they do not match the answers digest recorded beside them."""
    pieces = re.findall(rf'name="{BASE_PROPERTY}_(\d{{4}})"[^>]*>\s*<vt:lpwstr>([A-Za-z0-9+/=]*)</vt:lpwstr>', custom)
    if not pieces or len(pieces) > _BASE_MAX_PIECES:
        return None
    packed = "".join(piece for _, piece in sorted(pieces))
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.b64decode(packed, validate=True), _BASE_MAX_JSON)
        if inflater.unconsumed_tail:
            return None
        text = raw.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError):
        return None
    if hashlib.sha256(raw).hexdigest() != recorded(custom, ANSWERS_PROPERTY):
        return None  # pieces lost or mixed up: no base is better than a wrong one
    try:
        data = json.loads(text)
    except (ValueError, RecursionError, MemoryError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
        return None
    return data
