"""`drafter import`: a chair's edits in a drafter-made Word document brought back into the answers.

A three-way merge. The *base* is the answers the document was made from: drafter records
them in the document's custom properties when it renders (drafter.stamp.base_properties),
and Word and LibreOffice keep those through a save. *Theirs* is the chair's document, read
back into answers against a render of the base. *Mine* is the answer file now. An answer
only the chair changed is taken; one only the secretariat changed since is kept; one both
changed is a conflict, shown side by side and never applied without a person's choice. A
document from an older drafter has no base: it is compared with the answer file as it is
now, and nothing is changed without a yes per answer.

How the answers are found in a document after Word has been at it: the base is rendered
twice with the same template, once as it is and once with every answer that prints as text
replaced by a marker (``\\ue000N\\ue001``, private-use characters no one types). The second
render says, for each paragraph and table row of the first, which answers stand in it and
what fixed text surrounds them. The chair's document is aligned with the first render unit
by unit (a unit is a paragraph or a table row, read by drafter.wordread). Table rows and
list items are matched by content, not by position: a moved row is an order change, a
deleted row a removed record, a row typed into a table a new record. A changed paragraph is
read back through its pattern; where several answers share a paragraph, the reading that
leaves unchanged answers unchanged is preferred, and where more than one reading remains it
is listed, not applied. What cannot be placed (new text between sections, changed fixed text)
is listed with its place, never dropped silently.
"""

from __future__ import annotations

import copy
import difflib
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drafter import wordread
from drafter.answers import Answers
from drafter.dates import parse_date
from drafter.errors import DrafterError
from drafter.problems import Problem, display_path as field_name
from drafter.questionnaire import Question, split_paragraphs
from drafter.render import PARAGRAPH_BREAK, build_context, document_properties, renderer_for
from drafter.validate import validate
from drafter.wordread import Unit, WordFileError, WordPackage, read_word_file

_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_MAX_READINGS = 64
_MAX_MARKERS_IN_CELL = 60
_ALIKE = 0.5  # word similarity at which a changed row or paragraph is the same one edited


class ImportProblem(DrafterError):
    """A document that cannot be read back into answers."""

    exit_code = 2


@dataclass(frozen=True)
class Slot:
    """Where one marker's text goes in the answers."""

    path: tuple  # ("formaal", "tekst") / ("opgaver", "opgaver", 2) / ("formandskab", "medlemmer", 1, "titel")
    question: Question
    part: int | None = None  # which paragraph of a `paragraphs` answer
    shown: str = ""  # the text the document shows for it


@dataclass
class Change:
    """One answer (a whole question's value) as it was and as it becomes."""

    path: tuple  # (section, question)
    question: Question
    old: Any
    new: Any


@dataclass
class Conflict:
    """An answer both the chair (in the document) and the secretariat (in the file) changed."""

    path: tuple
    question: Question
    base: Any  # when the document was made
    mine: Any  # the answer file now
    theirs: Any  # the chair's document


@dataclass
class Unplaced:
    """Text in the document that belongs to no answer, or cannot be read safely."""

    where: str  # 'efter "<the paragraph before>"', 'i "<the question>"', 'ved "<the text commented>"'
    text: str
    what: str  # "nyt afsnit", "ændret fast tekst", "slettet fast tekst", "flere mulige læsninger", ...


@dataclass
class ImportResult:
    values: dict  # the answers to save: the answer file now with the chair's changes taken
    changes: list[Change] = field(default_factory=list)  # old = the answer file now, new = the chair's
    conflicts: list[Conflict] = field(default_factory=list)
    kept: list[Change] = field(default_factory=list)  # changed in the file since; old = base, new = file
    unplaced: list[Unplaced] = field(default_factory=list)
    formatting: list[tuple[str, str]] = field(default_factory=list)  # (where, what) formatting not kept
    tracked: int = 0  # tracked changes found (read as accepted)
    has_base: bool = True  # False: an older drafter's document, compared with the file as it is now


# -- the marked context ------------------------------------------------------------------

def _marked_value(question: Question, value: Any, path: tuple, slots: list[Slot], rendered: Any) -> Any:
    """*rendered* (the context value) with its printable text replaced by markers."""

    def marker(slot: Slot) -> str:
        slots.append(slot)
        return f"{_OPEN}{len(slots) - 1}{_CLOSE}"

    if value is None or value == "" or value == []:
        return rendered
    if question.type == "records":
        return [
            {f.key: _marked_value(f, (entry or {}).get(f.key), path + (i, f.key), slots, shown.get(f.key))
             for f in question.fields}
            for i, (entry, shown) in enumerate(zip(value, rendered))
        ]
    if question.type == "list":
        return [marker(Slot(path + (i,), question, None, str(rendered[i]))) for i in range(len(value))]
    if question.type == "paragraphs":
        parts = split_paragraphs(value)
        return PARAGRAPH_BREAK.join(marker(Slot(path, question, i, parts[i])) for i in range(len(parts)))
    if question.type in ("text", "date") or (question.type == "choice" and question.allow_other):
        return marker(Slot(path, question, None, str(rendered)))
    return rendered  # yes/no and fixed choices: templates compare them, so they stay


