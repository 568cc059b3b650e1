"""Tables in a rendered document fitted to what they hold.

A template's table has fixed column widths, but only the answers say how long the words
in a column are: a fixed 4 cm column broke "Patientinddragelsesudvalget" in the middle in
LibreOffice and Word alike. After rendering, each fixed-layout table gets

- its empty columns left out: a column with a heading and no value in any row (no member
  has a role) says nothing;
- column widths from its content: each column first gets its need (its longest word),
  then the rest of the width is shared as the template's widths share it. When the needs
  together are wider than the table, the columns with the smallest needs still get theirs
  and only the columns whose own longest word cannot fit share what is left; there a long
  word breaks at a Danish hyphenation point (a soft hyphen, preferring a compound's
  joint), and the cell's paragraphs allow automatic hyphenation;
- a page flow a reader expects: a table shorter than about a third of a page is kept on
  one page ("keep with next" on every row but the last); a longer one may break between
  rows, under its repeated header row, but never leaves its first or last row alone
  (the header row and the first row, and the second to last row, keep with the next).
  The header row always keeps with the first row, so a heading above a table never ends
  a page (LibreOffice's keep-with-next of the heading alone does not reach into a table).

Widths are measured with Calibri's advance widths (Carlito, LibreOffice's stand-in, has
the same metrics), so the result is the same on every machine, with or without fonts.
Heights are estimated from the same widths: lines per cell times the line height.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# A table at most this part of the page's text height is kept on one page.
SHORT_TABLE_PART_OF_PAGE = 1 / 3

_EM = 2048  # Calibri's units per em
# Advance widths of Calibri Regular (units per em 2048), by groups of equal width.
_WIDTHS_BY_GROUP = {
    452: "'", 470: "il", 490: "j", 511: ",", 516: "I", 517: ".", 548: ":;", 621: "()", 625: "f",
    627: "-", 653: "J", 667: "!", 686: "t", 714: "r", 791: "/", 801: "s", 809: "z", 821: '"',
    861: "L", 866: "c", 887: "x", 925: "v", 927: "y", 931: "k", 941: "FS", 949: "?", 959: "Z",
    964: "g", 981: "aåäá", 998: "TY", 1000: "EÉ", 1019: "eé", 1020: "–+§", 1038: "0123456789",
    1058: "P", 1063: "X", 1064: "K", 1076: "bdhnpquü", 1080: "oöó", 1084: "ø", 1092: "C",
    1112: "R", 1114: "B", 1162: "V", 1185: "AÅÄ", 1260: "D", 1276: "H", 1292: "G", 1314: "UÜ",
    1322: "N", 1356: "OÖ", 1359: "Ø", 1378: "Q", 1397: "&", 1464: "w%", 1563: "Æ", 1583: "æ",
    1636: "m", 1751: "M", 1822: "W", 1831: "@",
}
_WIDTH = {char: width for width, chars in _WIDTHS_BY_GROUP.items() for char in chars}
_UNKNOWN_WIDTH = 1300  # wider than most letters: an unknown character never makes a column too narrow
_BOLD = 1.05  # Calibri Bold is at most about 5 % wider
_SAFETY = 1.04  # kerning, rounding and Word's own cell padding
_DEFAULT_SIZE_HALF_POINTS = 22  # 11 pt, the templates' Normal
_DEFAULT_CELL_MARGIN = 108  # Word's default left and right cell margin, in twips

# Where a line may break inside a word: after a hyphen or an en dash.
_BREAK_AFTER = re.compile(r"(?<=[-–])")


def fit_tables(root) -> None:
    """Fit every fixed-layout table in the document tree *root* (an lxml element), and keep
    each heading on the page of the text it introduces (see _keep_headings_with_text)."""
    _keep_headings_with_text(root)
    page_height = None
    for table in list(root.iter(f"{W}tbl")):
        if page_height is None:
            page_height = _text_height(root)
        if _is_simple_grid(table):
            _drop_empty_columns(table)
            cells = _measure(table)
            _fit_widths(table, cells)
            height = _estimated_height(table, cells, page_height * SHORT_TABLE_PART_OF_PAGE)
        else:
            height = None  # not measured: kept together only as before, when it has few rows
        _flow(table, height, page_height)


def _child(element, *tags):
    """element/tag1/tag2... by direct child lookups, or None."""
    # A property element (pPr, rPr, trPr, tcPr, tblPr) is its parent's first child by the
    # schema: looked at first, it is found without a search; a loop over the children (not
    # find(), which goes through ElementPath) covers the rest.
    for tag in tags:
        if element is None:
            return None
        name = W + tag
        if len(element) and element[0].tag == name:
            element = element[0]
            continue
        for child in element:
            if child.tag == name:
                element = child
                break
        else:
            return None
    return element


def _rows(table):
    return list(table.iterchildren(f"{W}tr"))


def _cells(row):
    return list(row.iterchildren(f"{W}tc"))


def _grid_cols(table):
    grid = _child(table, "tblGrid")
    return [] if grid is None else list(grid.iterchildren(f"{W}gridCol"))


def _is_simple_grid(table) -> bool:
    # Only tables this module fully understands: fixed layout, one cell per grid column in
    # every row, no merged cells, no table inside a cell.
    layout = _child(table, "tblPr", "tblLayout")
    if layout is None or layout.get(f"{W}type") != "fixed":
        return False
    columns = len(_grid_cols(table))
    if columns == 0:
        return False
    for row in _rows(table):
        cells = _cells(row)
        if len(cells) != columns:
            return False
        for cell in cells:
            tcpr = _child(cell, "tcPr")
            if tcpr is not None and next(tcpr.iterchildren(f"{W}gridSpan", f"{W}vMerge"), None) is not None:
                return False
            if next(cell.iter(f"{W}tbl"), None) is not None:
                return False
    return True


def _is_header(row) -> bool:
    marker = _child(row, "trPr", "tblHeader")
    return marker is not None and marker.get(f"{W}val", "on") not in ("0", "false", "off")


def _cell_text(cell) -> str:
    return "".join(t.text or "" for t in cell.iter(f"{W}t"))


def _drop_empty_columns(table) -> None:
    rows = _rows(table)
    if len(rows) < 2 or not _is_header(rows[0]):
        return
    body = [row for row in rows if not _is_header(row)]
    if not body:
        return
    columns = len(_grid_cols(table))
    empty = [
        c for c in range(columns)
        if _cell_text(_cells(rows[0])[c]).strip() and all(not _cell_text(_cells(r)[c]).strip() for r in body)
    ]
    if not empty or len(empty) == columns:
        return
    grid = _grid_cols(table)
    freed = sum(_twips(grid[c]) for c in empty)
    for c in reversed(empty):
        grid[c].getparent().remove(grid[c])
        for row in rows:
            cell = _cells(row)[c]
            row.remove(cell)
    # The freed width goes to the remaining columns in proportion to their widths.
    remaining = _grid_cols(table)
    total = sum(_twips(col) for col in remaining) or 1
    widths = [_twips(col) + freed * _twips(col) / total for col in remaining]
    _set_widths(table, widths)


# A line break in a measured paragraph (see _measure).
_BREAK = (-1.0, 0.0)


def _measure(table) -> list[list[tuple[float, list]]]:
    """Every cell of *table*, row by row, measured once: (its longest word, its paragraphs);
    a paragraph is (line height, space after, [(word width, space width) or _BREAK, ...]).
    In twips; a word's longest piece (it may break after a hyphen) makes the longest word."""
    rows = []
    for row in _rows(table):
        header = _is_header(row)
        measured = []
        for cell in _cells(row):
            longest, paragraphs = 0.0, []
            for paragraph in cell.iterchildren(f"{W}p"):
                line_height, words = 0.0, []
                for run in paragraph.iterchildren(f"{W}r"):
                    size, bold = _run_font(run)
                    scale = (_BOLD if bold or header else 1.0) * _SAFETY * size * 10 / _EM
                    line_height = max(line_height, size * 10 * _LINE)
                    for child in run:
                        if child.tag == _T:
                            for word in (child.text or "").split():
                                words.append((_word_units(word) * scale, _SPACE_UNITS * scale))
                                longest = max(longest, _longest_piece(word) * scale)
                        elif child.tag == _BR:
                            words.append(_BREAK)
                spacing = _child(paragraph, "pPr", "spacing")
                after = spacing.get(f"{W}after") if spacing is not None else None
                paragraphs.append((line_height or _DEFAULT_SIZE_HALF_POINTS * 10 * _LINE,
                                   int(after) if after and after.isdigit() else 0, words))
            measured.append((longest, paragraphs))
        rows.append(measured)
    return rows


