"""`drafter import`: a chair's edits in a drafter-made Word document brought back into the answers.

How drafter finds the answers in a document after Word has been at it: it renders the
answer file twice with the same template, once as it is and once with every answer that
prints as text replaced by a marker (``\\ue000N\\ue001``, private-use characters no one
types). The second render says, for each paragraph of the first, which answers stand in it
and what fixed text surrounds them. The chair's document is then aligned with the first
render paragraph by paragraph; a changed paragraph is read back through its pattern (fixed
text kept, answers in their places), a new paragraph inside a list or a multi-paragraph
answer becomes a new item or paragraph, a deleted row of a table of records removes that
record. What cannot be placed (new text between sections, changed fixed text) is listed
with its place, never dropped silently.

Nothing is marked inside the document itself: Word and LibreOffice keep text, and text is
all this needs, so content controls or bookmarks that Word may drop or split when a chair
retypes a paragraph are not relied on. Tracked changes in the chair's file are read as if
accepted.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from drafter.errors import DrafterError
from drafter.problems import Problem
from drafter.questionnaire import Question, split_paragraphs

_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


class ImportProblem(DrafterError):
    """A document that cannot be read back into answers."""


@dataclass(frozen=True)
class Slot:
    """Where one marker's text goes in the answers."""

    path: tuple  # ("formaal", "tekst") / ("opgaver", "opgaver", 2) / ("formandskab", "medlemmer", 1, "titel")
    question: Question
    part: int | None = None  # which paragraph of a `paragraphs` answer


@dataclass
class Change:
    path: tuple
    question: Question
    old: Any
    new: Any


@dataclass
class Unplaced:
    """Text in the document that belongs to no answer."""

    where: str  # "efter: <the paragraph before>"
    text: str
    what: str  # "nyt afsnit", "ændret fast tekst", "slettet fast tekst"


@dataclass
class ImportResult:
    values: dict  # the answers with the chair's edits
    changes: list[Change] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    tracked: int = 0  # tracked changes found (read as accepted)


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
        return [marker(Slot(path + (i,), question)) for i in range(len(value))]
    if question.type == "paragraphs":
        from drafter.render import PARAGRAPH_BREAK

        return PARAGRAPH_BREAK.join(marker(Slot(path, question, i)) for i in range(len(split_paragraphs(value))))
    if question.type in ("text", "date") or (question.type == "choice" and question.allow_other):
        return marker(Slot(path, question))
    return rendered  # yes/no and fixed choices: templates compare them, so they stay


def marked_context(answers) -> tuple[dict, list[Slot]]:
    from drafter.render import build_context

    context = build_context(answers)
    slots: list[Slot] = []
    marked = copy.deepcopy(context)
    for section in answers.questionnaire.sections:
        values = answers.values.get(section.key, {})
        for q in section.questions:
            marked[section.key][q.key] = _marked_value(
                q, values.get(q.key), (section.key, q.key), slots, context[section.key][q.key]
            )
    return marked, slots


# -- reading the documents ---------------------------------------------------------------

@dataclass
class Para:
    text: str
    deleted_mark: bool = False


def document_paragraphs(docx: bytes, name: str = "dokumentet") -> tuple[list[Para], int]:
    """Every paragraph of the main part (table cells included) as accepted text, and the
    number of tracked changes read."""
    from lxml import etree

    from drafter.docdiff import W, main_part_name, paragraph_text, read_entries

    entries = read_entries(docx)
    try:
        root = etree.fromstring(entries[main_part_name(entries)], etree.XMLParser(resolve_entities=False, huge_tree=False))
    except (KeyError, etree.XMLSyntaxError):
        raise ImportProblem(Problem("dokumentets indhold kan ikke læses (word/document.xml mangler eller er ugyldig)", file=name)) from None
    tracked = sum(1 for _ in root.iter(W + "ins", W + "del", W + "moveFrom", W + "moveTo"))
    out = []
    for p in root.find(W + "body").iter(W + "p"):
        text = paragraph_text(p).replace("\u00a0", " ")
        gone = p.find(f"{W}pPr/{W}rPr/{W}del") is not None
        if gone and not text:
            continue  # a paragraph deleted as a tracked change: accepted, it is not there
        out.append(Para(text, gone))
    return out, tracked


# -- aligning ----------------------------------------------------------------------------

