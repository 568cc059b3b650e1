"""`--set KEY=VALUE`: one answer changed in plain answer data, without the interview.

KEY is an answer's path as drafter prints it (``tidsplan.slut``,
``formandskab.medlemmer[2].titel``, 1-based like the messages); VALUE is read the way a
person means it: text as typed (``--set dokument.version=1.0`` is the text "1.0"),
quoted text as YAML reads it, yes/no and lists (``[a, b]``) as YAML. An empty VALUE
removes the answer. Nothing here reads or writes files.
"""

from __future__ import annotations

import re
from typing import Any

from drafter.errors import UsageError
from drafter.questionnaire import Questionnaire
from drafter.suggest import suggest

_KEY = re.compile(r"^([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)(?:\[(\d+)\](?:\.([A-Za-z0-9_]+))?)?$")


def parse_value(text: str) -> Any:
    """VALUE as YAML reads a single plain value or a flow list of them; None if it is not one."""
    import yaml

    from drafter.yamlread import NodeConverter as _NodeConverter

    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    converter = _NodeConverter("--set")
    value = converter.convert(node, (), 0)
    if converter.problems or isinstance(value, dict):
        return None
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        return None
    return value


def _typed(question, text: str) -> Any:
    """The value *text* stands for, given the question it answers."""
    if text.strip() == "":
        return None
    if question.type in ("list",):
        parsed = parse_value(text)
        if isinstance(parsed, list):
            return parsed
        return [text]
    if question.type == "bool":
        parsed = parse_value(text)
        return parsed if parsed is not None else text
    stripped = text.strip()
    if stripped[:1] in ("'", '"'):
        parsed = parse_value(stripped)
        if isinstance(parsed, str):
            return parsed
    return text


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
        value = _typed(question, text)
        if value is None:
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
        value = _typed(question.item_question, text)
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
        value = _typed(field, text)
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
    from drafter.yamlio import answer_comparer

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