@lru_cache(maxsize=4096)
def _longest_piece(word: str) -> int:
    return max(_word_units(piece) for piece in _BREAK_AFTER.split(word))


def _fit_widths(table, cells: list[list[tuple[float, list]]]) -> None:
    columns = _grid_cols(table)
    preferred = [_twips(col) for col in columns]
    total = sum(preferred)
    if total <= 0:
        return
    margins = _cell_margins(table)
    needed = [0.0] * len(columns)
    for row in cells:
        for c, (longest, _) in enumerate(row):
            needed[c] = max(needed[c], longest + margins)
    if all(n <= p for n, p in zip(needed, preferred)):
        return
    if sum(needed) > total:
        widths = _share_what_is_short(needed, total)
    else:
        widths = _widen(preferred, needed, total)
    _set_widths(table, widths)
    for c, (width, need) in enumerate(zip(widths, needed)):
        if width < need:
            _hyphenate_column(table, c, int(width) - margins)


def _share_what_is_short(needed: list[float], total: float) -> list[float]:
    """Widths when not every longest word fits: the columns with the smallest needs get
    theirs, one by one while each remaining column could still get as much; the columns
    left (whose own longest word cannot fit) share the rest equally."""
    order = sorted(range(len(needed)), key=lambda c: needed[c])
    widths = [0.0] * len(needed)
    left = total
    for i, c in enumerate(order):
        fair = left / (len(order) - i)
        if needed[c] > fair:
            for rest in order[i:]:
                widths[rest] = fair
            break
        widths[c] = needed[c]
        left -= needed[c]
    return widths