def _pattern(marked: str) -> re.Pattern | None:
    pieces = _MARKER.split(marked)
    if len(pieces) == 1:
        return None
    regex, seen = "", set()
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            regex += re.escape(piece)
        elif piece in seen:  # one answer shown twice in a paragraph: the same text both times
            regex += f"(?P=m{piece})"
        else:
            seen.add(piece)
            regex += f"(?P<m{piece}>.*?)"
    return re.compile(regex + r"\Z", re.S)


def _alike(a: str, b: str) -> bool:
    if not a.strip() or not b.strip():
        return False
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio() >= 0.3


def _parse_long_date(text: str) -> str | None:
    from drafter.dates import parse_date

    try:
        return parse_date(text).isoformat()
    except ValueError:
        return None


class _Editor:
    """Collects the chair's edits as changes to a copy of the answers."""

    def __init__(self, answers, slots: list[Slot]):
        self.answers = answers
        self.values = copy.deepcopy(answers.values)
        self.slots = slots
        self.result = ImportResult(self.values)
        self.assigned: dict[tuple, str] = {}
        self.paragraph_edits: dict[tuple, dict[int, str | None]] = {}
        self.list_inserts: dict[tuple, list[tuple[int, str]]] = {}
        self.list_deletes: dict[tuple, set[int]] = {}
        self.record_deletes: dict[tuple, set[int]] = {}
        self.done: set[tuple] = set()

    def read_slot(self, index: int, text: str) -> None:
        slot = self.slots[index]
        if slot.question.type == "paragraphs":
            self.paragraph_edits.setdefault(slot.path, {})[slot.part] = text.strip()
            return
        self.assigned.setdefault(slot.path, text.strip())

    def apply(self) -> ImportResult:
        for path, text in self.assigned.items():
            slot = next(s for s in self.slots if s.path == path)
            old = _get(self.values, path)
            if slot.question.type == "date":
                iso = _parse_long_date(text)
                if iso is None:
                    self.result.unplaced.append(Unplaced(_label(slot), text, "dato, der ikke kan læses"))
                    continue
                if iso != old:
                    self._set(path, slot.question, old, iso)
            elif text != old:
                self._set(path, slot.question, old, text)
        questions = {s.path if s.question.type == "paragraphs" else s.path[:-1]: s.question for s in self.slots}
        for path in list(self.paragraph_edits) + [p for p in self.list_inserts if questions[p].type == "paragraphs"]:
            if path in self.done:
                continue
            self.done.add(path)
            old = _get(self.values, path)
            parts = split_paragraphs(old)
            new_parts = list(parts)
            for index, text in self.paragraph_edits.get(path, {}).items():
                new_parts[index] = text
            for index, text in sorted(self.list_inserts.get(path, []), key=lambda item: item[0], reverse=True):
                new_parts.insert(index, text)
            new_parts = [p for p in new_parts if p]
            if new_parts != parts:
                self._set(path, questions[path], old, "\n\n".join(new_parts))
        for path, inserts in self.list_inserts.items():
            if path in self.done:
                continue
            old = _get(self.values, path) or []
            items = list(old)
            for index, text in sorted(inserts, key=lambda item: item[0], reverse=True):
                items.insert(index, text)
            self._set(path, questions[path], old, items)
        for path, gone in self.list_deletes.items():
            old = _get(self.values, path)
            self._set(path, questions[path], old, [item for i, item in enumerate(old) if i not in gone])
        for path, gone in self.record_deletes.items():
            old = _get(self.values, path)
            question = self.answers.questionnaire.question(".".join(path))
            self._set(path, question, old, [r for i, r in enumerate(old) if i not in gone])
        return self.result

    def _set(self, path: tuple, question: Question, old: Any, new: Any) -> None:
        _put(self.values, path, new)
        self.result.changes.append(Change(path, question, old, new))


def _label(slot: Slot) -> str:
    from drafter.problems import display_path as field_name

    return field_name(slot.path)


def _get(values: dict, path: tuple) -> Any:
    node: Any = values
    for part in path:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            node = (node or {}).get(part)
    return node


def _put(values: dict, path: tuple, value: Any) -> None:
    node: Any = values
    for part in path[:-1]:
        node = node.setdefault(part, {}) if not isinstance(part, int) else node[part]
    node[path[-1]] = value