def marked_context(answers) -> tuple[dict, list[Slot]]:
    context = build_context(answers)
    slots: list[Slot] = []
    marked = copy.deepcopy(context)
    for section in answers.questionnaire.sections:
        if section.key not in marked:
            continue
        values = answers.values.get(section.key, {})
        for q in section.questions:
            if q.key in marked[section.key]:
                marked[section.key][q.key] = _marked_value(
                    q, values.get(q.key), (section.key, q.key), slots, context[section.key][q.key]
                )
    return marked, slots


# -- readings of one text through a pattern ------------------------------------------------

def readings(marked: str, text: str) -> list[dict[int, str]] | None:
    """Every way *text* fits the pattern *marked* (fixed text kept, an answer in each
    marker's place), as {slot: text}; None when there are too many to weigh."""
    pieces = _MARKER.split(marked)
    fixed, ids = pieces[0::2], [int(m) for m in pieces[1::2]]
    if not ids:
        return [{}] if text == marked else []
    if len(ids) > _MAX_MARKERS_IN_CELL:
        return None
    head, tail = fixed[0], fixed[-1]
    if len(text) < len(head) + len(tail) or not text.startswith(head) or not text.endswith(tail):
        return []
    end = len(text) - len(tail)
    found: list[dict[int, str]] = []
    # Depth-first over the places each separator can stand; a stack, not recursion.
    stack = [(0, len(head), {})]
    while stack:
        k, pos, got = stack.pop()
        if k == len(ids) - 1:
            value = text[pos:end]
            if pos <= end and got.get(ids[k], value) == value:
                found.append({**got, ids[k]: value})
                if len(found) > _MAX_READINGS:
                    return None
            continue
        separator = fixed[k + 1]
        at = pos
        while at <= end:
            at = text.find(separator, at, end) if separator else at
            if at < 0:
                break
            value = text[pos:at]
            if got.get(ids[k], value) == value:
                stack.append((k + 1, at + len(separator), {**got, ids[k]: value}))
                if len(stack) > 4 * _MAX_READINGS + len(ids):
                    return None
            at += 1
    return found


def _words(text: str) -> Counter:
    return Counter(re.findall(r"\w+", text.casefold()))


def best_reading(marked: str, text: str, slots: list[Slot]) -> dict[int, str] | str:
    """The one reading of *text* to take, or why there is none ("ændret fast tekst",
    "flere mulige læsninger"): the reading that leaves most answers as they were wins;
    a tie, or a reading that only moves words from one answer to the next, is not taken."""
    found = readings(marked, text)
    if found is None:
        return "flere mulige læsninger"
    if not found:
        return "ændret fast tekst"

    def unchanged(reading: dict[int, str]) -> int:
        return sum(1 for i, value in reading.items() if value.strip() == slots[i].shown.strip())

    best = max(unchanged(r) for r in found)
    top = {tuple(sorted(r.items())) for r in found if unchanged(r) == best}
    if len(top) > 1:
        return "flere mulige læsninger"
    reading = dict(next(iter(top)))
    changed = [i for i, value in reading.items() if value.strip() != slots[i].shown.strip()]
    if len(changed) > 1 and sum((_words(reading[i]) for i in changed), Counter()) == sum(
            (_words(slots[i].shown) for i in changed), Counter()):
        # The same words, only moved between answers (a separator retyped, ", " to " – "):
        # not an edit of those answers.
        return "flere mulige læsninger"
    return reading


# -- the editor ------------------------------------------------------------------------

def _alike(a: str, b: str) -> float:
    if not a.strip() or not b.strip():
        return 0.0
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def _parse_long_date(text: str) -> str | None:
    try:
        return parse_date(text).isoformat()
    except ValueError:
        return None


def _get(values: dict, path: tuple) -> Any:
    node: Any = values
    for part in path:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            node = (node or {}).get(part) if isinstance(node, dict) or node is None else None
    return node


def _put(values: dict, path: tuple, value: Any) -> None:
    node: Any = values
    for part in path[:-1]:
        node = node.setdefault(part, {}) if not isinstance(part, int) else node[part]
    node[path[-1]] = value


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "…"