def _widen(preferred: list[float], needed: list[float], total: float) -> list[float]:
    """Each column at least its need; what is left shared as *preferred* shares it."""
    fixed: set[int] = set()
    while True:
        free = total - sum(needed[c] for c in fixed)
        flexible = [c for c in range(len(preferred)) if c not in fixed]
        weight = sum(preferred[c] for c in flexible)
        if weight <= 0:  # never expected (see _fit_widths), but never a division by zero
            return _share_what_is_short(needed, total)
        widths = [needed[c] if c in fixed else free * preferred[c] / weight for c in range(len(preferred))]
        short = [c for c in flexible if widths[c] < needed[c]]
        if not short:
            return widths
        fixed.update(short)


def _run_scale(run, bold_row: bool) -> float:
    """Twips per Calibri font unit in *run* (its size and weight), safety margin included."""
    size, bold = _run_font(run)
    return (_BOLD if bold or bold_row else 1.0) * _SAFETY * size * 10 / _EM  # half-points -> twips


@lru_cache(maxsize=4096)
def _word_units(word: str) -> int:
    return sum(_WIDTH.get(ch, _UNKNOWN_WIDTH) for ch in word)


def _run_font(run) -> tuple[int, bool]:
    rpr = _child(run, "rPr")
    size, bold = _DEFAULT_SIZE_HALF_POINTS, False
    if rpr is not None:
        sz = _child(rpr, "sz")
        if sz is not None and (sz.get(f"{W}val") or "").isdigit():
            size = int(sz.get(f"{W}val"))
        b = _child(rpr, "b")
        bold = b is not None and b.get(f"{W}val", "on") not in ("0", "false", "off")
    return size, bold


def _cell_margins(table) -> float:
    margins = _child(table, "tblPr", "tblCellMar")
    total = 0.0
    for side, alias in (("left", "start"), ("right", "end")):
        el = None
        if margins is not None:
            el = _child(margins, side)
            if el is None:  # lxml: an element without children is falsy, so no "or"
                el = _child(margins, alias)
        value = None if el is None else el.get(f"{W}w")
        total += int(value) if value and value.isdigit() else _DEFAULT_CELL_MARGIN
    return total


def _twips(col) -> float:
    value = col.get(f"{W}w") or "0"
    return float(value) if value.isdigit() else 0.0


