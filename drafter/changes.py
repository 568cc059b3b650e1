"""What changed between two versions of a commission's answers, in plain Danish, per section.

"Slutdato flyttet fra 17. december 2027 til 30. juni 2028", "Medlem udtrådt: Karen Frølund
(Sygeplejerske i akutfunktionen, Viborg Kommune)": the lines a secretariat puts in an e-mail
when version 1.1 goes out.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any

from drafter.dates import long_date as danish_long_date
from drafter.questionnaire import Question, Questionnaire


@dataclass
class SectionChanges:
    heading: str
    lines: list[str] = field(default_factory=list)


def label(question: Question) -> str:
    """The short name of a question for summaries: its `label`, else its prompt (without
    the interview's "(kan springes over)")."""
    return question.short_name


def full_text(question: Question, value: Any) -> str:
    """A value as a person reads it, whole: like shown(), but text is never cut."""
    if question.type in ("text", "paragraphs", "choice") and isinstance(value, str) and value.strip():
        return value.strip()
    return shown(question, value)


def marked_words(old: str, new: str, mark: tuple[str, str] = ("«", "»")) -> tuple[str, str]:
    """*old* and *new* with the words that differ between them marked («…»), so two long
    texts that differ in one word can be told apart."""
    import difflib

    # A paragraph break is a word of its own ("\n"), so paragraphs stay lines when shown.
    a, b = re.sub(r"\s*\n\s*", " \n ", old).split(" "), re.sub(r"\s*\n\s*", " \n ", new).split(" ")
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left += a[i1:i2]
            right += b[j1:j2]
            continue
        if i2 > i1:
            left.append(_marked(a[i1:i2], mark))
        if j2 > j1:
            right.append(_marked(b[j1:j2], mark))
    return _lines(" ".join(left)), _lines(" ".join(right))


def _marked(words: list[str], mark: tuple[str, str]) -> str:
    """«words», each paragraph's stretch marked on its own line."""
    parts = " ".join(words).split("\n")
    return "\n".join(f"{mark[0]}{part.strip()}{mark[1]}" if part.strip() else "" for part in parts)


def _lines(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def question_lines(question: Question, old: Any, new: Any) -> list[str]:
    """What changed in one answer, as the lines of a summary (lists and records item by item)."""
    if question.type == "records":
        return _records_changes(question, old or [], new or [])
    if question.type == "list":
        return _list_changes(question, old or [], new or [])
    return [_value_change(question, old, new)]


def shown(question: Question, value: Any) -> str:
    """A value as a person reads it: dates long, yes/no in words, text clipped to one line."""
    if value is None or value == "" or value == []:
        return "(tom)"
    if question.type == "date":
        try:
            return danish_long_date(_dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if question.type == "bool":
        return "ja" if value else "nej"
    if question.type == "list" and isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if question.type == "records" and isinstance(value, list):
        return "; ".join(_record_name(question, r) for r in value)
    text = " ".join(str(value).split())
    return text if len(text) <= 80 else text[:77] + "…"


def _record_name(question: Question, record: dict) -> str:
    first = question.fields[0]
    name = shown(first, record.get(first.key))
    rest = [shown(f, record.get(f.key)) for f in question.fields[1:] if record.get(f.key) not in (None, "", [])]
    return f"{name} ({', '.join(rest)})" if rest else name


def _noun(question: Question) -> str:
    noun = question.item_name or "post"
    return noun[:1].upper() + noun[1:]


def _list_changes(question: Question, old: list, new: list) -> list[str]:
    lines = []
    name = label(question)
    for item in old:
        if item not in new:
            lines.append(f"{name}: fjernet: {' '.join(str(item).split())}")
    for item in new:
        if item not in old:
            lines.append(f"{name}: tilføjet: {' '.join(str(item).split())}")
    if not lines and old != new:
        lines.append(f"{name}: rækkefølgen er ændret")
    return lines


def _records_changes(question: Question, old: list, new: list) -> list[str]:
    """Records are matched by their first field (a member's name, a milestone's date)."""
    first = question.fields[0].key
    noun = _noun(question)
    old_by = {_key(r.get(first)): r for r in old}
    new_by = {_key(r.get(first)): r for r in new}
    lines = []
    gone = [key for key in old_by if key not in new_by]
    came = [key for key in new_by if key not in old_by]
    # A record whose first field alone changed (a misspelt name put right) is one record.
    rest = lambda record: [_norm(record.get(f.key)) for f in question.fields[1:]]  # noqa: E731
    renamed = {}
    for key in gone:
        twin = next((k for k in came if k not in renamed.values() and rest(new_by[k]) == rest(old_by[key])), None)
        if twin is not None and question.fields[1:]:
            renamed[key] = twin
    first_field = question.fields[0]
    for key, twin in renamed.items():
        verb = "flyttet" if first_field.type == "date" else "ændret"
        lines.append(
            f"{noun}: {label(first_field).lower()} {verb} fra {shown(first_field, old_by[key].get(first))} "
            f"til {_record_name(question, new_by[twin])}"
        )
    for key in gone:
        if key not in renamed:
            lines.append(f"{noun} fjernet: {_record_name(question, old_by[key])}")
    for key, record in new_by.items():
        if key not in old_by:
            if key not in renamed.values():
                lines.append(f"{noun} tilføjet: {_record_name(question, record)}")
            continue
        before = old_by[key]
        for f in question.fields[1:]:
            a, b = before.get(f.key), record.get(f.key)
            if _norm(a) != _norm(b):
                who = shown(question.fields[0], record.get(first))
                lines.append(f"{noun} {who}: {label(f).lower()} ændret fra {shown(f, a)} til {shown(f, b)}")
    if not lines and [_key(r.get(first)) for r in old] != [_key(r.get(first)) for r in new]:
        lines.append(f"{label(question)}: rækkefølgen er ændret")
    return lines


def _key(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def _norm(value: Any) -> Any:
    return None if value in ("", [], None) else value


def _value_change(question: Question, old: Any, new: Any) -> str:
    name = label(question)
    if old is None or old == "" or old == []:
        return f"{name}: tilføjet: {shown(question, new)}"
    if new is None or new == "" or new == []:
        return f"{name}: fjernet (var: {shown(question, old)})"
    if question.type == "date":
        return f"{name} flyttet fra {shown(question, old)} til {shown(question, new)}"
    if question.type == "paragraphs" or (isinstance(old, str) and isinstance(new, str)
                                         and "…" in shown(question, old) + shown(question, new)):
        return f"{name}: {changed_words(str(old), str(new))}"  # a clipped text could hide the change
    return f"{name} ændret fra {shown(question, old)} til {shown(question, new)}"


_MOST_CHANGES_SHOWN = 3


def changed_words(old: str, new: str) -> str:
    """What changed in a text, word for word: 'tilføjet «...»', 'fjernet «...»', '«...» er nu
    «...»' (a few stretches; the rest counted), so a summary of a long text says how it changed."""
    import difflib

    def words(text: str) -> list[str]:
        return [w for w in re.split(r"[^\S\n]+", re.sub(r"\s*\n\s*", " \n ", text.strip())) if w]

    def stretch(part: list[str]) -> str:
        text = " ".join(w for w in part if w != "\n")
        return text if len(text) <= 80 else text[:77] + "…"

    a, b = words(old), words(new)
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = stretch(a[i1:i2]), stretch(b[j1:j2])
        if op == "equal" or not (removed or added):
            continue
        parts.append(f"«{removed}» er nu «{added}»" if removed and added else
                     f"tilføjet «{added}»" if added else f"fjernet «{removed}»")
    if not parts:
        return "afsnittene er delt anderledes"
    more = len(parts) - _MOST_CHANGES_SHOWN
    shown_parts = parts[:_MOST_CHANGES_SHOWN] + ([f"og {more} {'ændring' if more == 1 else 'ændringer'} mere"]
                                                 if more > 0 else [])
    return "; ".join(shown_parts)


def compare(questionnaire: Questionnaire, old: dict, new: dict) -> list[SectionChanges]:
    """Per section of *questionnaire*, what changed from *old* to *new* (plain answer data)."""
    result = []
    for section in questionnaire.sections:
        before, after = old.get(section.key) or {}, new.get(section.key) or {}
        lines: list[str] = []
        for question in section.questions:
            a, b = before.get(question.key), after.get(question.key)
            if _norm(a) == _norm(b):
                continue
            if question.type == "records":
                lines.extend(_records_changes(question, a or [], b or []))
            elif question.type == "list":
                lines.extend(_list_changes(question, a or [], b or []))
            else:
                lines.append(_value_change(question, a, b))
        if lines:
            result.append(SectionChanges(section.heading, lines))
    return result


def layout_changes(questionnaire: Questionnaire, old: dict, new: dict) -> SectionChanges | None:
    """The commission's own title, headings and order of sections (``titel``,
    ``overskrifter``, ``orden`` in the answer files), as lines like the answers'."""
    lines: list[str] = []

    def text(data: dict, key: str) -> Any:
        value = data.get(key) if isinstance(data, dict) else None
        return value if value not in ("", [], {}) else None

    old_title, new_title = text(old, "titel"), text(new, "titel")
    if old_title != new_title:
        if old_title is None:
            lines.append(f"Titel: tilføjet: {new_title}")
        elif new_title is None:
            lines.append(f"Titel: fjernet (var: {old_title}); typens titel står igen")
        else:
            lines.append(f"Titel ændret fra {old_title} til {new_title}")
    before, after = text(old, "overskrifter") or {}, text(new, "overskrifter") or {}
    for section in questionnaire.sections:
        a, b = before.get(section.key), after.get(section.key)
        if a == b:
            continue
        lines.append(
            f"Overskrift ændret fra {a or section.title} til {b or section.title}"
        )
    old_order = [s.key for s in questionnaire.body_sections(text(old, "orden") or [])]
    new_order = [s.key for s in questionnaire.body_sections(text(new, "orden") or [])]
    if old_order != new_order:
        titles = {s.key: (after.get(s.key) or s.title) for s in questionnaire.sections}
        filled = [k for k in new_order if any(v not in (None, "", [], {}) for v in (text(new, k) or {}).values())]
        lines.append("Afsnittenes rækkefølge ændret til: " + ", ".join(titles[k] for k in filled or new_order))
    return SectionChanges("Titel, overskrifter og rækkefølge", lines) if lines else None