@dataclass
class _Group:
    """Consecutive units of the base that show one records or list question, one unit each."""

    question: tuple  # (section, key)
    kind: str  # "records" or "list"
    units: list[int]  # base unit indices
    items: list[int]  # the record or item each shows


class _Reader:
    def __init__(self, answers, slots: list[Slot], marked: list[Unit], base: list[Unit], edited: list[Unit]):
        self.answers = answers
        self.slots = slots
        self.marked = marked
        self.base = base
        self.edited = edited
        self.values = copy.deepcopy(answers.values)
        self.unplaced: list[Unplaced] = []
        self.formatting: list[tuple[str, str]] = []
        self.assigned: dict[tuple, str] = {}
        self.paragraph_edits: dict[tuple, dict[int, str]] = {}
        self.paragraph_inserts: dict[tuple, list[tuple[int, str]]] = {}
        self.list_inserts: dict[tuple, list[tuple[int, str]]] = {}
        self.list_deletes: dict[tuple, set[int]] = {}
        self.record_rows_gone: dict[tuple, set[int]] = {}
        self.group_values: dict[tuple, list] = {}

    # -- what the base shows where
    def markers(self, i: int) -> list[int]:
        return [int(m) for cell in self.marked[i].cells for m in _MARKER.findall(cell)]

    def lone_slot(self, i: int) -> Slot | None:
        unit = self.marked[i]
        found = _MARKER.fullmatch(unit.cells[0]) if unit.kind == "p" else None
        return self.slots[int(found.group(1))] if found else None

    def place(self, i: int) -> str:
        k = min(i, len(self.base)) - 1
        return f'efter "{_clip(self.base[k].text)}"' if k >= 0 else "i begyndelsen af dokumentet"

    def owner(self, i: int) -> tuple | None:
        ids = self.markers(i)
        if not ids:
            return None
        slots = [self.slots[k] for k in ids]
        if all(len(s.path) == 4 for s in slots) and len({s.path[:3] for s in slots}) == 1:
            return ("records", slots[0].path[:2], slots[0].path[2])
        lone = self.lone_slot(i)
        if lone is not None and lone.question.type == "list" and len(lone.path) == 3:
            return ("list", lone.path[:2], lone.path[2])
        return None

    def groups(self) -> list[_Group]:
        out: list[_Group] = []
        elsewhere: Counter = Counter()
        for i in range(len(self.marked)):
            who = self.owner(i)
            if who is None:
                for k in self.markers(i):
                    elsewhere[self.slots[k].path[:2]] += 1
                continue
            kind, question, item = who
            if out and out[-1].question == question and out[-1].units[-1] == i - 1 and item not in out[-1].items:
                out[-1].units.append(i)
                out[-1].items.append(item)
            else:
                out.append(_Group(question, kind, [i], [item]))
        count = Counter(g.question for g in out)
        # A question shown in more than one place, or one record over several units, is read
        # unit by unit instead (positions), as before.
        return [g for g in out if count[g.question] == 1 and not elsewhere[g.question]
                and len(g.items) == len(_get(self.answers.values, g.question) or [])]

    # -- reading one unit against its base
    def read_unit(self, i: int, unit: Unit, columns: list | None = None) -> dict[int, str] | None:
        """The slots' texts in *unit* (the edited counterpart of base unit *i*), or None
        after listing why it cannot be read. *columns*: a table's pattern per column, for
        a cell this row left empty (a role typed into an empty cell)."""
        marked = self.marked[i]
        if unit.kind != marked.kind or len(unit.cells) != len(marked.cells):
            self.unplaced.append(Unplaced(self.place(i), unit.text, "ændret fast tekst"))
            return None
        out: dict[int, str] = {}
        for c, (pattern, text) in enumerate(zip(marked.cells, unit.cells)):
            if columns and not pattern.strip() and text.strip() and columns[c][1]:
                pattern = columns[c][0]
            reading = best_reading(pattern, text, self.slots)
            if isinstance(reading, str):
                self.unplaced.append(Unplaced(self.place(i), unit.text, reading))
                return None
            out.update(reading)
        self.note_formatting(i, unit, out)
        return out

    def note_formatting(self, i: int, unit: Unit, reading: dict[int, str]) -> None:
        extra = unit.formats - self.base[i].formats
        if extra:
            # Each answer as the rest of import names it: its label, then its path.
            named = {field_name(self.slots[k].path): self.slots[k].question for k in reading}
            where = (", ".join(f"{q.short_name} ({path})" for path, q in sorted(named.items()))
                     or f"fast tekst {self.place(i)}")
            note = (where, ", ".join(sorted(extra)))
            if note not in self.formatting:
                self.formatting.append(note)

    def assign(self, reading: dict[int, str]) -> None:
        for index, text in reading.items():
            slot = self.slots[index]
            if slot.question.type == "paragraphs":
                self.paragraph_edits.setdefault(slot.path, {})[slot.part] = text.strip()
            else:
                self.assigned.setdefault(slot.path, text.strip())

    # -- a group: rows and items matched by content
    def read_group(self, group: _Group, edited: list[int]) -> None:
        base_of = dict(zip(group.units, group.items))
        pairs: dict[int, int] = {}  # edited index -> base unit index
        free = list(edited)

        def take(test) -> None:
            for i in group.units:
                if i in pairs.values():
                    continue
                for j in free:
                    if test(i, j):
                        pairs[j] = i
                        free.remove(j)
                        break

        take(lambda i, j: self.edited[j].key == self.base[i].key)
        if group.kind == "records":
            take(lambda i, j: self.edited[j].kind == self.base[i].kind == "row"
                 and len(self.edited[j].cells) == len(self.base[i].cells)
                 and self.edited[j].cells[0].strip().casefold() == self.base[i].cells[0].strip().casefold())
        scores = sorted(((_alike(self.base[i].text, self.edited[j].text), -j, i, j)
                         for i in group.units for j in free), reverse=True)
        for score, _, i, j in scores:
            if score < _ALIKE:
                break
            if j in pairs or i in pairs.values():
                continue
            pairs[j] = i
        question = self.answers.questionnaire.question(".".join(group.question))
        old = _get(self.values, group.question) or []
        new: list = []
        for j in edited:
            unit = self.edited[j]
            if j in pairs:
                i = pairs[j]
                item = copy.deepcopy(old[base_of[i]])
                if unit.key != self.base[i].key:
                    reading = self.read_unit(i, unit, self.column_patterns(group) if unit.kind == "row" else None)
                    if reading is not None:
                        item = self.apply_item(question, item, reading, i, unit)
                new.append(item)
            else:
                made = self.new_item(group, question, unit)
                if made is not None:
                    new.append(made)
        if new != old:
            self.group_values[group.question] = new

    def apply_item(self, question: Question, item: Any, reading: dict[int, str], i: int, unit: Unit) -> Any:
        if question.type == "list":
            return next(iter(reading.values())).strip()
        for index, text in reading.items():
            slot = self.slots[index]
            value = self.field_value(slot.question, text, i, unit)
            if value is not None:
                item[slot.path[3]] = value
        return item

    def field_value(self, question: Question, text: str, i: int, unit: Unit) -> Any:
        text = text.strip()
        if question.type == "date" and text:
            iso = _parse_long_date(text)
            if iso is None:
                self.unplaced.append(Unplaced(self.place(i), unit.text, "dato, der ikke kan læses"))
            return iso
        return text

    def column_patterns(self, group: _Group) -> list[tuple[str, dict[int, str]]] | None:
        """For each cell of the group's units: a marked pattern, and its slots' field keys."""
        width = len(self.marked[group.units[0]].cells)
        columns: list[tuple[str, dict[int, str]] | None] = [None] * width
        for i in group.units:
            unit = self.marked[i]
            if len(unit.cells) != width:
                return None
            for c, cell in enumerate(unit.cells):
                ids = [int(m) for m in _MARKER.findall(cell)]
                if columns[c] is None and ids:
                    columns[c] = (cell, {k: self.slots[k].path[-1] for k in ids})
        return [col if col is not None else ("", {}) for col in columns]

    def new_item(self, group: _Group, question: Question, unit: Unit) -> Any:
        where = self.place(group.units[-1] + 1)
        if group.kind == "list":
            if unit.kind == "p":
                return unit.cells[0].strip()
            self.unplaced.append(Unplaced(where, unit.text, "ny række, der ikke passer"))
            return None
        columns = self.column_patterns(group)
        first = self.marked[group.units[0]]
        if columns is None or unit.kind != first.kind or len(unit.cells) != len(columns):
            self.unplaced.append(Unplaced(where, unit.text, "nyt afsnit"))
            return None
        record: dict[str, Any] = {}
        for (pattern, keys), text in zip(columns, unit.cells):
            if not keys:
                if text.strip():
                    self.unplaced.append(Unplaced(where, unit.text, "tekst i en kolonne uden svar"))
                continue
            found = readings(pattern, text)
            if not found or len(found) != 1:
                self.unplaced.append(Unplaced(where, unit.text, "ny række, der ikke kan læses sikkert"))
                return None
            for index, value in found[0].items():
                field_question = question.field_named(keys[index])
                value = self.field_value(field_question, value, group.units[-1], unit)
                if value:
                    record[keys[index]] = value
        if not record.get(question.fields[0].key):
            self.unplaced.append(Unplaced(where, unit.text, "ny række uden " + question.fields[0].prompt.rstrip("?").lower()))
            return None
        return record

    # -- everything else, unit by unit
    def read_changed(self, olds: list[int], news: list[int], before: int) -> None:
        """A changed stretch: base units *olds* became *news*; *before* is the base unit
        standing before the stretch (-1 at the start)."""
        pairs, oi, nj = [], 0, 0
        while oi < len(olds) and nj < len(news):
            a, b = self.base[olds[oi]], self.edited[news[nj]]
            if a.kind == b.kind and (_alike(a.text, b.text) >= 0.3 or len(olds) - oi == len(news) - nj):
                pairs.append((olds[oi], news[nj]))
                oi, nj = oi + 1, nj + 1
            elif len(olds) - oi > len(news) - nj:
                pairs.append((olds[oi], None))
                oi += 1
            else:
                pairs.append((None, news[nj]))
                nj += 1
        pairs += [(o, None) for o in olds[oi:]] + [(None, n) for n in news[nj:]]
        last = before
        for old_i, new_j in pairs:
            if old_i is not None and new_j is not None:
                last = old_i
                unit = self.edited[new_j]
                if unit.key == self.base[old_i].key:
                    self.note_formatting(old_i, unit, {k: "" for k in self.markers(old_i)})
                    continue
                reading = self.read_unit(old_i, unit)
                if reading is not None:
                    self.assign(reading)
            elif new_j is not None:
                self.read_added(last, self.edited[new_j])
            else:
                last = old_i
                self.read_removed(old_i)

    def read_added(self, last: int, unit: Unit) -> None:
        before = self.lone_slot(last) if last >= 0 else None
        text = unit.cells[0].strip() if unit.kind == "p" else ""
        if before is not None and text and before.question.type == "list":
            self.list_inserts.setdefault(before.path[:-1], []).append((before.path[-1] + 1, text))
        elif before is not None and text and before.question.type == "paragraphs" and len(before.path) == 2:
            self.paragraph_inserts.setdefault(before.path, []).append((before.part + 1, text))
        else:
            self.unplaced.append(Unplaced(self.place(last + 1), unit.text, "nyt afsnit"))

    def read_removed(self, i: int) -> None:
        slot = self.lone_slot(i)
        inside = [self.slots[m] for m in self.markers(i)]
        if slot is not None and slot.question.type == "list":
            self.list_deletes.setdefault(slot.path[:-1], set()).add(slot.path[-1])
        elif slot is not None and slot.question.type == "paragraphs" and len(slot.path) == 2:
            self.paragraph_edits.setdefault(slot.path, {})[slot.part] = ""
        elif inside and all(len(s.path) == 4 for s in inside) and len({s.path[:3] for s in inside}) == 1:
            self.record_rows_gone.setdefault(inside[0].path[:3], set()).add(i)
        else:
            self.unplaced.append(Unplaced(self.place(i), self.base[i].text, "slettet fast tekst"))

    # -- the values
    def apply(self) -> dict:
        values = self.values
        for path, text in self.assigned.items():
            slot = next(s for s in self.slots if s.path == path)
            old = _get(values, path)
            if slot.question.type == "date":
                iso = _parse_long_date(text)
                if iso is None:
                    named = slot.question.short_name
                    self.unplaced.append(Unplaced(f'i "{named}"', text, "dato, der ikke kan læses"))
                    continue
                text = iso
            if text != old:
                _put(values, path, text)
        for path in set(self.paragraph_edits) | set(self.paragraph_inserts):
            parts = split_paragraphs(_get(values, path))
            new_parts = list(parts)
            for index, text in self.paragraph_edits.get(path, {}).items():
                new_parts[index] = text
            for index, text in sorted(self.paragraph_inserts.get(path, []), reverse=True):
                new_parts.insert(index, text)
            new_parts = [p for p in new_parts if p]
            if new_parts != parts:
                _put(values, path, "\n\n".join(new_parts) if new_parts else None)
        for path, inserts in self.list_inserts.items():
            items = list(_get(values, path) or [])
            for index, text in sorted(inserts, reverse=True):
                items.insert(index, text)
            _put(values, path, items)
        for path, gone in self.list_deletes.items():
            _put(values, path, [item for i, item in enumerate(_get(values, path) or []) if i not in gone])
        removed: dict[tuple, set[int]] = {}
        for (section, key, index), gone in self.record_rows_gone.items():
            showing = {i for i in range(len(self.marked))
                       if any(self.slots[m].path[:3] == (section, key, index) for m in self.markers(i))}
            if showing <= gone:
                removed.setdefault((section, key), set()).add(index)
            else:
                for i in sorted(gone):
                    self.unplaced.append(Unplaced(self.place(i), self.base[i].text, "slettet tekst i en tabel"))
        for path, gone in removed.items():
            _put(values, path, [r for i, r in enumerate(_get(values, path) or []) if i not in gone])
        for path, items in self.group_values.items():
            _put(values, path, items)
        return values


