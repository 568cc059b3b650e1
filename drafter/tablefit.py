"""Tables in a rendered document fitted to what they hold.

A template's table has fixed column widths, but only the answers say how long the words
in a column are: a fixed 4 cm column broke "Patientinddragelsesudvalget" in the middle in
LibreOffice and Word alike. After rendering, each fixed-layout table gets

- its empty columns left out: a column with a heading and no value in any row (no member
  has a role) says nothing;
- column widths from its content: every column at least as wide as its longest word,
  the rest of the width shared as the template's widths share it;
- when short, the rows kept on one page (Word's and LibreOffice's "keep with next" on
  every row but the last), as a reader expects a table of a few milestones to be.

Widths are measured with Calibri's advance widths (Carlito, LibreOffice's stand-in, has
the same metrics), so the result is the same on every machine, with or without fonts.
"""

from __future__ import annotations

import re
from functools import lru_cache

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# Tables of at most this many rows (header included) are kept on one page.
SHORT_TABLE_ROWS = 8

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
    """Fit every fixed-layout table in the document tree *root* (an lxml element)."""
    for table in list(root.iter(f"{W}tbl")):
        if _is_simple_grid(table):
            _drop_empty_columns(table)
            _fit_widths(table)
        _keep_short_table_together(table)


def _child(element, *tags):
    """element/tag1/tag2... by direct child lookups, or None."""
    # iterchildren(tag=...) filters in C; find() goes through ElementPath, many times slower.
    for tag in tags:
        if element is None:
            return None
        element = next(element.iterchildren(W + tag), None)
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


def _fit_widths(table) -> None:
    columns = _grid_cols(table)
    preferred = [_twips(col) for col in columns]
    total = sum(preferred)
    if total <= 0:
        return
    margins = _cell_margins(table)
    needed = [0.0] * len(columns)
    for row in _rows(table):
        header = _is_header(row)
        for c, cell in enumerate(_cells(row)):
            needed[c] = max(needed[c], _longest_word(cell, bold_row=header) + margins)
    if all(n <= p for n, p in zip(needed, preferred)):
        return
    if sum(needed) >= total:
        # Not every word can fit: share the width in proportion to the needs.
        widths = [total * n / sum(needed) for n in needed]
    else:
        widths = _widen(preferred, needed, total)
    _set_widths(table, widths)


def _widen(preferred: list[float], needed: list[float], total: float) -> list[float]:
    """Each column at least its need; what is left shared as *preferred* shares it."""
    fixed: set[int] = set()
    while True:
        free = total - sum(needed[c] for c in fixed)
        flexible = [c for c in range(len(preferred)) if c not in fixed]
        weight = sum(preferred[c] for c in flexible)
        if weight <= 0:  # never expected (see _fit_widths), but never a division by zero
            return [total * n / sum(needed) for n in needed]
        widths = [needed[c] if c in fixed else free * preferred[c] / weight for c in range(len(preferred))]
        short = [c for c in flexible if widths[c] < needed[c]]
        if not short:
            return widths
        fixed.update(short)


def _longest_word(cell, bold_row: bool) -> float:
    longest = 0.0
    for run in cell.iter(f"{W}r"):
        text = "".join(t.text or "" for t in run.iter(f"{W}t"))
        if not text:
            continue
        size, bold = _run_font(run)
        bold = bold or bold_row
        widest = max(_word_units(piece) for word in text.split() for piece in _BREAK_AFTER.split(word)) if text.strip() else 0
        longest = max(longest, widest * (_BOLD if bold else 1.0) * _SAFETY * size * 10 / _EM)  # half-points -> twips
    # A word split over several runs is measured per run: templates put a value in one run.
    return longest


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


def _keep_short_table_together(table) -> None:
    rows = _rows(table)
    if len(rows) > SHORT_TABLE_ROWS:
        return
    for row in rows[:-1]:
        for paragraph in row.iter(f"{W}p"):
            _keep_with_next(paragraph)


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