def read_edits(answers, renderer, edited_docx: bytes, name: str = "dokumentet") -> ImportResult:
    """The chair's edits in *edited_docx* as changed answers; see the module's docstring."""
    from drafter.render import build_context, document_properties

    properties = document_properties(answers)
    base_docx = renderer.render(build_context(answers), properties)
    marked, slots = marked_context(answers)
    marked_docx = renderer.render(marked, properties)
    base, _ = document_paragraphs(base_docx)
    provenance, _ = document_paragraphs(marked_docx)
    if len(base) != len(provenance):
        raise ImportProblem(Problem(
            "skabelonen viser svarene på en måde, som import ikke kan følge (afsnittene passer ikke sammen)",
            file=str(answers.questionnaire.template_path),
        ))
    edited, tracked = document_paragraphs(edited_docx, name)

    base_texts = [p.text for p in base]
    matcher = difflib.SequenceMatcher(None, base_texts, [p.text for p in edited], autojunk=False)
    if matcher.ratio() < 0.5:
        raise ImportProblem(Problem(
            "dokumentet ligner ikke et kommissorium lavet ud fra denne svarfil "
            "(er det lavet ud fra en anden svarfil eller en anden type?); angiv den rigtige med --into",
            file=name,
        ))
    editor = _Editor(answers, slots)
    editor.result.tracked = tracked

    def place(i: int) -> str:
        for k in range(min(i, len(base_texts)) - 1, -1, -1):
            if base_texts[k].strip():
                return f"efter: {_clip(base_texts[k])}"
        return "i begyndelsen af dokumentet"

    def markers_in(i: int) -> list[int]:
        return [int(m) for m in _MARKER.findall(provenance[i].text)]

    def lone_slot(i: int) -> Slot | None:
        found = _MARKER.fullmatch(provenance[i].text)
        return slots[int(found.group(1))] if found else None

    deleted_records: dict[tuple, set[int]] = {}
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        olds, news = list(range(i1, i2)), list(range(j1, j2))
        # Pair a changed paragraph with its edited self; what is left was added or removed.
        pairs, oi, nj = [], 0, 0
        while oi < len(olds) and nj < len(news):
            if _alike(base_texts[olds[oi]], edited[news[nj]].text) or (op == "replace" and len(olds) == len(news)):
                pairs.append((olds[oi], news[nj]))
                oi, nj = oi + 1, nj + 1
            elif len(olds) - oi > len(news) - nj:
                pairs.append((olds[oi], None))
                oi += 1
            else:
                pairs.append((None, news[nj]))
                nj += 1
        pairs += [(o, None) for o in olds[oi:]] + [(None, n) for n in news[nj:]]
        last_base = i1 - 1
        for old_i, new_j in pairs:
            if old_i is not None and new_j is not None:
                last_base = old_i
                pattern = _pattern(provenance[old_i].text)
                match = pattern.match(edited[new_j].text) if pattern else None
                if match is None:
                    editor.result.unplaced.append(Unplaced(place(old_i), edited[new_j].text, "ændret fast tekst"))
                    continue
                for name, text in match.groupdict().items():
                    editor.read_slot(int(name[1:]), text)
            elif new_j is not None:
                text = edited[new_j].text
                if not text.strip():
                    continue
                before = lone_slot(last_base) if last_base >= 0 else None
                if before is not None and before.question.type == "list":
                    editor.list_inserts.setdefault(before.path[:-1], []).append((before.path[-1] + 1, text.strip()))
                elif before is not None and before.question.type == "paragraphs" and len(before.path) == 2:
                    editor.list_inserts.setdefault(before.path, []).append((before.part + 1, text.strip()))
                else:
                    editor.result.unplaced.append(Unplaced(place(last_base + 1), text, "nyt afsnit"))
            else:
                last_base = old_i
                if not base_texts[old_i].strip():
                    continue
                slot = lone_slot(old_i)
                inside = [slots[m] for m in markers_in(old_i)]
                if slot is not None and slot.question.type == "list":
                    editor.list_deletes.setdefault(slot.path[:-1], set()).add(slot.path[-1])
                elif slot is not None and slot.question.type == "paragraphs" and len(slot.path) == 2:
                    editor.paragraph_edits.setdefault(slot.path, {})[slot.part] = ""
                elif inside and all(len(s.path) == 4 for s in inside):
                    for s in inside:
                        deleted_records.setdefault((s.path[:2], s.path[2]), set()).add(old_i)
                else:
                    editor.result.unplaced.append(Unplaced(place(old_i), base_texts[old_i], "slettet fast tekst"))
    # A record is removed when every paragraph that showed it is gone (its table row).
    for (path, index), gone in deleted_records.items():
        showing = {i for i in range(len(provenance))
                   if any(slots[m].path[:3] == path + (index,) for m in markers_in(i))}
        if showing <= gone:
            editor.record_deletes.setdefault(path, set()).add(index)
        else:
            for i in sorted(gone):
                editor.result.unplaced.append(Unplaced(place(i), base_texts[i], "slettet tekst i en tabel"))
    return editor.apply()


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "…"