def read_edits(answers, renderer, edited: WordPackage) -> tuple[dict, list[Unplaced], list[tuple[str, str]]]:
    """The answers of *answers* (the base) with the chair's edits in *edited*, and what could
    not be placed or kept; see the module's docstring."""
    properties = document_properties(answers)
    base_docx = renderer.render(build_context(answers), properties)
    marked, slots = marked_context(answers)
    marked_docx = renderer.render(marked, properties)
    base = wordread.units(wordread.read_word_bytes(base_docx, "base").body())
    provenance = wordread.units(wordread.read_word_bytes(marked_docx, "base").body())
    if [u.kind for u in base] != [u.kind for u in provenance]:
        raise ImportProblem(Problem(
            "skabelonen viser svarene på en måde, som import ikke kan følge (afsnittene passer ikke sammen)",
            file=str(answers.questionnaire.template_path),
        ))
    units = wordread.units(edited.body())
    reader = _Reader(answers, slots, provenance, base, units)
    matcher = difflib.SequenceMatcher(None, [u.key for u in base], [u.key for u in units], autojunk=False)
    if matcher.ratio() < 0.5 and _text_ratio(base, units) < 0.5:
        raise ImportProblem(Problem(
            "dokumentet ligner ikke et kommissorium lavet ud fra denne svarfil "
            "(er det lavet ud fra en anden svarfil eller en anden type?); angiv den rigtige med --into",
            file=edited.name,
        ))
    opcodes = matcher.get_opcodes()
    same: dict[int, int] = {}
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            same.update(zip(range(i1, i2), range(j1, j2)))
    anchors = sorted(same)
    used_base: set[int] = set()
    used_edited: set[int] = set()
    for group in reader.groups():
        start, end = group.units[0], group.units[-1]
        before = max((a for a in anchors if a < start), default=-1)
        after = min((a for a in anchors if a > end), default=len(base))
        base_span = range(before + 1, after)
        edited_span = list(range(same.get(before, -1) + 1, same.get(after, len(units))))
        if used_base & set(base_span) or used_edited & set(edited_span):
            continue
        # Units of the span that are not the group's (a changed intro line, a heading):
        # peeled off from the span's ends, where they stand.
        head = [i for i in base_span if i < start]
        tail = [i for i in base_span if i > end]
        middle = list(edited_span)
        peeled_head = middle[:len(head)] if all(
            units[j].kind == base[i].kind and _alike(units[j].text, base[i].text) >= 0.3 for i, j in zip(head, middle)
        ) and len(middle) >= len(head) else None
        middle = middle[len(head):] if peeled_head is not None else middle
        peeled_tail = middle[len(middle) - len(tail):] if tail and len(middle) >= len(tail) and all(
            units[j].kind == base[i].kind and _alike(units[j].text, base[i].text) >= 0.3
            for i, j in zip(tail, middle[len(middle) - len(tail):])
        ) else ([] if not tail else None)
        if peeled_head is None or peeled_tail is None:
            continue  # too much changed around it: read unit by unit
        middle = middle[:len(middle) - len(tail)] if tail else middle
        reader.read_changed(head, peeled_head, before)
        reader.read_changed(tail, peeled_tail, end)
        reader.read_group(group, middle)
        used_base.update(base_span)
        used_edited.update(edited_span)
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                if i not in used_base and units[j].formats != base[i].formats:
                    reader.note_formatting(i, units[j], {k: "" for k in reader.markers(i)})
            continue
        olds = [i for i in range(i1, i2) if i not in used_base]
        news = [j for j in range(j1, j2) if j not in used_edited]
        if olds or news:
            reader.read_changed(olds, news, i1 - 1)
    values = reader.apply()
    return values, reader.unplaced, reader.formatting