def _set_widths(table, widths: list[float]) -> None:
    rounded = [int(w) for w in widths]
    rounded[-1] += int(sum(widths)) - sum(rounded)  # the table keeps its total width
    for col, width in zip(_grid_cols(table), rounded):
        col.set(f"{W}w", str(width))
    for row in _rows(table):
        for cell, width in zip(_cells(row), rounded):
            tcw = _child(cell, "tcPr", "tcW")
            if tcw is not None:
                tcw.set(f"{W}w", str(width))
                tcw.set(f"{W}type", "dxa")


# -- long words in a column too narrow for them ---------------------------------------------

_SOFT_HYPHEN = f"{W}softHyphen"
_T, _BR, _P = f"{W}t", f"{W}br", f"{W}p"
_HYPHEN_UNITS = _WIDTH["-"]
_WORD = re.compile(r"[^\W\d_]{6,}")  # a word that may be hyphenated: letters only, not too short
_HYPHENATION_LANGUAGE = "da_DK"


def _hyphenate_column(table, column: int, room: int) -> None:
    """Soft hyphens in every word of *column* wider than *room* (twips), and automatic
    hyphenation allowed in its cells, so the word breaks at a Danish hyphenation point."""
    for row in _rows(table):
        cell = _cells(row)[column]
        header = _is_header(row)
        for run in list(cell.iter(f"{W}r")):
            scale = _run_scale(run, header)
            for t in list(run.iterchildren(f"{W}t")):
                cuts = _cuts(t.text or "", room / scale)
                if cuts:
                    _insert_soft_hyphens(t, cuts)
        for paragraph in cell.iter(f"{W}p"):
            _allow_hyphenation(paragraph)


def _cuts(text: str, room_units: float) -> list[int]:
    """Offsets in *text* where a soft hyphen goes, so each piece of a long word fits."""
    cuts: list[int] = []
    offset = 0
    for piece in re.split(r"(\s+|(?<=[-–]))", text):
        if piece and _word_units(piece) > room_units:
            for match in _WORD.finditer(piece):
                cuts += [offset + match.start() + c for c in _word_cuts(match.group(), room_units)]
        offset += len(piece)
    return cuts


@lru_cache(maxsize=4096)
def _word_cuts(word: str, room_units: float) -> tuple[int, ...]:
    """Where *word* breaks so each piece (with its hyphen) fits in *room_units*: at the
    Danish hyphenation points of the hyphen-da patterns, in as few pieces as fit; of the
    ways with that few, the one that breaks right after a compound's linking s
    (kvalitetsudviklings|koordinator, patientinddragelses|udvalget) where there is one."""
    points = _hyphenation_points(word.lower())

    def fitting(start: int) -> list[int]:
        return [p for p in points if p > start and _word_units(word[start:p]) + _HYPHEN_UNITS <= room_units]

    @lru_cache(maxsize=None)
    def fewest(start: int) -> int:
        if _word_units(word[start:]) <= room_units:
            return 1
        return 1 + min((fewest(p) for p in fitting(start)), default=len(word))

    cuts: list[int] = []
    start = 0
    while _word_units(word[start:]) > room_units:
        options = fitting(start)
        if not options:
            break  # no point fits: the word breaks where the program breaks it
        best = min(fewest(p) for p in options)
        options = [p for p in options if fewest(p) == best]
        joints = [p for p in options if word[p - 1] in "sS"]
        start = max(joints or options)
        cuts.append(start)
    return tuple(cuts)


@lru_cache(maxsize=4096)
def _hyphenation_points(word: str) -> tuple[int, ...]:
    return tuple(_hyphenator().positions(word))


@lru_cache(maxsize=1)
def _hyphenator():
    # Imported here: pyphen and its Danish patterns are needed only when a word does not
    # fit its column (rare), and cost about 25 ms to load.
    import pyphen

    return pyphen.Pyphen(lang=_HYPHENATION_LANGUAGE, left=2, right=3)