# -- the command's steps ---------------------------------------------------------------

def read_document(path, drafter_made: bool = True) -> bytes:
    """A Word document's bytes (one drafter made, unless *drafter_made* is false); refuses
    anything else with a Danish message naming the file."""
    import zipfile
    from pathlib import Path

    from drafter import stamp
    from drafter.fsutil import UnsafeFile, describe_oserror, read_docx_file

    path = Path(path)
    name = str(path)
    try:
        data, entries = read_docx_file(path)
    except FileNotFoundError:
        raise ImportProblem(Problem("filen findes ikke", file=name)) from None
    except UnsafeFile as exc:
        raise ImportProblem(Problem(str(exc), file=name)) from None
    except zipfile.BadZipFile:
        raise ImportProblem(Problem("er ikke et Word-dokument (.docx)", file=name)) from None
    except OSError as exc:
        raise ImportProblem(Problem(f"filen kan ikke læses ({describe_oserror(exc)})", file=name)) from None
    if drafter_made and stamp.HASH_PROPERTY.encode() not in entries.get(stamp.CUSTOM_PART, b""):
        raise ImportProblem(Problem("er ikke lavet af drafter (dokumentet mangler drafters mærke i egenskaberne); "
            "kun dokumenter, som drafter har lavet, kan hentes tilbage i en svarfil", file=name))
    return data


def comments(docx: bytes) -> list[str]:
    """The text of every Word comment in the document (they belong to no answer)."""
    from lxml import etree

    from drafter.docdiff import W, read_entries

    part = read_entries(docx).get("word/comments.xml")
    if not part:
        return []
    root = etree.fromstring(part, etree.XMLParser(resolve_entities=False))
    return [" ".join("".join(c.itertext()).split()) for c in root.findall(W + "comment")]


def find_answer_file(docx_path, into=None):
    """The answer file a document was made from: --into, else answers/<name>.yaml beside
    the working folder or beside the document's folder (out/ and answers/ are siblings)."""
    from pathlib import Path

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


def read_chair_edits(docx_path, answers) -> ImportResult:
    """The edits in the document at *docx_path* against *answers* (loaded, valid)."""
    from drafter.render import renderer_for

    data = read_document(docx_path)
    result = read_edits(answers, renderer_for(answers.questionnaire.template_path), data, str(docx_path))
    for text in comments(data):
        result.unplaced.append(Unplaced("kommentar i Word", text, "kommentar"))
    return result


@dataclass
class Imported:
    output: Any  # Path of the document made from the updated answers
    backup: Any = None  # Path of the copy of the chair's file, when it was replaced


def save_import(answers_path, answers, result: ImportResult, docx_path, out_dir=None) -> Imported:
    """Write the chair's edits into the answer file and make the document from it again.

    The answers are checked first; nothing is written if they do not hold. When the new
    document replaces the chair's own file, that file is first kept as a copy beside it, so
    no edit made in Word is lost (text that could not be placed is still in the copy).
    """
    import shutil
    from pathlib import Path

    from drafter.answers import Answers
    from drafter.yamlio import save_answers
    from drafter.errors import AnswerFileError
    from drafter.batch import DEFAULT_OUT_DIR, default_output, render_answers
    from drafter.validate import validate
    from drafter.yamlio import kept_meta

    data = {**answers.data, **result.values}
    values, problems = validate(data, answers.questionnaire)
    if problems:
        raise AnswerFileError([p.in_file(str(answers_path)) for p in problems])
    checked = Answers(answers.questionnaire, values, data, None, answers.complete)
    # Patched in place (comments, quoting and order kept), and only if the file on disk is
    # still what was read: an edit made meanwhile is never overwritten.
    base = answers.source.raw if answers.source is not None else None
    save_answers(answers_path, answers.questionnaire, values, answers.complete, kept_meta(answers.data), base=base)
    target = default_output(Path(answers_path), Path(out_dir) if out_dir else DEFAULT_OUT_DIR)
    docx_path = Path(docx_path)
    backup = None
    if target.exists() and target.resolve() == docx_path.resolve():
        backup = _free_name(docx_path.with_name(f"{docx_path.stem} (rettet i Word).docx"))
        tmp = backup.with_name(f".{backup.name}.tmp")
        shutil.copyfile(docx_path, tmp)
        tmp.replace(backup)
    render_answers(checked, target, force=backup is not None)
    return Imported(target, backup)


def _free_name(path):
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} {n}{path.suffix}")
        n += 1
    return candidate