def _text_ratio(base: list[Unit], units: list[Unit]) -> float:
    a = Counter(w for u in base for w in u.text.split())
    b = Counter(w for u in units for w in u.text.split())
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 1.0


# -- the three-way merge -----------------------------------------------------------------

def _normal(value: Any) -> Any:
    if value in (None, "", []):
        return None
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if _normal(v) is not None}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, str):
        return value.strip()
    return value


def merge(questionnaire, base: dict, mine: dict, theirs: dict) -> tuple[dict, list[Change], list[Conflict], list[Change]]:
    """(values to save, the chair's changes taken, conflicts, the file's own changes kept),
    answer by answer: base = the document's answers, mine = the file now, theirs = the chair's."""
    values = copy.deepcopy(mine)
    taken, conflicts, kept = [], [], []
    for question in questionnaire.questions:
        section, key = question.path.split(".")
        b = (base.get(section) or {}).get(key)
        m = (mine.get(section) or {}).get(key)
        t = (theirs.get(section) or {}).get(key)
        nb, nm, nt = _normal(b), _normal(m), _normal(t)
        if nt == nb or nt == nm:
            if nm != nb:
                kept.append(Change((section, key), question, b, m))
            continue
        if nm != nb:
            merged = _merge_items(question, b or [], m or [], t or []) if question.type in ("records", "list") else None
            if merged is None:
                conflicts.append(Conflict((section, key), question, b, m, t))
                continue
            kept.append(Change((section, key), question, b, m))
            t = merged  # the chair's changes on top of the file's, item by item
        if _normal(t) != nm:
            values.setdefault(section, {})[key] = copy.deepcopy(t)
            if t is None:
                values[section].pop(key, None)
            taken.append(Change((section, key), question, m, t))
    return values, taken, conflicts, kept


