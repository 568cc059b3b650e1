"""The document built from the kind: its sections in order, with their headings, and each
question shown by its type; the Word template is only the letterhead around it.

Like pandoc with a reference document: the content comes from the structure (the kind's
YAML and the answers), the look from the letterhead's styles (Title, Subtitle, Heading 1-3,
List Bullet, Table Grid, looked up by name, so a letterhead saved by a Danish Word, whose
style ids read "Overskrift1", works too), its page set-up, header and footer.

- A section shows its heading and its parts only when some part has content; the answer
  file may rename a heading (``overskrifter``), reorder sections (``orden``) and give the
  document its own title (``titel``).
- A question is shown by its ``show``: ``paragraphs``, ``bullets``, ``table`` (records, a
  header row that repeats), ``lines`` (records as bullet lines, optionally under a label
  per ``group_by`` value), ``fact`` (a label-value line; in a ``cover`` section, in the
  facts block under the title) or ``none`` (used in a title or sentence only).
- Fixed sentences are the kind's text with ``{section.question}`` placeholders: shown only
  when every placeholder has a value; ``[...]`` is a part kept only when its placeholders
  have values; ``**...**`` is bold; a list of texts means the first that can be shown.

Answer values are data: they are only ever XML-escaped text in a run, never markup or code.
"""

from __future__ import annotations

import re
from typing import Any

from drafter.plain import Plain
from drafter.questionnaire import (
    BODY_CONTEXT_KEY as CONTEXT_KEY,
    PLACEHOLDER,
    Question,
    Questionnaire,
    Section,
    default_show,
    text_alternatives,
)

PARAGRAPH_BREAK = "\a"  # how the context joins the paragraphs of a `paragraphs` answer
TEXT_WIDTH_TWIPS = 9071  # 16 cm: A4 with 2.5 cm margins, the letterhead's text width
FACT_LABEL_TWIPS = 2041  # 3.6 cm
HEADER_FILL = "DCE6EA"


class Block(Plain):
    """One piece of the body: a heading, a paragraph, a bullet, a fact line or a table."""

    __slots__ = ("kind", "runs", "level", "keep_with_next", "page_break_before", "header", "rows", "widths")
    kind: str  # "heading" | "paragraph" | "bullet" | "fact" | "table"
    runs: list[tuple[str, bool]]  # (text, bold)
    level: int  # headings
    keep_with_next: bool
    page_break_before: bool
    header: list[str]  # tables
    rows: list[list[str]]
    widths: list[int]  # twips

    def __init__(self, kind: str, runs: list[tuple[str, bool]] | None = None, level: int = 0,
                 keep_with_next: bool = False, page_break_before: bool = False, header: list[str] | None = None,
                 rows: list[list[str]] | None = None, widths: list[int] | None = None):
        self.kind = kind
        self.runs = [] if runs is None else runs
        self.level = level
        self.keep_with_next = keep_with_next
        self.page_break_before = page_break_before
        self.header = [] if header is None else header
        self.rows = [] if rows is None else rows
        self.widths = [] if widths is None else widths

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.runs)


class DocumentModel(Plain):
    __slots__ = ("title", "subtitle", "facts", "body")
    title: str
    subtitle: str
    facts: list[Block]
    body: list[Block]

    def __init__(self, title: str, subtitle: str, facts: list[Block], body: list[Block]):
        self.title = title
        self.subtitle = subtitle
        self.facts = facts
        self.body = body


class Layout:
    """What the context carries for the letterhead: the kind and the answer file's own
    title, headings and order. The body itself is built from the context when a document
    is rendered, so a context whose answers were replaced (import's markers) gets its body."""

    __slots__ = ("questionnaire", "titel", "overskrifter", "orden")

    def __init__(self, questionnaire: Questionnaire, data: dict | None = None):
        data = data or {}
        self.questionnaire = questionnaire
        self.titel = data.get("titel") if isinstance(data.get("titel"), str) else None
        self.overskrifter = dict(data.get("overskrifter") or {}) if isinstance(data.get("overskrifter"), dict) else {}
        self.orden = [k for k in data.get("orden") or [] if isinstance(k, str)] if isinstance(data.get("orden"), list) else []

    def __deepcopy__(self, memo):  # the kind is shared, never changed
        return self

    def kind_title(self, context: dict) -> str:
        """The title the kind gives these answers (its cover's), which an empty `titel` leaves."""
        return _plain(first_text(self.questionnaire.cover.get("title"), _Values(context))) or self.questionnaire.name


# -- placeholders ------------------------------------------------------------------------

def _has_value(value: Any) -> bool:
    return value not in (None, "", [], False, {})


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if _has_value(v))
    return "" if value is None or value is False else str(value)


