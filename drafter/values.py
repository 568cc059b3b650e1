"""Typed text -> an answer: one reading for `new --set`, `edit --set`, the web form and `api.set`.

The same text means the same answer wherever it is typed:

- nothing (or only spaces): no answer; setting it removes the answer;
- text in quotes ('x' or "x") is the text inside them, read as YAML reads it ("a\\nb");
- a list question takes a list written ``[a, b]`` (YAML's flow list), or one item;
- a yes/no question takes ja or nej (true/false and yes/no too);
- a date takes every form people write (drafter.dates: 2027-01-04, 4/1-2027,
  4. januar 2027, i dag) and is kept as ÅÅÅÅ-MM-DD;
- anything else is the text as typed: "1.0" stays the text 1.0, never a number.

The answer is then checked by its question's own rule (``Question.check``), with the other
answers, by validation. Nothing here reads or writes files.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from drafter.dates import DateError, iso_date
from drafter.errors import InvalidValue
from drafter.questionnaire import Question

_YES = ("ja", "j", "true", "yes")
_NO = ("nej", "n", "false", "no")


def typed_value(question: Question, text: str, today: _dt.date | None = None) -> Any:
    """The answer *text* stands for as an answer to *question*; None for no answer.

    Raises InvalidValue (Danish) for text that cannot be one, such as a date that is none.
    """
    stripped = text.strip()
    if not stripped:
        return None
    if question.type == "list":
        items = _list_items(stripped) if stripped.startswith("[") else None
        return items if items is not None else [_text(stripped)]
    if question.type == "bool":
        word = _text(stripped).casefold()
        if word in _YES:
            return True
        if word in _NO:
            return False
        raise InvalidValue(f'"{stripped}" er hverken ja eller nej; skriv ja eller nej')
    if question.type == "date":
        try:
            return iso_date(_text(stripped), today)
        except DateError as exc:
            raise InvalidValue(str(exc)) from None
    if question.type == "records":
        raise InvalidValue("en liste med felter udfyldes felt for felt")
    return _text(text)


def _text(text: str) -> str:
    """Text as typed, or the text inside quotes when it is quoted as a whole."""
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] and stripped[0] in ("'", '"'):
        node = _yaml_node(stripped)
        if node is not None and node.tag == "tag:yaml.org,2002:str" and isinstance(node.value, str):
            return node.value
    return text


def _list_items(text: str) -> list[str] | None:
    """The items of a flow list ``[a, 'b, c', 1.10]`` as typed (no numbers, no yes/no); None if it is not one."""
    node = _yaml_node(text)
    if node is None or node.tag != "tag:yaml.org,2002:seq":
        return None
    items = []
    for item in node.value:
        if not isinstance(item.value, str) or item.tag not in (
            "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
            "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
        ):
            return None  # a list in a list, a mapping, a tag: not a list of texts
        if item.value.strip():
            items.append(item.value)
    return items


def _yaml_node(text: str) -> Any:
    """*text* as YAML's node tree (no Python objects are built); None if it is no YAML."""
    import yaml  # here only: importing PyYAML took 90 ms (measured with -X importtime, under load)

    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