def _item_key(question, item: Any) -> str:
    if question.type == "records":
        item = (item or {}).get(question.fields[0].key) if isinstance(item, dict) else None
    return " ".join(str(item or "").split()).casefold()


def _merge_items(question, base: list, mine: list, theirs: list) -> list | None:
    """A list or table both sides changed, merged item by item (items known by their text,
    records by their first field, fields one by one); None where both changed the same item
    or field, or both changed the order."""
    keyed = [{_item_key(question, item): item for item in side} for side in (base, mine, theirs)]
    if any(len(k) != len(side) for k, side in zip(keyed, (base, mine, theirs))):
        return None  # two items alike: not safe to tell apart
    kb, km, kt = keyed
    result: dict[str, Any] = {}
    for key in dict.fromkeys([*km, *kt]):
        b, m, t = kb.get(key), km.get(key), kt.get(key)
        if key in kb and (key not in km or key not in kt):
            survivor = m if key in km else t
            if _normal(survivor) != _normal(b):
                return None  # removed on one side, changed on the other
            continue
        if key not in kb and key in km and key in kt and _normal(m) != _normal(t):
            return None  # added on both sides, differently
        if question.type == "records" and key in kb:
            merged = {}
            for f in question.fields:
                fb, fm, ft = b.get(f.key), m.get(f.key), t.get(f.key)
                if _normal(fm) == _normal(fb):
                    value = ft
                elif _normal(ft) in (_normal(fb), _normal(fm)):
                    value = fm
                else:
                    return None
                if value not in (None, "", []):
                    merged[f.key] = value
            result[key] = merged
        else:
            result[key] = m if key in km else t
    base_order = [k for k in kb if k in result]
    mine_order = [k for k in km if k in result]
    theirs_order = [k for k in kt if k in result]
    if [k for k in mine_order if k in kb] != [k for k in base_order if k in km]:
        leader, other = km, kt  # the file reordered: its order, the chair's additions after their neighbours
        if [k for k in theirs_order if k in kb] != [k for k in base_order if k in kt]:
            return None  # both reordered
    else:
        leader, other = kt, km
    order = [k for k in leader if k in result]
    for key in other:
        if key in result and key not in order:
            before = list(other)[:list(other).index(key)]
            at = max((order.index(k) + 1 for k in before if k in order), default=0)
            order.insert(at, key)
    return [result[k] for k in order]