_FILTERS = {
    "stort": lambda s: s[:1].upper() + s[1:],
    "lille": lambda s: s[:1].lower() + s[1:],
    "tankestreg": lambda s: s.replace("-", "–"),
}


class _Values:
    """Looks a placeholder's path up in the context (and in one record's fields)."""

    def __init__(self, context: dict, record: dict | None = None):
        self.context, self.record = context, record

    def get(self, path: str) -> Any:
        if self.record is not None and "." not in path:
            return self.record.get(path)
        value: Any = self.context
        for part in path.split("."):
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value


def _substitute(text: str, values: _Values) -> str | None:
    """*text* with its placeholders filled; None when one of them has no value."""
    missing = False

    def fill(match: re.Match) -> str:
        nonlocal missing
        value = values.get(match.group(1))
        if not _has_value(value):
            missing = True
            return ""
        shown = _as_text(value)
        for name in filter(None, match.group(2).split("|")):
            shown = _FILTERS[name](shown)
        return shown

    out = PLACEHOLDER.sub(fill, text)
    return None if missing else out


_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")


def _fill_segment(text: str, values: _Values) -> str | None:
    pieces, pos = [], 0
    for match in _OPTIONAL.finditer(text):
        pieces.append((text[pos:match.start()], False))
        inner = match.group(1)
        pieces.append((inner, True) if PLACEHOLDER.search(inner) else (match.group(0), False))
        pos = match.end()
    pieces.append((text[pos:], False))
    out = []
    for piece, optional in pieces:
        filled = _substitute(piece, values)
        if filled is None:
            if optional:
                continue
            return None
        out.append(filled)
    return "".join(out)


def fill_text(template: str, values: _Values) -> list[tuple[str, bool]] | None:
    """The runs of one text of the kind (bold where ``**`` says), or None when it cannot
    be shown. The markup is read from the kind's text before any answer goes in."""
    runs = []
    for i, segment in enumerate(template.split("**")):
        filled = _fill_segment(segment, values)
        if filled is None:
            return None
        if filled:
            runs.append((filled, i % 2 == 1))
    return runs if any(text.strip() for text, _ in runs) else None


def _matches(when: dict, values: _Values) -> bool:
    for path, expected in when.items():
        shown = _as_text(values.get(path))
        wanted = expected if isinstance(expected, list) else [expected]
        if shown not in [str(w) for w in wanted]:
            return False
    return True


def first_text(spec: Any, values: _Values) -> list[tuple[str, bool]] | None:
    """The first of *spec*'s alternatives that can be shown (see the module's docstring)."""
    for text, when in text_alternatives(spec):
        if when and not _matches(when, values):
            continue
        runs = fill_text(text, values)
        if runs is not None:
            return runs
    return None


def _plain(runs: list[tuple[str, bool]] | None) -> str:
    return "".join(text for text, _ in runs or [])


# -- the model ---------------------------------------------------------------------------

def build(layout: Layout, context: dict) -> DocumentModel:
    """The document of *context*'s answers, as the kind (and the answer file) lay it out."""
    q = layout.questionnaire
    values = _Values(context)
    title = layout.titel or layout.kind_title(context)
    subtitle = _plain(first_text(q.cover.get("subtitle"), values))
    facts: list[Block] = []
    front: list[Block] = []
    for section in q.sections:
        if section.cover:
            for block in _section_parts(section, context, 1):
                (facts if block.kind == "fact" else front).append(block)
    body = list(front)
    ordered = q.body_sections(layout.orden)
    number = 0
    for section in ordered:
        parts = _section_parts(section, context, 1)
        if not parts:
            continue
        heading = layout.overskrifter.get(section.key) or section.title
        if section.number is not None:
            number = number + 1 if layout.orden else section.number
            heading = f"{number}. {heading}"
        body.append(Block("heading", [(heading, False)], level=1, page_break_before=section.page_break_before))
        body.extend(parts)
    return DocumentModel(title, subtitle, facts, body)


def _section_parts(section: Section, context: dict, level: int) -> list[Block]:
    values = _Values(context)
    answers = context.get(section.key) or {}
    blocks: list[Block] = []
    questions = {q.key: q for q in section.questions}
    placed = set()
    for part in section.parts or []:
        if isinstance(part, str):
            if part in questions:
                placed.add(part)
                blocks.extend(_question_blocks(questions[part], answers.get(part), context, level))
        else:
            runs = first_text(part, values)
            if runs:
                blocks.append(Block("paragraph", runs))
    for question in section.questions:
        if question.key not in placed:
            blocks.extend(_question_blocks(question, answers.get(question.key), context, level))
    return blocks


