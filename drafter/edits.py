"""`--set KEY=VALUE`: one answer changed in plain answer data, without the interview.

KEY is an answer's path as drafter prints it (``tidsplan.slut``,
``formandskab.medlemmer[2].titel``, 1-based like the messages); VALUE is read by
drafter.values, as every front end reads typed text (an empty VALUE removes the answer;
one with a suggestion is kept empty, see drafter.yamlio.keeps_empty).
`drafter new --set`, `drafter edit --set` and ``api.set`` all come here. Nothing here
reads or writes files.
"""

from __future__ import annotations

import re
from typing import Any

from drafter.errors import InvalidValue, UsageError
from drafter.questionnaire import Questionnaire
from drafter.suggest import suggest
from drafter.values import typed_value
from drafter.yamlio import answer_comparer, empty_answer, keeps_empty

_KEY = re.compile(r"^([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)(?:\[(\d+)\](?:\.([A-Za-z0-9_]+))?)?$")


def apply_settings(questionnaire: Questionnaire, data: dict, settings: list[str]) -> list[str]:
    """Every KEY=VALUE of one command into *data*, in order; the keys set.

    A key given twice is refused rather than guessed at (the second would silently replace
    the first): a list is set whole (``[a, b]``) or item by item (``[1]``, ``[2]``).
    """
    keys: list[str] = []
    for setting in settings:
        key = apply_setting(questionnaire, data, setting)
        if key in keys:
            raise UsageError(
                f"--set {key} står to gange; en liste sættes samlet, fx --set '{key}=[første, anden]', "
                f"eller punkt for punkt med {key}[1]=..., {key}[2]=..."
            )
        keys.append(key)
    return keys


def _typed(key: str, question, text: str) -> Any:
    try:
        return typed_value(question, text)
    except InvalidValue as exc:
        raise UsageError(f"--set {key}: {exc}") from None


def apply_setting(questionnaire: Questionnaire, data: dict, setting: str) -> str:
    """Put one KEY=VALUE into *data* (answer data as read from a file); return KEY.

    Raises UsageError for a key the questionnaire does not have; the value itself is
    checked afterwards by validation, with the other answers.
    """
    key, sep, text = setting.partition("=")
    key = key.strip()
    paths = [q.path for q in questionnaire.questions]
    if not sep or not key:
        raise UsageError(f'--set "{setting}": skriv NØGLE=VÆRDI, fx --set tidsplan.slut=2027-12-17')
    match = _KEY.match(key)
    question = questionnaire.question(f"{match.group(1)}.{match.group(2)}") if match else None
    if question is None:
        raise UsageError(f"--set {key}: ukendt spørgsmål{suggest(key.split('[')[0], paths)}; kendte nøgler: {', '.join(paths)}")
    section_key, question_key, number, field_key = match.groups()
    section = data.get(section_key)
    if not isinstance(section, dict):
        section = data[section_key] = {}
    if number is None:
        if question.type == "records":
            fields = ", ".join(f.key for f in question.fields)
            raise UsageError(
                f"--set {key}: en liste med felter sættes felt for felt, fx --set {key}[1].{question.fields[0].key}=... "
                f"(felter: {fields})"
            )
        value = _typed(key, question, text)
        if value is None and keeps_empty(question):
            section[question_key] = empty_answer(question)  # left empty on purpose: its suggestion is not offered again
        elif value is None:
            section.pop(question_key, None)
        else:
            section[question_key] = value
        return key
    index = int(number) - 1
    entries = section.get(question_key)
    if not isinstance(entries, list):
        entries = [] if entries is None else entries
    count = len(entries) if isinstance(entries, list) else 0
    if not isinstance(entries, list) or index < 0 or index > count:
        raise UsageError(
            f"--set {key}: {question.path} har {count} punkter; brug et nummer fra 1 til {count + 1} "
            f"({count + 1} tilføjer et nyt)"
        )
    if question.type == "list":
        if field_key is not None:
            raise UsageError(f"--set {key}: punkterne i {question.path} har ingen felter; skriv {question.path}[{number}]=...")
        value = _typed(key, question.item_question, text)
        _put(entries, index, value)
    elif question.type == "records":
        field = question.field_named(field_key) if field_key else None
        if field is None:
            known = [f.key for f in question.fields]
            if field_key:
                raise UsageError(f"--set {key}: ukendt felt '{field_key}'{suggest(field_key, known)} (felter: {', '.join(known)})")
            raise UsageError(f"--set {key}: angiv et felt, fx {question.path}[{number}].{known[0]} (felter: {', '.join(known)})")
        if index == count:
            entries.append({})
        entry = entries[index]
        if not isinstance(entry, dict):
            entry = entries[index] = {}
        value = _typed(key, field, text)
        if value is None:
            entry.pop(field_key, None)
        else:
            entry[field_key] = value
    else:
        raise UsageError(f"--set {key}: {question.path} er ikke en liste; skriv --set {question.path}=...")
    section[question_key] = [e for e in entries if e is not None]
    return key


def _put(items: list, index: int, value: Any) -> None:
    if index == len(items):
        if value is not None:
            items.append(value)
    elif value is None:
        items[index] = None  # removed by the caller, after every index is resolved
    else:
        items[index] = value


def merge_answers(questionnaire: Questionnaire, base: dict, mine: dict, theirs: dict) -> tuple[dict, list[str]]:
    """Three-way merge, answer by answer: *mine* and *theirs* both started from *base*.

    An answer only one side changed takes that side's value; an answer both changed
    differently is a conflict: *theirs* is kept (the file on disk) and its path is listed,
    so the caller can keep *mine* elsewhere. Returns (merged values, conflicting paths).
    """
    same = answer_comparer(questionnaire)
    merged: dict[str, dict[str, Any]] = {}
    conflicts: list[str] = []
    for question in questionnaire.questions:
        section, key = question.path.split(".")
        b = base.get(section, {}).get(key)
        m = mine.get(section, {}).get(key)
        t = theirs.get(section, {}).get(key)
        where = (section, key)
        if same(where, m, b) or same(where, m, t):
            value = t
        elif same(where, t, b):
            value = m
        else:
            value = t
            conflicts.append(question.path)
        merged.setdefault(section, {})[key] = value
    return merged, conflicts