# -- the command's steps ---------------------------------------------------------------

def read_document(path, drafter_made: bool = True) -> WordPackage:
    """A Word document, checked (drafter.wordread); refuses anything else with a Danish
    message naming the file."""
    try:
        return read_word_file(path, drafter_made)
    except WordFileError as exc:
        raise ImportProblem(exc.problems) from None


def find_answer_file(docx_path, into=None):
    """The answer file a document was made from: --into, else answers/<name>.yaml beside
    the working folder or beside the document's folder (out/ and answers/ are siblings)."""
    if into is not None:
        return Path(into)
    docx_path = Path(docx_path)
    stem = docx_path.stem
    for folder in (Path("answers"), docx_path.parent.parent / "answers", docx_path.parent):
        for suffix in (".yaml", ".yml"):
            candidate = folder / f"{stem}{suffix}"
            if candidate.is_file():
                return candidate
    raise ImportProblem(Problem(f"kan ikke finde svarfilen (answers/{stem}.yaml); angiv den med --into SVARFIL", file=str(docx_path)))


def _base_answers(package: WordPackage, answers):
    """The answers *package* was made from, as Answers of *answers*' kind; None if unknown."""
    recorded = wordread.recorded_base(package)
    if recorded is None:
        return None
    questionnaire = answers.questionnaire
    if recorded.get("kind") != questionnaire.kind:
        raise ImportProblem(Problem(
            f"dokumentet ligner ikke et kommissorium lavet ud fra denne svarfil: det er lavet ud fra en svarfil af "
            f"typen {recorded.get('kind')!r}, og svarfilen er af typen {questionnaire.kind!r}; angiv den rigtige "
            "med --into", file=package.name))
    # The commission's own title, headings and order it was made with (drafter.body).
    layout = recorded.get("layout") if isinstance(recorded.get("layout"), dict) else {}
    data = {"schema_version": recorded.get("schema_version"), **layout, **recorded["values"]}
    values, problems = validate(data, questionnaire)
    if problems:
        data["complete"] = False
        values, problems = validate(data, questionnaire)
        if problems:
            return None  # the kind has changed since: compared as without a base
    answered = [q for q in questionnaire.questions if _normal(_get(values, tuple(q.path.split(".")))) is not None]
    differ = [q for q in answered if _normal(_get(values, tuple(q.path.split(".")))) != _normal(answers.get(q.path))]
    if answered and len(differ) > len(answered) / 2:
        raise ImportProblem(Problem(
            "dokumentet ligner ikke et kommissorium lavet ud fra denne svarfil (over halvdelen af svarene er "
            "andre end dem, dokumentet blev lavet ud fra); angiv den rigtige med --into", file=package.name))
    return Answers(questionnaire, values, data, None, answers.complete)


