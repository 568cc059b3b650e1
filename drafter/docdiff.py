"""Two versions of a Word document as one, with the differences as Word's tracked changes.

The NEW document is the base: every paragraph, table and style is NEW's. What OLD had and
NEW lacks comes back as deletions (``w:del``), what NEW added is marked as insertions
(``w:ins``), word by word inside a changed paragraph and row by row inside a table, each with
author and date. So a chair who opens the result in Word sees the changes in the Review pane
and can accept or reject each: accepting all gives NEW's text, rejecting all OLD's.

The body, the headers and the footers are compared. Document properties (title, subject)
cannot be tracked changes in Word: they are NEW's.
"""

from __future__ import annotations

import copy
import difflib
import io
import re
import zipfile
from dataclasses import dataclass
from itertools import groupby

from drafter import stamp
from drafter.fsutil import read_docx_entries

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# Run content the word diff understands (and fields, one token each: below); a paragraph
# with anything else (a drawing, a hyperlink) is compared as a whole: deleted and inserted
# if it changed.
# (w:lastRenderedPageBreak, which Word writes where it last broke the page, has no content.)
_SOFT_HYPHEN = W + "softHyphen"
_RUN_CONTENT = {W + "t", W + "tab", W + "br", W + "cr", W + "lastRenderedPageBreak", _SOFT_HYPHEN}
_MARKS = {W + "tab": "\t", W + "br": "\n", W + "cr": "\n"}  # each a token of its own
# A soft hyphen (w:softHyphen: the optional hyphen drafter puts in a long word of a narrow
# table column, where Word and LibreOffice may break it) stays inside its word, as this
# character, which XML text can never hold; a word is compared without it (and without a
# typed U+00AD), since where a word may break is no change of its text.
_SHY = "\x01"
_PARAGRAPH_CONTENT = {W + "pPr", W + "r", W + "proofErr", W + "bookmarkStart", W + "bookmarkEnd"}
_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass
class Stamp:
    """Who made the changes and when, as Word shows it in the Review pane."""

    author: str
    date: str  # ISO 8601, e.g. 2026-11-25T00:00:00Z
    next_id: int = 9000

    def attrs(self) -> dict[str, str]:
        self.next_id += 1
        return {W + "id": str(self.next_id), W + "author": self.author, W + "date": self.date}


def main_part_name(entries: dict[str, bytes]) -> str:
    from lxml import etree

    rels = etree.fromstring(entries["_rels/.rels"])
    for rel in rels:
        if rel.get("Type", "").endswith("/officeDocument"):
            return (rel.get("Target") or "word/document.xml").lstrip("/")
    return "word/document.xml"


def read_entries(data: bytes) -> dict[str, bytes]:
    """The parts of a Word file, within drafter's limits for what others wrote (fsutil)."""
    return read_docx_entries(data)