def _question_blocks(question: Question, value: Any, context: dict, level: int) -> list[Block]:
    show = question.show or default_show(question)
    values = _Values(context)
    content: list[Block] = []
    if show == "none" or not _has_value(value):
        return []
    if show == "fact":
        shown = first_text(question.value, values) if question.value else [(_as_text(value), False)]
        if not shown:
            return []
        label = _plain(first_text(question.fact_label, values)) or question.label or question.prompt
        return [Block("fact", [(label, True), *shown])]
    if show == "paragraphs":
        items = value if isinstance(value, list) else str(value).split(PARAGRAPH_BREAK)
        content = [Block("paragraph", [(text, False)]) for text in items if str(text).strip()]
    elif show == "bullets" or (show == "lines" and question.type == "list"):
        if question.type == "records":
            content = [Block("bullet", _record_line(question, entry, context)) for entry in value]
        else:
            content = [Block("bullet", [(str(item), False)]) for item in value]
        content = [b for b in content if b.runs]
    elif show == "lines":
        content = _lines(question, value, context, level + (2 if question.heading else 1))
    elif show == "table":
        content = [_table(question, value)]
    if not content:
        return []
    out = []
    if question.heading:
        heading = first_text(question.heading, values)
        if heading:
            out.append(Block("heading", heading, level=level + 1))
    if question.lead:
        lead = first_text(question.lead, values)
        if lead:
            out.append(Block("paragraph", lead, keep_with_next=True))
    return out + content


def _record_line(question: Question, entry: dict, context: dict) -> list[tuple[str, bool]]:
    if question.line:
        return first_text(question.line, _Values(context, entry)) or []
    return [(", ".join(_as_text(entry.get(f.key)) for f in question.fields if _has_value(entry.get(f.key))), False)]


def _lines(question: Question, entries: list, context: dict, label_level: int) -> list[Block]:
    """Records as bullet lines; with ``group_by``, consecutive lines of one value share a
    label (a heading one level down) and keep together on a page."""
    blocks: list[Block] = []
    group = question.group_by
    previous: Any = object()
    for i, entry in enumerate(entries):
        runs = _record_line(question, entry, context)
        if not runs:
            continue
        if group:
            label = _as_text(entry.get(group))
            if label != previous and label:
                blocks.append(Block("heading", [(label, False)], level=label_level))
            previous = label
            following = entries[i + 1] if i + 1 < len(entries) else None
            keep = following is not None and _as_text(following.get(group)) == label
            blocks.append(Block("bullet", runs, keep_with_next=keep))
        else:
            blocks.append(Block("bullet", runs))
    return blocks


def table_columns(question: Question) -> list[tuple[str, str, float | None]]:
    """(field key, header, width in cm or None) of each column of a records table."""
    columns = []
    for column in question.columns or [f.key for f in question.fields]:
        key = column if isinstance(column, str) else column["key"]
        field_ = question.field_named(key)
        header = (column.get("header") if isinstance(column, dict) else None) or field_.label or field_.prompt
        width = column.get("width") if isinstance(column, dict) else None
        columns.append((key, header, width))
    return columns