def read_chair_edits(docx_path, answers) -> ImportResult:
    """The chair's edits in the document at *docx_path*, merged with *answers* (the
    answer file now, loaded and valid)."""
    package = read_document(docx_path)
    try:
        package.body()  # measured and parsed first: a broken file is told before anything is rendered
    except WordFileError as exc:
        raise ImportProblem(exc.problems) from None
    base = _base_answers(package, answers)
    try:
        theirs, unplaced, formatting = read_edits(base or answers, renderer_for(answers.questionnaire.template_path), package)
        tracked = wordread.tracked_count(package)
        notes = wordread.comments(package)
    except WordFileError as exc:
        raise ImportProblem(exc.problems) from None
    base_values = (base or answers).values
    values, taken, conflicts, kept = merge(answers.questionnaire, base_values, answers.values, theirs)
    result = ImportResult(values, taken, conflicts, kept, unplaced, formatting, tracked, has_base=base is not None)
    for note in notes:
        where = f'ved "{_clip(note.anchor)}"' if note.anchor else "i dokumentet"
        result.unplaced.append(Unplaced(where, note.text, f"kommentar i Word fra {_clip(note.author)}" if note.author
                                        else "kommentar i Word"))
    return result


def with_changes(values: dict, chosen: list[tuple[tuple, Any]]) -> dict:
    """*values* with each (path, value) of *chosen* put in (None removes the answer)."""
    out = copy.deepcopy(values)
    for (section, key), value in chosen:
        if value is None:
            (out.get(section) or {}).pop(key, None)
        else:
            out.setdefault(section, {})[key] = copy.deepcopy(value)
    return out


@dataclass
class Imported:
    output: Any  # Path of the document made from the updated answers
    backup: Any = None  # Path of the copy of the chair's file, when it was replaced


def keep_chair_copy(docx_path, target) -> Path | None:
    """When the document about to be made again is the chair's own file (*target* is
    *docx_path*), keep that file as a copy beside it first, so no edit made in Word is lost
    (text that could not be placed is still in the copy). Returns the copy, or None."""
    docx_path, target = Path(docx_path), Path(target)
    if not (target.exists() and target.resolve() == docx_path.resolve()):
        return None
    backup = _free_name(docx_path.with_name(f"{docx_path.stem} (rettet i Word).docx"))
    tmp = backup.with_name(f".{backup.name}.tmp")
    shutil.copyfile(docx_path, tmp)
    tmp.replace(backup)
    return backup


def _free_name(path):
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} {n}{path.suffix}")
        n += 1
    return candidate