def write_entries(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


# -- text of the blocks --------------------------------------------------------------------

def paragraph_text(p) -> str:
    """The visible text of a paragraph as it stands (insertions in, deletions out)."""
    out = []
    for el in p.iter(W + "t", W + "tab", W + "br", W + "cr"):
        if el.getparent().tag != W + "r" or _inside_deletion(el, p):
            continue  # a tab stop in the paragraph's settings (w:tabs/w:tab) is not a tab
        if el.tag == W + "t":
            out.append(el.text or "")
        elif el.tag == W + "tab":
            out.append("\t")
        elif el.tag in (W + "br", W + "cr"):
            out.append("\n")
    return "".join(out)


def _inside_deletion(el, stop) -> bool:
    node = el
    while node is not None and node is not stop:
        if node.tag in (W + "del", W + "moveFrom"):
            return True
        node = node.getparent()
    return False


def _block_key(el) -> tuple:
    if el.tag == W + "p":
        return ("p", _compare_text(el))
    if el.tag == W + "tbl":
        return ("tbl", tuple(_row_key(tr) for tr in el.findall(W + "tr")))
    return (el.tag, "".join(el.itertext()))


def _row_key(tr) -> tuple:
    return tuple("\n".join(_compare_text(p) for p in tc.iter(W + "p")) for tc in tr.findall(W + "tc"))


# -- marking whole blocks --------------------------------------------------------------

def _mark_runs(container, change: str, stamp: Stamp) -> None:
    """Wrap every run of *container* in w:ins or w:del (deleted text becomes w:delText)."""
    for run in list(container.iter(W + "r")):
        parent = run.getparent()
        if parent.tag in (W + "ins", W + "del"):
            continue
        if change == "del":
            for t in run.iter(W + "t"):
                t.tag = W + "delText"
            for t in run.iter(W + "instrText"):
                t.tag = W + "delInstrText"
        wrapper = parent.makeelement(W + change, stamp.attrs())
        parent.replace(run, wrapper)
        wrapper.append(run)


def _mark_paragraph_mark(p, change: str, stamp: Stamp) -> None:
    ppr = p.find(W + "pPr")
    if ppr is None:
        ppr = p.makeelement(W + "pPr", {})
        p.insert(0, ppr)
    rpr = ppr.find(W + "rPr")
    if rpr is None:
        rpr = ppr.makeelement(W + "rPr", {})
        # rPr comes after every other pPr child but sectPr and pPrChange.
        tail = [c for c in ppr if c.tag in (W + "sectPr", W + "pPrChange")]
        if tail:
            tail[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    rpr.insert(0, rpr.makeelement(W + change, stamp.attrs()))


def _mark_block(el, change: str, stamp: Stamp):
    """A whole paragraph or table inserted or deleted."""
    el = copy.deepcopy(el)
    _mark_runs(el, change, stamp)
    for p in el.iter(W + "p"):
        _mark_paragraph_mark(p, change, stamp)
    for tr in el.iter(W + "tr"):
        _mark_row(tr, change, stamp)
    return el


def _mark_row(tr, change: str, stamp: Stamp) -> None:
    trpr = tr.find(W + "trPr")
    if trpr is None:
        trpr = tr.makeelement(W + "trPr", {})
        # trPr follows tblPrEx, if any, and precedes the cells.
        ex = tr.find(W + "tblPrEx")
        if ex is not None:
            ex.addnext(trpr)
        else:
            tr.insert(0, trpr)
    trpr.append(trpr.makeelement(W + change, stamp.attrs()))


def _marked_row(tr, change: str, stamp: Stamp):
    tr = copy.deepcopy(tr)
    _mark_runs(tr, change, stamp)
    for p in tr.iter(W + "p"):
        _mark_paragraph_mark(p, change, stamp)
    _mark_row(tr, change, stamp)
    return tr


# -- a changed paragraph, word by word ---------------------------------------------------

# A field (PAGE, NUMPAGES, DATE, ...) is one token, compared by its instruction: its shown
# result is what Word or LibreOffice last computed ("Side 4 af 4" in a file a chair saved,
# "Side 1 af 1" as drafter writes it), which says nothing about whether the field changed.
_FIELD_CHAR, _INSTR = W + "fldChar", W + "instrText"
_FIELD_RUN_CONTENT = _RUN_CONTENT | {_FIELD_CHAR, _INSTR}
_MERGEFORMAT = re.compile(r"\\\*\s*mergeformat\b", re.IGNORECASE)


@dataclass
class _Field:
    """A field of a paragraph: a w:fldSimple, or the runs from its begin to its end mark."""

    instruction: str
    elements: list

    @property
    def key(self) -> str:
        name, _, arguments = _MERGEFORMAT.sub("", self.instruction).strip().partition(" ")
        return "\x00field:" + " ".join([name.upper(), *arguments.split()])


def _tokens(p) -> list[tuple[str, bytes, object]] | None:
    """(text, run properties, element) per word, space, tab, break or field of a paragraph
    the word diff understands; None for any other (a drawing, a hyperlink, a field that
    spans paragraphs), which is compared as a whole."""
    from lxml import etree

    tokens: list = []
    field: list | None = None  # the runs of a field under way
    instruction: list[str] = []
    depth = 0
    for child in p:
        if child.tag == W + "fldSimple":
            if field is not None or not all(_plain_run(r) for r in child if r.tag != W + "proofErr"):
                return None
            tokens.append((None, b"", _Field(child.get(W + "instr") or "", [child])))
            continue
        if child.tag != W + "r":
            if child.tag in _PARAGRAPH_CONTENT:
                continue  # the paragraph's settings; proofing and bookmark marks are dropped
            return None
        content = [c for c in child if c.tag != W + "rPr"]
        if any(c.tag not in _FIELD_RUN_CONTENT for c in content):
            return None
        marks = [c for c in content if c.tag == _FIELD_CHAR]
        if marks or field is not None:
            if marks and len(content) != 1:
                return None  # a field mark shares its run with text: not what Word writes
            kind = marks[0].get(W + "fldCharType") if marks else None
            if field is None:
                if kind != "begin":
                    return None
                field, instruction, depth = [], [], 0
            field.append(child)
            instruction.extend(t.text or "" for t in content if t.tag == _INSTR)
            depth += {"begin": 1, "end": -1}.get(kind, 0)
            if depth == 0:
                tokens.append((None, b"", _Field("".join(instruction), field)))
                field = None
            continue
        if any(c.tag == _INSTR for c in content):
            return None
        rpr = child.find(W + "rPr")
        rpr_xml = etree.tostring(rpr) if rpr is not None else b""
        text: list[str] = []  # the run's text up to its next mark, soft hyphens in it
        for c in [*content, None]:
            if c is not None and c.tag == W + "t":
                text.append(c.text or "")
            elif c is not None and c.tag == _SOFT_HYPHEN:
                text.append(_SHY)
            elif c is None or c.tag in _MARKS:
                tokens.extend((word, rpr_xml, None) for word in _TOKEN.findall("".join(text)))
                text = []
                if c is not None:
                    tokens.append((_MARKS[c.tag], rpr_xml, c))
    if field is not None:
        return None
    return [(t[2].key, t[1], t[2]) if isinstance(t[2], _Field) else t for t in tokens]


def _word_key(text: str) -> str:
    """A token as it is compared: without soft hyphens."""
    return text.replace(_SHY, "").replace("\u00ad", "") if (_SHY in text or "\u00ad" in text) else text


def _plain_run(run) -> bool:
    return run.tag == W + "r" and all(c.tag in _RUN_CONTENT or c.tag == W + "rPr" for c in run)


def _compare_text(p) -> str:
    """What decides whether two paragraphs are the same: the text, with each field as its
    instruction rather than its last shown result."""
    tokens = _tokens(p)
    return paragraph_text(p).replace("\u00ad", "") if tokens is None else "".join(_word_key(t[0]) for t in tokens)


def _field_runs(field: _Field, change: str, stamp: Stamp) -> list:
    """A field inserted or deleted, as one w:ins or w:del around its runs (a w:fldSimple,
    which may not stand inside either, written as the begin-instruction-result-end runs
    Word itself writes)."""
    from lxml import etree

    first = field.elements[0]
    if first.tag == W + "fldSimple":
        inner = [copy.deepcopy(r) for r in first if r.tag == W + "r"]
        rpr = inner[0].find(W + "rPr") if inner else None

        def mark(tag: str, **attrs):
            run = first.makeelement(W + "r", {})
            if rpr is not None:
                run.append(copy.deepcopy(rpr))
            el = etree.SubElement(run, W + tag, {W + k: v for k, v in attrs.items()})
            return run, el

        begin, _ = mark("fldChar", fldCharType="begin")
        instr_run, instr = mark("instrText")
        instr.text = field.instruction
        instr.set(XML_SPACE, "preserve")
        runs = [begin, instr_run, mark("fldChar", fldCharType="separate")[0], *inner,
                mark("fldChar", fldCharType="end")[0]]
    else:
        runs = [copy.deepcopy(r) for r in field.elements]
    wrapper = first.makeelement(W + change, stamp.attrs())
    for run in runs:
        if change == "del":
            for t in run.iter(W + "t"):
                t.tag = W + "delText"
            for t in run.iter(_INSTR):
                t.tag = W + "delInstrText"
        wrapper.append(run)
    return [wrapper]


def _runs(p, tokens: list, change: str | None, stamp: Stamp) -> list:
    """Runs for *tokens*, one per stretch of equal formatting, wrapped for a change; a field
    unchanged is NEW's own, untouched."""
    out: list = []
    for is_field, stretch in groupby(tokens, key=lambda token: isinstance(token[2], _Field)):
        if not is_field:
            out.extend(_text_runs(p, list(stretch), change, stamp))
            continue
        for _, _, field in stretch:
            if change:
                out.extend(_field_runs(field, change, stamp))
            else:
                out.extend(copy.deepcopy(el) for el in field.elements)
    return out


def _text_runs(p, tokens: list, change: str | None, stamp: Stamp) -> list:
    from lxml import etree

    out = []
    for rpr_xml, group in groupby(tokens, key=lambda token: token[1]):
        run = p.makeelement(W + "r", {})
        if rpr_xml:
            run.append(etree.fromstring(rpr_xml))
        text_tag = W + ("delText" if change == "del" else "t")
        pending: list[str] = []

        def flush() -> None:
            for number, piece in enumerate("".join(pending).split(_SHY)):
                if number:
                    etree.SubElement(run, _SOFT_HYPHEN)
                if piece:
                    t = etree.SubElement(run, text_tag)
                    t.text = piece
                    t.set(XML_SPACE, "preserve")
            pending.clear()

        for text, _, element in group:
            if element is None:
                pending.append(text)
            else:
                flush()
                run.append(copy.deepcopy(element))
        flush()
        if change:
            wrapper = p.makeelement(W + change, stamp.attrs())
            wrapper.append(run)
            out.append(wrapper)
        else:
            out.append(run)
    return out


def _diff_paragraph(old_p, new_p, stamp: Stamp) -> list:
    """NEW's paragraph with OLD's words that went as deletions and NEW's new words as insertions."""
    if _compare_text(old_p) == _compare_text(new_p):
        return [copy.deepcopy(new_p)]
    old_tokens, new_tokens = _tokens(old_p), _tokens(new_p)
    if old_tokens is None or new_tokens is None:
        return [_mark_block(old_p, "del", stamp), _mark_block(new_p, "ins", stamp)]
    matcher = difflib.SequenceMatcher(None, [_word_key(t[0]) for t in old_tokens], [_word_key(t[0]) for t in new_tokens],
                                      autojunk=False)
    result = new_p.makeelement(W + "p", dict(new_p.attrib))
    ppr = new_p.find(W + "pPr")
    if ppr is not None:
        result.append(copy.deepcopy(ppr))
    for op, i1, i2, j1, j2 in _phrases(matcher.get_opcodes(), new_tokens):
        if op in ("delete", "replace"):
            result.extend(_runs(result, old_tokens[i1:i2], "del", stamp))
        if op in ("insert", "replace"):
            result.extend(_runs(result, new_tokens[j1:j2], "ins", stamp))
        if op == "equal":
            result.extend(_runs(result, new_tokens[j1:j2], None, stamp))
    return [result]


def _phrases(opcodes: list, new_tokens: list) -> list:
    """Changes separated only by spaces become one change ("17. december 2027" replaced by
    "30. juni 2028", not word by word), as a person would have edited it."""
    merged: list = []
    for op in opcodes:
        if (
            len(merged) >= 2 and op[0] != "equal" and merged[-1][0] == "equal"
            and merged[-2][0] != "equal"
            and all(not t[0].strip() for t in new_tokens[merged[-1][3]:merged[-1][4]])
        ):
            merged.pop()  # the spaces between the two changes go into the one change
            first = merged.pop()
            merged.append(("replace", first[1], op[2], first[3], op[4]))
        elif merged and op[0] != "equal" and merged[-1][0] != "equal":
            first = merged.pop()
            merged.append(("replace", first[1], op[2], first[3], op[4]))
        else:
            merged.append(op)
    return merged


# -- tables ------------------------------------------------------------------------------

def _diff_table(old_tbl, new_tbl, stamp: Stamp):
    result = copy.deepcopy(new_tbl)
    for tr in result.findall(W + "tr"):
        result.remove(tr)
    old_rows, new_rows = old_tbl.findall(W + "tr"), new_tbl.findall(W + "tr")
    matcher = difflib.SequenceMatcher(None, [_row_key(r) for r in old_rows], [_row_key(r) for r in new_rows], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            result.extend(copy.deepcopy(r) for r in new_rows[j1:j2])
            continue
        olds, news = old_rows[i1:i2], new_rows[j1:j2]
        paired = min(len(olds), len(news)) if op == "replace" else 0
        for old_tr, new_tr in zip(olds[:paired], news[:paired]):
            result.append(_diff_row(old_tr, new_tr, stamp))
        result.extend(_marked_row(r, "del", stamp) for r in olds[paired:])
        result.extend(_marked_row(r, "ins", stamp) for r in news[paired:])
    return result


def _diff_row(old_tr, new_tr, stamp: Stamp):
    old_cells, new_cells = old_tr.findall(W + "tc"), new_tr.findall(W + "tc")
    if len(old_cells) != len(new_cells):
        return _marked_row(new_tr, "ins", stamp)  # pragma: no cover - same template, same columns
    row = copy.deepcopy(new_tr)
    for old_tc, new_tc, tc in zip(old_cells, new_cells, row.findall(W + "tc")):
        for p in tc.findall(W + "p"):
            tc.remove(p)
        tc.extend(_diff_blocks(old_tc.findall(W + "p"), new_tc.findall(W + "p"), stamp))
    return row


# -- the body ----------------------------------------------------------------------------

def _diff_blocks(olds: list, news: list, stamp: Stamp) -> list:
    matcher = difflib.SequenceMatcher(None, [_block_key(b) for b in olds], [_block_key(b) for b in news], autojunk=False)
    out: list = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(copy.deepcopy(b) for b in news[j1:j2])
            continue
        old_part, new_part = olds[i1:i2], news[j1:j2]
        for old, new in _pair(old_part, new_part):
            if old is not None and new is not None:
                if old.tag == W + "p":
                    out.extend(_diff_paragraph(old, new, stamp))
                else:
                    out.append(_diff_table(old, new, stamp))
            elif old is not None:
                out.append(_mark_block(old, "del", stamp))
            else:
                out.append(_mark_block(new, "ins", stamp))
    return out


def _pair(olds: list, news: list) -> list[tuple]:
    """Old and new blocks of a changed stretch, paired where they are the same kind of block
    and alike enough to be one block edited; the rest stand alone, in document order."""
    pairs: list[tuple] = []
    i = j = 0
    while i < len(olds) and j < len(news):
        old, new = olds[i], news[j]
        if old.tag == new.tag and old.tag in (W + "p", W + "tbl") and _alike(old, new):
            pairs.append((old, new))
            i, j = i + 1, j + 1
        elif len(olds) - i >= len(news) - j:
            pairs.append((old, None))
            i += 1
        else:
            pairs.append((None, new))
            j += 1
    pairs.extend((old, None) for old in olds[i:])
    pairs.extend((None, new) for new in news[j:])
    return pairs


def _alike(old, new) -> bool:
    if old.tag == W + "tbl":
        return True
    a, b = _compare_text(old), _compare_text(new)
    if not a or not b:
        return not a and not b
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio() >= 0.3


def tracked_changes(old_docx: bytes, new_docx: bytes, author: str, date: str) -> bytes:
    """NEW's document with every difference from OLD as a tracked change by *author* on *date*."""
    from lxml import etree

    old_entries, new_entries = read_entries(old_docx), read_entries(new_docx)
    part = main_part_name(new_entries)
    old_root = etree.fromstring(old_entries[main_part_name(old_entries)])
    new_root = etree.fromstring(new_entries[part])
    old_body, new_body = old_root.find(W + "body"), new_root.find(W + "body")
    sect = new_body.find(W + "sectPr")
    stamp = Stamp(author, date)
    blocks = _diff_blocks(
        [b for b in old_body if b.tag != W + "sectPr"], [b for b in new_body if b.tag != W + "sectPr"], stamp
    )
    for child in list(new_body):
        new_body.remove(child)
    new_body.extend(blocks)
    if sect is not None:
        new_body.append(sect)
    entries = dict(new_entries)
    entries[part] = etree.tostring(new_root, xml_declaration=True, encoding="UTF-8", standalone=True)
    # Headers and footers like the body: each of NEW's against OLD's of the same kind and place.
    old_parts, new_parts = _header_footer_parts(old_entries), _header_footer_parts(new_entries)
    for key, new_part in new_parts.items():
        old_part = old_parts.get(key)
        if old_part is None:
            continue
        old_hf = etree.fromstring(old_entries[old_part])
        new_hf = etree.fromstring(new_entries[new_part])
        blocks = _diff_blocks(list(old_hf), list(new_hf), stamp)
        for child in list(new_hf):
            new_hf.remove(child)
        new_hf.extend(blocks)
        entries[new_part] = etree.tostring(new_hf, xml_declaration=True, encoding="UTF-8", standalone=True)
    return write_entries(_rehashed(entries))


def _header_footer_parts(entries: dict[str, bytes]) -> dict[tuple[str, int], str]:
    """{(header or footer, n): part} in the order the main part's relationships list them."""
    from lxml import etree

    main = main_part_name(entries)
    folder, _, name = main.rpartition("/")
    rels = entries.get(f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels")
    if not rels:
        return {}
    found: dict[tuple[str, int], str] = {}
    for rel in etree.fromstring(rels):
        kind = rel.get("Type", "").rpartition("/")[2]
        target = rel.get("Target") or ""
        if kind not in ("header", "footer") or rel.get("TargetMode") == "External" or not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}" if folder else target
        if part in entries:
            found[(kind, sum(1 for k in found if k[0] == kind))] = part
    return found


def _rehashed(entries: dict[str, bytes]) -> dict[str, bytes]:
    """The content hash recorded anew, so drafter may later replace its own unchanged
    output; the other properties (the answers NEW was made from, which
    `drafter import` merges against) stay."""
    if stamp.CUSTOM_PART not in entries:
        return entries
    custom = entries.pop(stamp.CUSTOM_PART).decode("utf-8", "replace")
    digest = stamp.content_hash(entries)
    custom = re.sub(rf'(name="{stamp.HASH_PROPERTY}"[^>]*>\s*<vt:lpwstr>)[0-9a-f]*(</vt:lpwstr>)', rf"\g<1>{digest}\g<2>", custom)
    # Not the package fingerprint: a document with tracked changes is not what render makes.
    custom = re.sub(rf'<property [^>]*name="{stamp.PACKAGE_PROPERTY}"[^>]*>.*?</property>', "", custom)
    entries[stamp.CUSTOM_PART] = custom.encode("utf-8")
    return entries
