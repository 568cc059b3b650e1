"""One section of a questionnaire as an HTML form, and back: form fields <-> answer values.

Field names are answer paths with dots: ``gruppe.navn``, ``opgaver.opgaver.2`` (an entry
of a list), ``tidsplan.milepaele.0.dato`` (a field of a record), and ``<name>~andet`` for
the free text of a choice whose "Andet" option is picked. Every value is read by the
session's one parser and checked by the question's own rule (``drafter.session.read_answer``),
as for the answer file, `--set` and the terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drafter import api
from drafter.errors import InvalidValue
from drafter.session import read_answer
from drafter.yamlread import is_empty

if TYPE_CHECKING:  # names for annotations only: the web reaches the kinds through api and the session
    from drafter.questionnaire import Question, Section

OTHER = "__andet__"  # the value of the "Andet (skriv selv)" option
OTHER_SUFFIX = "~andet"
MAX_ROWS = 500  # entries of one list or table a form may send


def dom_id(name: str) -> str:
    """A form name as an HTML id: 'tidsplan.milepaele.0.dato' -> 'f-tidsplan-milepaele-0-dato'."""
    return "f-" + re.sub(r"[^a-z0-9_-]", "-", name.lower())


def path_name(path: tuple) -> str:
    """An answer path as a form name: ("tidsplan", "milepaele", 0, "dato") -> 'tidsplan.milepaele.0.dato'."""
    return ".".join(str(part) for part in path)


@dataclass
class SectionInput:
    """What a posted section form says, checked question by question."""

    values: dict[str, Any]  # question key -> normalised value (the previous value where invalid)
    typed: dict[str, str] = field(default_factory=dict)  # form name -> text as typed, to show it again
    errors: dict[str, str] = field(default_factory=dict)  # form name -> Danish message
    rows: dict[str, list] = field(default_factory=dict)  # question key -> entries to show (empty rows too)


def read_section(section: Section, form: dict[str, list[str]], previous: dict[str, Any], today=None) -> SectionInput:
    """The posted values of *section*; an invalid value keeps *previous* and reports why."""
    result = SectionInput(values={})
    for question in section.questions:
        name = question.path
        old = previous.get(question.key)
        if question.type == "records":
            rows = _indexed_rows(form, name)
            entries = []
            for index in rows:
                entry = {}
                for sub in question.fields:
                    sub_name = f"{name}.{index}.{sub.key}"
                    old_entry = old[index] if isinstance(old, list) and index < len(old) and isinstance(old[index], dict) else {}
                    entry[sub.key] = _read_value(sub, form, sub_name, old_entry.get(sub.key), result, today)
                entries.append(entry)
            result.rows[question.key] = _renumber(entries, rows, name, result)
            result.values[question.key] = [e for e in entries if not all(is_empty(v) for v in e.values())]
        elif question.type == "list":
            rows = _indexed_rows(form, name)
            # A refused entry keeps the saved one at its place (never deletes it).
            items = [_read_value(question.item_question, form, f"{name}.{i}",
                                 old[i] if isinstance(old, list) and i < len(old) else None, result, today)
                     for i in rows]
            result.rows[question.key] = _renumber(items, rows, name, result)
            result.values[question.key] = [item for item in items if not is_empty(item)]
        else:
            result.values[question.key] = _read_value(question, form, name, old, result, today)
    return result


def _indexed_rows(form: dict[str, list[str]], name: str) -> list[int]:
    pattern = re.compile(re.escape(name) + r"\.(\d{1,4})(?:\.|$|~)")
    found = sorted({int(m.group(1)) for key in form for m in [pattern.match(key)] if m})
    return found[:MAX_ROWS]


def _renumber(entries: list, indices: list[int], name: str, result: SectionInput) -> list:
    """Posted rows may skip numbers; shown again they are 0, 1, 2... (typed text and errors too)."""
    moves = {f"{name}.{old}": f"{name}.{new}" for new, old in enumerate(indices) if old != new}
    if moves:
        for table in (result.typed, result.errors):
            for key in list(table):
                for old, new in moves.items():
                    if key == old or key.startswith(old + ".") or key.startswith(old + "~"):
                        table[new + key[len(old):]] = table.pop(key)
    return entries


def _read_value(question: Question, form: dict[str, list[str]], name: str, old: Any, result: SectionInput, today=None) -> Any:
    text = form.get(name, [""])[0]
    if question.type == "choice" and text == OTHER:
        text = form.get(name + OTHER_SUFFIX, [""])[0]
        result.typed[name + OTHER_SUFFIX] = text
    result.typed[name] = text
    if not text.strip():
        return None
    try:
        value = read_answer(question, text, today)
    except InvalidValue as exc:
        message = sentence(str(exc))
        if not message.endswith((".", "!", "?")):
            message += "."
        if not is_empty(old):
            # What is saved stays, and the person sees it beside what they typed.
            kept = shown_text(question, old)
            message += f" Det gemte svar er uændret: «{kept if len(kept) <= 200 else kept[:200] + '…'}»."
        result.errors[name] = message
        return old
    return None if is_empty(value) else value


def sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


# -- actions on lists and tables ---------------------------------------------------------

def apply_action(section: Section, data: SectionInput, action: str) -> str | None:
    """'tilfoej:<path>', 'fjern:<path>:<i>', 'op:<path>:<i>', 'ned:<path>:<i>' on a list or
    table of *section*, and 'toem:<path>' (an optional one emptied at once: left empty on
    purpose); returns the form name to put the focus on, or None."""
    verb, _, rest = action.partition(":")
    path, _, index_text = rest.partition(":")
    question = next((q for q in section.questions if q.path == path and q.is_repeating), None)
    if question is None or verb not in ("tilfoej", "fjern", "op", "ned", "toem"):
        return None
    rows = data.rows.setdefault(question.key, [])
    if verb == "toem":
        if question.required:
            return None
        rows[:] = [{} if question.type == "records" else None]
        for table in (data.typed, data.errors):  # the rows' typed text and messages go with them
            for key in [k for k in table if k.startswith(path + ".")]:
                del table[key]
        data.values[question.key] = []
        return f"{path}.tilfoej"
    if verb == "tilfoej":
        if len(rows) >= MAX_ROWS:
            return None
        rows.append({} if question.type == "records" else None)
        first = f".{question.fields[0].key}" if question.type == "records" else ""
        return f"{path}.{len(rows) - 1}{first}"
    try:
        index = int(index_text)
    except ValueError:
        return None
    if not 0 <= index < len(rows):
        return None
    _shift_typed(data, path, index, verb, len(rows))
    if verb == "fjern":
        del rows[index]
        focus = f"{path}.tilfoej"
    else:
        other = index - 1 if verb == "op" else index + 1
        if not 0 <= other < len(rows):
            return None
        rows[index], rows[other] = rows[other], rows[index]
        # The focus stays on the moved row: on the same button, unless that is now disabled
        # (the row reached the top or the bottom), then on its other one.
        at_end = other == 0 if verb == "op" else other == len(rows) - 1
        focus = f"{path}.{other}.{('ned' if verb == 'op' else 'op') if at_end else verb}"
    keep = [r for r in rows if not (is_empty(r) or (isinstance(r, dict) and all(is_empty(v) for v in r.values())))]
    data.values[question.key] = keep
    return focus


def _shift_typed(data: SectionInput, path: str, index: int, verb: str, count: int) -> None:
    """Typed text and messages follow their row when rows move or go."""
    if verb == "fjern":
        order = [i for i in range(count) if i != index]
    else:
        other = index - 1 if verb == "op" else index + 1
        order = list(range(count))
        if 0 <= other < count:
            order[index], order[other] = order[other], order[index]
    for table in (data.typed, data.errors):
        moved = {}
        for key in list(table):
            m = re.match(re.escape(path) + r"\.(\d+)(.*)$", key)
            if m:
                old = int(m.group(1))
                value = table.pop(key)
                if old in order:
                    moved[f"{path}.{order.index(old)}{m.group(2)}"] = value
        table.update(moved)


# -- showing values ----------------------------------------------------------------------

def shown_text(question: Question, value: Any) -> str:
    """A stored value as the text in its form field."""
    if value is None:
        return ""
    if question.type == "date":
        return api.full_text(question, value)  # "4. januar 2027"; a date that is none, as it stands
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)


def choice_state(question: Question, value: Any) -> tuple[str, str]:
    """(the option to select, the free text) for a choice's stored or suggested value: a
    text of its own is an option of its own (``Question.offered_choices``, as the terminal
    offers it), and in the free-text field too, to edit after picking "Andet"."""
    if is_empty(value):
        return "", ""
    if value in question.choices or not question.allow_other:
        return value, ""
    return value, value
