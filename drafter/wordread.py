"""One bounded reader of Word files, for `drafter import`, `drafter diff` and `drafter status`.

A Word file from someone else is untrusted: it is checked as a zip first (fsutil: size,
number of parts, packing ratio, no DOCTYPE), then each XML part is measured before it is
parsed (bytes, elements, paragraphs; libxml2 bounds the depth), and every refusal is a
Danish message naming the file. A file that is not a .docx at all (.odt, .doc, .rtf) is
told to be saved as .docx.

What a reader of the text needs and nothing more: the body as units (a paragraph, or a
table row as its cells' texts), read as Word shows it with tracked changes accepted;
what Word and LibreOffice do to a file without a person's intent (tab stops, rsids, run
splits, bookmarks, proofing marks, empty paragraphs) leaves no trace in the units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from drafter import stamp
from drafter.docdiff import W, paragraph_text
from drafter.errors import DrafterError
from drafter.fsutil import DOCX_MAX_BYTES, UnsafeFile, describe_oserror, read_docx_entries, read_regular_file
from drafter.problems import Problem

MAX_PART_BYTES = 8 * 1024 * 1024  # one XML part; a long commission's body is some 50 kB
MAX_ELEMENTS = 400_000
MAX_PARAGRAPHS = 20_000
MAX_DEPTH = 200  # Word's own files nest some 15 levels; a table in a table in a table, a few more
_TAG = re.compile(rb"<(/?)[A-Za-z_/][^>]*>")
CUSTOM_PART = "docProps/custom.xml"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARAGRAPH_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?p[\s/>]")
_SAVE_AS_DOCX = "gem det som Word-dokument (.docx) og prøv igen"


class WordFileError(DrafterError):
    """A Word file that cannot be read."""

    exit_code = 2


def _refuse(name: str, message: str) -> WordFileError:
    return WordFileError(Problem(message, file=name))


# -- the package -----------------------------------------------------------------------

@dataclass
class WordPackage:
    """A .docx checked as a zip and as a package; parts are parsed (bounded) on demand."""

    name: str
    data: bytes
    entries: dict[str, bytes]
    main_part: str
    _roots: dict = field(default_factory=dict, repr=False)

    def root(self, part: str):
        if part not in self._roots:
            self._roots[part] = parse_part(self.entries[part], f"{self.name}: {part}")
        return self._roots[part]

    def body(self):
        body = self.root(self.main_part).find(W + "body")
        if body is None:
            raise _refuse(self.name, "dokumentet har ingen brødtekst (w:body mangler i hoveddelen)")
        return body

    @property
    def custom(self) -> str:
        return self.entries.get(CUSTOM_PART, b"").decode("utf-8", "replace")


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = (folder.split("/") if folder else []) + target.split("/")
    out: list[str] = []
    for piece in parts:
        if piece == "..":
            if out:
                out.pop()
        elif piece not in ("", "."):
            out.append(piece)
    return "/".join(out)


def read_word_file(path, drafter_made: bool = False) -> WordPackage:
    """A Word file from disk, checked; *drafter_made*: refuse one drafter did not make."""
    import zipfile
    from pathlib import Path

    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix in (".odt", ".ott", ".fodt"):
        raise _refuse(name, f"er et OpenDocument-dokument ({suffix}), ikke et Word-dokument; {_SAVE_AS_DOCX}")
    if suffix in (".doc", ".dot", ".rtf", ".wps"):
        raise _refuse(name, f"er et ældre Word-format ({suffix}); {_SAVE_AS_DOCX}")
    try:
        data = read_regular_file(path, DOCX_MAX_BYTES)
    except FileNotFoundError:
        raise _refuse(name, "filen findes ikke") from None
    except IsADirectoryError:
        raise _refuse(name, "er en mappe, ikke et Word-dokument") from None
    except UnsafeFile as exc:
        raise _refuse(name, str(exc)) from None
    except OSError as exc:
        raise _refuse(name, f"filen kan ikke læses ({describe_oserror(exc)})") from None
    package = read_word_bytes(data, name)
    if drafter_made and not is_drafter_made(package):
        raise _refuse(name, "er ikke lavet af drafter (dokumentet mangler drafters mærke i egenskaberne); "
                      "kun dokumenter, som drafter har lavet, kan hentes tilbage i en svarfil")
    return package


def read_word_bytes(data: bytes, name: str) -> WordPackage:
    import zipfile
    import zlib

    if data.startswith(_OLE2_MAGIC):
        raise _refuse(name, f"er et ældre Word-dokument (.doc), ikke .docx; {_SAVE_AS_DOCX}")
    if data.startswith(b"{\\rtf"):
        raise _refuse(name, f"er et RTF-dokument, ikke .docx; {_SAVE_AS_DOCX}")
    try:
        entries = read_docx_entries(data)
    except UnsafeFile as exc:
        raise _refuse(name, str(exc)) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError, OSError):
        raise _refuse(name, "er ikke et Word-dokument (.docx); filen kan ikke pakkes ud") from None
    if entries.get("mimetype", b"").startswith(b"application/vnd.oasis.opendocument"):
        raise _refuse(name, f"er et OpenDocument-dokument (fx .odt), ikke et Word-dokument; {_SAVE_AS_DOCX}")
    return WordPackage(name, data, entries, _main_part(entries, name))


def _main_part(entries: dict[str, bytes], name: str) -> str:
    if "_rels/.rels" not in entries:
        raise _refuse(name, "er ikke et Word-dokument (.docx): pakken mangler _rels/.rels")
    rels = parse_part(entries["_rels/.rels"], f"{name}: _rels/.rels")
    targets = [rel.get("Target") for rel in rels if rel.get("Type", "").endswith(_OFFICE_DOCUMENT)]
    if not targets:
        raise _refuse(name, "er ikke et Word-dokument (.docx): pakken peger ikke på et hoveddokument")
    target = targets[0]
    if not target or not target.strip():
        raise _refuse(name, "er ødelagt: relationen til hoveddokumentet har intet mål (Target)")
    part = _resolve("", target.strip())
    if not part.lower().endswith(".xml"):
        raise _refuse(name, f"er ødelagt: hoveddokumentet {part!r} er ikke en XML-del (navnet ender ikke på .xml)")
    if part not in entries:
        raise _refuse(name, f"er ødelagt: hoveddokumentet {part} mangler i pakken")
    return part


def parse_part(raw: bytes, where: str):
    """One XML part, measured before it is parsed; WordFileError names *where*."""
    from lxml import etree

    if len(raw) > MAX_PART_BYTES:
        raise WordFileError(Problem(f"delen fylder {len(raw) // 1024 // 1024} MB; højst "
                                    f"{MAX_PART_BYTES // 1024 // 1024} MB pr. del læses", file=where))
    text = raw
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or raw[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        try:
            text = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise WordFileError(Problem("delen er ikke gyldig UTF-16-tekst", file=where)) from None
        raw = text.replace(b'encoding="UTF-16"', b'encoding="UTF-8"').replace(b"encoding='UTF-16'", b"encoding='UTF-8'")
    if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
        raise WordFileError(Problem("delen har en DOCTYPE- eller ENTITY-erklæring, som Word-filer ikke har", file=where))
    paragraphs = len(_PARAGRAPH_TAG.findall(text))
    if paragraphs > MAX_PARAGRAPHS:
        raise WordFileError(Problem(f"delen har {paragraphs:,} afsnit; højst {MAX_PARAGRAPHS:,} læses".replace(",", "."), file=where))
    if text.count(b"<") > 2 * MAX_ELEMENTS:
        raise WordFileError(Problem(f"delen har over {MAX_ELEMENTS:,} elementer; så stor en Word-fil læses ikke".replace(",", "."), file=where))
    if _depth(text) > MAX_DEPTH:
        raise WordFileError(Problem(f"XML'en er indlejret for dybt (over {MAX_DEPTH} niveauer) til at være en Word-fil", file=where))
    parser = etree.XMLParser(resolve_entities=False, huge_tree=False, no_network=True, load_dtd=False, remove_comments=True)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():
            raise WordFileError(Problem("XML'en er indlejret for dybt til at være en Word-fil", file=where)) from None
        raise WordFileError(Problem(f"delen er ikke gyldig XML ({_short(str(exc))})", file=where)) from None
    except (MemoryError, RecursionError):
        raise WordFileError(Problem("delen er for stor eller indlejret for dybt til at blive læst", file=where)) from None
    if root is None:
        raise WordFileError(Problem("delen er tom", file=where))
    return root


def _depth(text: bytes) -> int:
    """How deep the elements of *text* nest, from its tags alone (before it is parsed)."""
    depth = deepest = 0
    for tag in _TAG.finditer(text):
        if tag.group(1):
            depth -= 1
        elif text[tag.end() - 2] != 0x2F:  # not self-closing (<x/>)
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    break
    return deepest


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 120 else text[:117] + "…"


def is_drafter_made(package: WordPackage) -> bool:
    return stamp.HASH_PROPERTY in package.custom


def recorded_base(package: WordPackage) -> dict | None:
    """The answers the document was made from, as drafter recorded them; None for a
    document from an older drafter (or one whose record was lost)."""
    return stamp.recorded_base(package.custom)


@dataclass
class WordComment:
    """A Word comment: who wrote it, the text it is anchored on in the body ("" where the
    body marks none), and what it says."""

    author: str
    anchor: str
    text: str


def comments(package: WordPackage) -> list[WordComment]:
    """Every Word comment in the document (they belong to no answer), with its author and
    the body text it comments on, so a person can find it again."""
    part = "word/comments.xml"
    if part not in package.entries:
        return []
    root = package.root(part)
    anchors = _comment_anchors(package.body())
    return [WordComment(" ".join((c.get(W + "author") or "").split()), anchors.get(c.get(W + "id"), ""),
                        " ".join("".join(c.itertext()).split()))
            for c in root.findall(W + "comment")]


def _comment_anchors(body) -> dict[str, str]:
    """{comment id: the body text between its range start and end} (or, for a comment with
    only a reference, the text of the paragraph that holds it). One pass over the body, each
    anchor cut to a few words: a file with many comments open at once costs no more."""
    pieces: list[str] = []  # the text of every w:t, in body order
    starts: dict[str, int] = {}
    spans: dict[str, tuple[int, int]] = {}
    paragraph_start, referenced = 0, []
    for element in body.iter(W + "p", W + "t", W + "commentRangeStart", W + "commentRangeEnd", W + "commentReference"):
        tag, number = element.tag, element.get(W + "id")
        if tag == W + "p":
            for ref in referenced:
                spans.setdefault(ref, (paragraph_start, len(pieces)))
            paragraph_start, referenced = len(pieces), []
        elif tag == W + "t":
            pieces.append(element.text or "")
        elif number is None:
            continue
        elif tag == W + "commentRangeStart":
            starts.setdefault(number, len(pieces))
        elif tag == W + "commentRangeEnd" and number in starts:
            spans.setdefault(number, (starts[number], len(pieces)))
        elif tag == W + "commentReference" and number not in starts:
            referenced.append(number)
    for ref in referenced:
        spans.setdefault(ref, (paragraph_start, len(pieces)))
    for number, first in starts.items():  # a range never closed: to the end of the body
        spans.setdefault(number, (first, len(pieces)))
    return {number: " ".join("".join(pieces[a:min(b, a + _ANCHOR_PIECES)]).split())[:_ANCHOR_CHARS]
            for number, (a, b) in spans.items()}


_ANCHOR_PIECES = 40  # runs of text kept of an anchor (the listing shows its first 60 characters)
_ANCHOR_CHARS = 400


# -- the text as units -----------------------------------------------------------------

# Formatting a chair may add that drafter's next render does not keep.
_RUN_FORMATS = {"b": "fed", "i": "kursiv", "u": "understreget", "color": "farve", "highlight": "fremhævning",
                "strike": "gennemstreget", "shd": "skygge", "sz": "skriftstørrelse", "rFonts": "skrifttype"}
_OFF = {"0", "false", "off", "none"}
_DEFAULT_STYLES = {"", "normal", "standard", "default"}


@dataclass(frozen=True)
class Unit:
    """A paragraph (one cell) or a table row (one text per cell), as Word shows it."""

    kind: str  # "p" or "row"
    cells: tuple[str, ...]
    formats: frozenset = frozenset()  # formatting found in it ("fed", "typografi Overskrift2", ...)

    @property
    def key(self) -> tuple:
        return (self.kind, self.cells)

    @property
    def text(self) -> str:
        return " | ".join(self.cells)


def _clean(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u00ad", "")


def _formats(element) -> set[str]:
    found = set()
    for rpr in element.iter(W + "rPr"):
        if rpr.getparent().tag != W + "r":
            continue
        for child in rpr:
            local = child.tag.rpartition("}")[2]
            what = _RUN_FORMATS.get(local)
            val = (child.get(W + "val") or "").lower()
            if what is None or val in _OFF or (local == "color" and val in ("auto", "000000")):
                continue
            found.add(what)
    for style in element.iter(W + "pStyle"):
        name = style.get(W + "val", "")
        if name.casefold() not in _DEFAULT_STYLES:  # LibreOffice names the default style that Word leaves unnamed
            found.add(f"typografi {name}")
    return found


def _row_deleted(tr) -> bool:
    return tr.find(f"{W}trPr/{W}del") is not None


def units(container) -> list[Unit]:
    """The body (or a header, a footer) as units; empty paragraphs and tracked deletions
    are not there, tracked insertions are."""
    out: list[Unit] = []
    for block in container:
        tag = block.tag
        if tag == W + "p":
            text = _clean(paragraph_text(block))
            if text.strip():
                out.append(Unit("p", (text,), frozenset(_formats(block))))
        elif tag == W + "tbl":
            for tr in block.iter(W + "tr"):
                if _row_deleted(tr) or tr.getparent() is None:
                    continue
                if any(anc.tag == W + "tc" for anc in tr.iterancestors()):
                    continue  # a table inside a cell: its text is the cell's
                cells = tuple(
                    "\n".join(t for t in (_clean(paragraph_text(p)) for p in tc.iter(W + "p")) if t.strip())
                    for tc in tr if tc.tag == W + "tc"
                )
                if any(c.strip() for c in cells):
                    out.append(Unit("row", cells, frozenset(_formats(tr))))
        elif tag in (W + "sdt", W + "customXml", W + "ins", W + "moveTo"):
            content = block.find(W + "sdtContent") if tag == W + "sdt" else block
            if content is not None:
                out.extend(units(content))
    return out


def tracked_count(package: WordPackage) -> int:
    root = package.root(package.main_part)
    return sum(1 for _ in root.iter(W + "ins", W + "del", W + "moveFrom", W + "moveTo"))


def body_texts(package: WordPackage) -> list[tuple[str, str]]:
    """(heading above it, text) of every unit of the body, for `drafter diff` of two documents."""
    out, heading = [], ""
    for unit in units(package.body()):
        if unit.kind == "p" and any(f.startswith("typografi ") and f[10:].lower().startswith(("heading1", "overskrift1"))
                                    for f in unit.formats):
            heading = unit.cells[0]
            continue
        out.append((heading, unit.text))
    return out