def _insert_soft_hyphens(t, cuts: list[int]) -> None:
    """Split the w:t *t* at *cuts* with a w:softHyphen between the pieces (Word's and
    LibreOffice's optional hyphen: shown only where the line breaks)."""
    text = t.text or ""
    bounds = [0, *cuts, len(text)]
    pieces = [text[a:b] for a, b in zip(bounds, bounds[1:])]
    t.text = pieces[0]
    anchor = t
    for piece in pieces[1:]:
        hyphen = t.makeelement(_SOFT_HYPHEN, {})
        anchor.addnext(hyphen)
        following = t.makeelement(f"{W}t", {_XML_SPACE: "preserve"})
        following.text = piece
        hyphen.addnext(following)
        anchor = following


_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


# -- page flow -------------------------------------------------------------------------------

_TWIPS_PER_CM = 567
_A4_TEXT_HEIGHT = int((29.7 - 2.5 - 2.2) * _TWIPS_PER_CM)
_LINE = 1.22 * 1.15  # Calibri's line height (ascent + descent) in em, at the templates' 1.15 spacing
_SPACE_UNITS = 463  # Calibri's space


def _text_height(root) -> int:
    """The height of a page's text area (twips), from the document's last section."""
    sectpr = None
    for sectpr in root.iter(f"{W}sectPr"):
        pass
    size = _child(sectpr, "pgSz") if sectpr is not None else None
    margins = _child(sectpr, "pgMar") if sectpr is not None else None
    try:
        height = int(size.get(f"{W}h")) - int(margins.get(f"{W}top")) - int(margins.get(f"{W}bottom"))
    except (AttributeError, TypeError, ValueError):
        return _A4_TEXT_HEIGHT
    return height if height > 0 else _A4_TEXT_HEIGHT


def _estimated_height(table, cells: list[list[tuple[float, list]]], enough: float) -> float:
    """About how tall *table* is laid out (twips): its rows' lines and spacing; counted
    only until it is taller than *enough*."""
    widths = [_twips(col) for col in _grid_cols(table)]
    vertical, horizontal = _cell_padding(table)
    rooms = [max(width - horizontal, 1.0) for width in widths]
    total = 0.0
    for row in cells:
        tallest = 0.0
        for (_, paragraphs), room in zip(row, rooms):
            tallest = max(tallest, sum(_paragraph_height(p, room) for p in paragraphs))
        total += tallest + vertical
        if total > enough:
            break
    return total