def _table(question: Question, entries: list) -> Block:
    columns = table_columns(question)
    given = [w for _, _, w in columns if w]
    free = TEXT_WIDTH_TWIPS - int(sum(given) * 567)
    unsized = sum(1 for _, _, w in columns if not w) or 1
    widths = [int(w * 567) if w else max(567, free // unsized) for _, _, w in columns]
    rows = [[_as_text((entry or {}).get(key)) for key, _, _ in columns] for entry in entries]
    return Block("table", header=[h for _, h, _ in columns], rows=rows, widths=widths)


def used_paths(questionnaire: Questionnaire) -> set[str]:
    """Every question (and records field) the body shows or a text of the kind names."""
    used: set[str] = set()

    def names(spec: Any, record: Question | None = None) -> None:
        for text, when in text_alternatives(spec):
            used.update(when)
            for match in PLACEHOLDER.finditer(text):
                path = match.group(1)
                used.add(f"{record.path}.{path}" if record is not None and "." not in path else path)

    names(questionnaire.cover.get("title"))
    names(questionnaire.cover.get("subtitle"))
    for section in questionnaire.sections:
        for part in section.parts or []:
            if not isinstance(part, str):
                names(part)
        for question in section.questions:
            show = question.show or default_show(question)
            names(question.heading)
            names(question.lead)
            names(question.value)
            names(question.fact_label)
            names(question.line, question)
            if show == "none":
                continue
            used.add(question.path)
            if question.type == "records":
                if show == "table":
                    used.update(f"{question.path}.{key}" for key, _, _ in table_columns(question))
                elif not question.line:
                    used.update(f"{question.path}.{f.key}" for f in question.fields)
                if question.group_by:
                    used.add(f"{question.path}.{question.group_by}")
    return used


# -- OOXML -------------------------------------------------------------------------------

def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Built-in style names (as Word stores them in w:name) -> the id python-docx's own use.
STYLE_NAMES = {
    "heading 1": "Heading1", "heading 2": "Heading2", "heading 3": "Heading3", "heading 4": "Heading4",
    "List Bullet": "ListBullet", "Table Grid": "TableGrid",
}


def style_ids(styles_xml: bytes | None) -> dict[str, str]:
    """Style name -> style id in a letterhead's styles.xml (a Danish Word writes
    "Overskrift1" for "heading 1"); the names the body needs that it lacks are left out."""
    found: dict[str, str] = {}
    if not styles_xml:
        return found
    text = styles_xml.decode("utf-8", "replace")
    for match in re.finditer(r"<w:style\b([^>]*)>(.*?)</w:style>", text, re.S):
        style_id = re.search(r'w:styleId="([^"]*)"', match.group(1))
        name = re.search(r'<w:name w:val="([^"]*)"', match.group(2))
        if style_id and name:
            lowered = {n.lower(): n for n in STYLE_NAMES}
            key = lowered.get(name.group(1).lower())
            if key and key not in found:
                found[key] = style_id.group(1)
    return found


def _runs(runs: list[tuple[str, bool]]) -> str:
    return "".join(
        f'<w:r>{"<w:rPr><w:b/></w:rPr>" if bold else ""}<w:t xml:space="preserve">{_escape(text)}</w:t></w:r>'
        for text, bold in runs if text
    )


def _paragraph(block: Block, style: str | None, extra: str = "") -> str:
    props = ""
    if style:
        props += f'<w:pStyle w:val="{_escape(style)}"/>'
    if block.keep_with_next:
        props += "<w:keepNext/>"
    if block.page_break_before:
        props += "<w:pageBreakBefore/>"
    props += extra
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{_runs(block.runs)}</w:p>"


def _fact(block: Block, last: bool, last_spacing: int) -> str:
    label, *value = block.runs
    spacing = last_spacing if last else 80
    props = (
        ("" if last else "<w:keepNext/>")
        + f'<w:tabs><w:tab w:val="left" w:pos="{FACT_LABEL_TWIPS}"/></w:tabs>'
        + f'<w:spacing w:after="{spacing}"/><w:ind w:left="{FACT_LABEL_TWIPS}" w:hanging="{FACT_LABEL_TWIPS}"/>'
    )
    return f"<w:p><w:pPr>{props}</w:pPr>{_runs([label])}<w:r><w:tab/></w:r>{_runs(value)}</w:p>"


def _cell(text: str, width: int, header: bool, style: str | None) -> str:
    shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>' if header else ""
    run = _runs([(text, header)]) if text else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>'
        f'<w:p><w:pPr><w:spacing w:after="40"/></w:pPr>{run}</w:p></w:tc>'
    )


def _table_xml(block: Block, styles: dict[str, str]) -> str:
    style = styles.get("Table Grid")
    props = (
        (f'<w:tblStyle w:val="{_escape(style)}"/>' if style else "")
        + '<w:tblW w:w="0" w:type="auto"/><w:jc w:val="left"/>'
        + ("" if style else _GRID_BORDERS)
        + '<w:tblLayout w:type="fixed"/>'
        + '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="90" w:type="dxa"/>'
        + '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="90" w:type="dxa"/></w:tblCellMar>'
        + '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
    )
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in block.widths)
    header = "".join(_cell(text, w, True, style) for text, w in zip(block.header, block.widths))
    rows = [f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{header}</w:tr>"]
    for row in block.rows:
        cells = "".join(_cell(text, w, False, style) for text, w in zip(row, block.widths))
        rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
    # A table is followed by a paragraph in Word; an empty one keeps two tables apart.
    return f"<w:tbl><w:tblPr>{props}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


_GRID_BORDERS = "<w:tblBorders>" + "".join(
    f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
    for side in ("top", "left", "bottom", "right", "insideH", "insideV")
) + "</w:tblBorders>"


def to_ooxml(blocks: list[Block], styles: dict[str, str], facts_block: bool = False) -> str:
    """The body's blocks as WordprocessingML paragraphs and tables, in *styles*' ids. The
    facts block under the title ends with more space than fact lines in the body."""
    out = []
    for i, block in enumerate(blocks):
        if block.kind == "heading":
            level = min(block.level, 4)
            out.append(_paragraph(block, styles.get(f"heading {level}")))
        elif block.kind == "paragraph":
            out.append(_paragraph(block, None))
        elif block.kind == "bullet":
            out.append(_paragraph(block, styles.get("List Bullet")))
        elif block.kind == "fact":
            last = i + 1 == len(blocks) or blocks[i + 1].kind != "fact"
            out.append(_fact(block, last, 360 if facts_block else 120))
        elif block.kind == "table":
            if out and out[-1].startswith("<w:tbl>"):
                out.append("<w:p/>")
            out.append(_table_xml(block, styles))
    return "".join(out)