def _paragraph_height(paragraph: tuple, room: float) -> float:
    line_height, after, words = paragraph
    lines, used = 1, 0.0
    for width, space in words:
        if width < 0:  # a line break
            lines, used = lines + 1, 0.0
            continue
        if used and used + width > room:
            lines, used = lines + 1, 0.0
        if width > room:
            lines += int(width // room)
        used += width + space
    return lines * line_height + after


def _cell_padding(table) -> tuple[float, float]:
    """(top + bottom, left + right) cell margins of *table*, in twips."""
    margins = _child(table, "tblPr", "tblCellMar")
    vertical = 0.0
    for side in ("top", "bottom"):
        el = _child(margins, side) if margins is not None else None
        value = None if el is None else el.get(f"{W}w")
        vertical += int(value) if value and value.isdigit() else 0
    return vertical, _cell_margins(table)


_FEW_ROWS = 8  # a table tablefit cannot measure is kept whole up to this many rows


def _flow(table, height: float | None, page_height: int) -> None:
    rows = _rows(table)
    if len(rows) < 2:
        return
    short = len(rows) <= _FEW_ROWS if height is None else height <= page_height * SHORT_TABLE_PART_OF_PAGE
    if short:
        keep = rows[:-1]
    else:
        # May break between rows, but not after the header row or the first row (a
        # heading and a header never end a page with at most one row), nor before the last.
        keep = rows[:2] + ([rows[-2]] if len(rows) > 3 else [])
    if _heading_follows(table):
        # LibreOffice lets a heading right after a table end a page, its keep-with-next
        # notwithstanding, unless the table's last row keeps with it (then the heading
        # moves on, and in Word the last row goes along).
        keep.append(rows[-1])
    for row in keep:
        for paragraph in row.iter(f"{W}p"):
            _keep_with_next(paragraph)
    if height is not None:
        for row in rows:
            _cant_split(row)


_HEADING_STYLE = re.compile(r"(Heading|Overskrift)\d", re.IGNORECASE)


def _heading_follows(table) -> bool:
    """Whether the paragraph after *table* is a heading (a heading style, or keep-with-next)."""
    following = table.getnext()
    if following is None or following.tag != f"{W}p":
        return False
    style = _child(following, "pPr", "pStyle")
    return _child(following, "pPr", "keepNext") is not None or (
        style is not None and _is_heading_style(style.get(f"{W}val") or ""))


# A paragraph of no height and no text, its mark hidden (Word shows nothing of it).
_SPACER = (
    f'<w:p xmlns:w="{W[1:-1]}"><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
    '<w:rPr><w:vanish/><w:sz w:val="2"/></w:rPr></w:pPr></w:p>'
)


def _keep_headings_with_text(root) -> None:
    """A hidden, empty paragraph before each heading that follows running text.

    LibreOffice leaves a heading with keep-with-next at the foot of a page, its text on the
    next, when the heading follows a paragraph directly (a list item, a paragraph of text);
    with any paragraph between the two it keeps them together, as Word does anyway. The
    paragraph is empty, has no height and a hidden mark: nothing shows, in Word either.
    """
    spacer = None
    after_text = False  # the element before is a paragraph of text (not a heading, not a spacer)
    for element in list(root):
        if element.tag != _P:
            after_text = False
            continue
        heading = _is_heading(element)
        if heading and after_text:
            if spacer is None:
                # Here, not at the top: importing tablefit stays free (lxml is loaded by the
                # renderer that calls this anyway).
                from lxml import etree

                spacer = etree.fromstring(_SPACER)
            element.addprevious(copy.deepcopy(spacer))
        after_text = not heading and not _is_spacer(element)


def _is_heading(paragraph) -> bool:
    style = _child(paragraph, "pPr", "pStyle")
    return style is not None and _is_heading_style(style.get(f"{W}val") or "")


@lru_cache(maxsize=256)
def _is_heading_style(style_id: str) -> bool:
    return bool(_HEADING_STYLE.match(style_id))


def _is_spacer(paragraph) -> bool:
    return len(paragraph) == 1 and _child(paragraph, "pPr", "rPr", "vanish") is not None


def _cant_split(row) -> None:
    # trPr's children are a choice in any order; trPr itself comes after tblPrEx.
    trpr = _child(row, "trPr")
    if trpr is None:
        trpr = row.makeelement(f"{W}trPr", {})
        row.insert(1 if _child(row, "tblPrEx") is not None else 0, trpr)
    if _child(trpr, "cantSplit") is None:
        trpr.append(trpr.makeelement(f"{W}cantSplit", {}))


# Schema order of the pPr children that may come before keepNext.
_BEFORE_KEEP_NEXT = {f"{W}pStyle"}


def _keep_with_next(paragraph) -> None:
    ppr = _child(paragraph, "pPr")
    if ppr is None:
        ppr = paragraph.makeelement(f"{W}pPr", {})
        paragraph.insert(0, ppr)
    elif _child(ppr, "keepNext") is not None:
        return
    first = ppr[0] if len(ppr) else None
    ppr.insert(1 if first is not None and first.tag in _BEFORE_KEEP_NEXT else 0, ppr.makeelement(f"{W}keepNext", {}))


# Schema order of the pPr children that come before suppressAutoHyphens.
_BEFORE_SUPPRESS_AUTO_HYPHENS = {
    f"{W}{name}" for name in (
        "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
        "suppressLineNumbers", "pBdr", "shd", "tabs",
    )
}


def _allow_hyphenation(paragraph) -> None:
    """Automatic hyphenation on in *paragraph*, whatever its style says."""
    ppr = _child(paragraph, "pPr")
    if ppr is None:
        ppr = paragraph.makeelement(f"{W}pPr", {})
        paragraph.insert(0, ppr)
    suppress = _child(ppr, "suppressAutoHyphens")
    if suppress is None:
        suppress = ppr.makeelement(f"{W}suppressAutoHyphens", {})
        position = sum(1 for el in ppr if el.tag in _BEFORE_SUPPRESS_AUTO_HYPHENS)
        ppr.insert(position, suppress)
    suppress.set(f"{W}val", "0")
