"""Validation of answers as plain data, the one check every front end calls.

``validate(data, questionnaire)`` takes the answers as plain Python data (dicts, lists,
text, dates: what a YAML file, the interview, a web form or a script holds) and returns
the normalised values and every problem, each with its answer path. It knows no file and
no line: ``drafter.answers`` looks lines up in a file's source map when it prints.

A question whose ``when:`` names a yes/no answer that is not "ja" is switched off: it is
neither required nor kept (nor asked by the interview, nor shown in its review). Checks
between fields (``not_before``) live here too, in :func:`cross_field_message`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping

from drafter.dates import long_date
from drafter.errors import InvalidValue
from drafter.problems import Problem
from drafter.questionnaire import Question, Questionnaire, available_kinds, each, load_questionnaire, one
from drafter.suggest import suggest
from drafter.yamlread import LAYOUT_KEYS, META_KEYS, is_empty

TYPE_CHECKING = False  # typing is for the annotations only: a check does not load it (~1.5 ms)
if TYPE_CHECKING:
    from typing import Any

Values = dict  # section key -> question key -> normalised value


def questionnaire_for(data: Mapping, kind: str | None = None) -> tuple[Questionnaire | None, list[Problem]]:
    """The questionnaire the answers follow: *kind*, or the answers' own ``kind``.

    Returns (None, problems) when there is none; an answer of another kind than *kind*
    asked for is a problem too.
    """
    given = data.get("kind") if isinstance(data, Mapping) else None
    known = available_kinds()
    if kind is None:
        if given is None:
            return None, [Problem(f"mangler; skriv fx 'kind: adhoc' (kendte typer: {', '.join(known)})", path=("kind",))]
        kind = given
    elif given is not None and given != kind:
        return None, [Problem(f"filen er af typen '{given}', men der blev bedt om '{kind}'", path=("kind",))]
    if not isinstance(kind, str) or kind not in known:
        return None, [
            Problem(f"ukendt kommissorietype {kind!r}; kendte typer: {', '.join(known)}{suggest(str(kind), known)}", path=("kind",))
        ]
    return load_questionnaire(kind), []


def validate(data: Mapping, questionnaire: Questionnaire) -> tuple[Values, list[Problem]]:
    """(normalised values, every problem) of the answers *data* for *questionnaire*.

    *data* holds the sections (``{"gruppe": {"navn": ...}, ...}``) and the meta keys
    (``schema_version``, ``complete``, ``undtagelser``). A draft (``complete: false``) may
    leave required questions empty. Problems come in the questionnaire's order.
    """
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        return {}, [Problem("svarene skal være en gruppe af felter ('navn: værdi'), ikke en liste eller en enkelt værdi")]
    version = data.get("schema_version")
    if version is None:
        problems.append(Problem(f"mangler; skriv 'schema_version: {questionnaire.schema_version}'", path=("schema_version",)))
    elif isinstance(version, bool) or not isinstance(version, int) or version != questionnaire.schema_version:
        problems.append(
            Problem(
                f"skemaversion {version!r} understøttes ikke; denne version af drafter læser "
                f"'{questionnaire.kind}' i skemaversion {questionnaire.schema_version}",
                path=("schema_version",),
            )
        )
    complete = is_complete(data)
    if "complete" in data and not isinstance(data["complete"], bool):
        problems.append(Problem("skal være true eller false", path=("complete",)))

    section_keys = [s.key for s in questionnaire.sections]
    for key in data:
        if key not in section_keys and key not in META_KEYS:
            problems.append(Problem(f"ukendt felt{suggest(str(key), section_keys + list(META_KEYS))}", path=(key,)))

    values: Values = {}
    for section in questionnaire.sections:
        given = data.get(section.key)
        if given is None:
            given = {}
        values[section.key] = {}
        if not isinstance(given, Mapping):
            problems.append(Problem("skal være en gruppe af felter (indrykkede linjer 'navn: værdi')", path=(section.key,)))
            continue
        known = [q.key for q in section.questions]
        for key in given:
            if key not in known:
                problems.append(Problem(f"ukendt felt{suggest(str(key), known)}", path=(section.key, key)))
        for question in section.questions:
            if not is_asked(question, data):
                values[section.key][question.key] = [] if question.is_repeating else None
                continue
            values[section.key][question.key] = _question(
                question, given.get(question.key), (section.key, question.key), problems, complete
            )
    problems.extend(cross_field_problems(questionnaire, values))
    problems.extend(layout_problems(data, questionnaire))
    if complete:
        problems.extend(one_of_problems(questionnaire, values))
    return values, problems


def one_of_problems(questionnaire: Questionnaire, values: Mapping) -> list[Problem]:
    """A kind's ``requires_one_of``: at least one answer of each group (a purpose or tasks)."""
    problems = []
    for group in questionnaire.requires_one_of:
        if all(is_empty(_lookup(values, path)) for path in group):
            titles = list(dict.fromkeys(
                questionnaire.section(p.partition(".")[0]).title.lower() for p in group
                if questionnaire.section(p.partition(".")[0]) is not None
            ))
            problems.append(Problem(
                f"mangler; udfyld {_either(titles)} ({_either(group)})", path=tuple(group[0].split("."))
            ))
    return problems


def _either(names: list[str]) -> str:
    return ", ".join(names[:-1]) + f" eller {names[-1]}" if len(names) > 1 else "".join(names)


def layout_problems(data: Mapping, questionnaire: Questionnaire) -> list[Problem]:
    """``titel``, ``overskrifter`` and ``orden``: text, and only the kind's sections."""
    problems = []
    if not questionnaire.uses_body:
        # A kind with a full-layout Word template of its own lays its document out there.
        return [
            Problem(f"typen '{questionnaire.kind}' har sin egen Word-skabelon ({questionnaire.template}), som fastlægger "
                    "titel, overskrifter og rækkefølge; fjern feltet", path=(key,))
            for key in LAYOUT_KEYS if key in data
        ]
    sections = [s.key for s in questionnaire.sections if not s.cover]
    titel = data.get("titel")
    if titel is not None:
        if not isinstance(titel, str) or not titel.strip():
            problems.append(Problem('skal være en tekst, fx titel: "Fælles kommissorium for netværksgrupperne"', path=("titel",)))
        else:
            problems.extend(_text_problem(questionnaire, titel, ("titel",)))
    headings = data.get("overskrifter")
    if headings is not None:
        if not isinstance(headings, Mapping):
            problems.append(Problem('skal være afsnit og deres overskrift, fx overskrifter: {formaal: "Mission og mål"}', path=("overskrifter",)))
        else:
            for key, text in headings.items():
                if key not in sections:
                    problems.append(Problem(f"ukendt afsnit{suggest(str(key), sections)} (afsnittene: {', '.join(sections)})", path=("overskrifter", key)))
                elif not isinstance(text, str) or not text.strip():
                    problems.append(Problem("skal være en tekst: afsnittets overskrift", path=("overskrifter", key)))
                else:
                    problems.extend(_text_problem(questionnaire, text, ("overskrifter", key)))
    order = data.get("orden")
    if order is not None:
        if not isinstance(order, list):
            problems.append(Problem("skal være en liste af afsnit, fx orden: [baggrund, formaal, opgaver]", path=("orden",)))
        else:
            seen = set()
            for i, key in enumerate(order):
                if key not in sections:
                    problems.append(Problem(f"ukendt afsnit{suggest(str(key), sections)} (afsnittene: {', '.join(sections)})", path=("orden", i)))
                elif key in seen:
                    problems.append(Problem(f"afsnittet {key} står to gange", path=("orden", i)))
                seen.add(key)
    return problems


def _text_problem(questionnaire: Questionnaire, text: str, where: tuple) -> list[Problem]:
    question = Question(key=where[-1], path=".".join(map(str, where)), type="text", prompt="")
    try:
        question.check(text)
    except InvalidValue as exc:
        return [Problem(str(exc), path=where)]
    return []


def is_complete(data: Mapping) -> bool:
    """A draft says ``complete: false``; anything else counts as finished."""
    complete = data.get("complete", True) if isinstance(data, Mapping) else True
    return complete if isinstance(complete, bool) else True


def _lookup(data: Mapping, dotted: str) -> Any:
    section, _, key = dotted.partition(".")
    given = data.get(section) if isinstance(data, Mapping) else None
    return given.get(key) if isinstance(given, Mapping) else None


def is_asked(question: Question, answers: Mapping) -> bool:
    """False for a question whose ``when`` answer (a yes/no question) is not yes.

    *answers* is plain data or normalised values (section -> key -> value).
    """
    if not question.when:
        return True
    value = _lookup(answers, question.when)
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() == "ja"  # as Question.check reads yes/no


def _question(question: Question, value: Any, where: tuple, problems: list[Problem], complete: bool) -> Any:
    if question.type == "list" and isinstance(value, list):
        # Item by item, so a bad entry is reported at its own place: opgaver.opgaver[3].
        items = [_question(question.item_question, item, (*where, i), problems, False) for i, item in enumerate(value)]
        value = [item for item in items if item is not None]
    if value == "":
        value = None  # written empty on purpose ("key: ''", see yamlio.keeps_empty): no answer, of any type
    try:
        checked = question.check(value) if value is not None else None
    except InvalidValue as exc:
        problems.append(Problem(str(exc), path=where))
        return None
    if question.type == "records" and checked:
        checked = _records(question, checked, where, problems, complete)
    if is_empty(checked):
        if question.required and complete:
            problems.append(Problem(missing_message(question), path=where))
        return [] if question.is_repeating else None
    return checked


def _records(question: Question, entries: list, where: tuple, problems: list[Problem], complete: bool) -> list[dict]:
    out = []
    known = [f.key for f in question.fields]
    for index, entry in enumerate(entries):
        at = (*where, index)
        if not isinstance(entry, Mapping):
            problems.append(Problem(f"{each(question.item_name or 'post')} skal være en gruppe af felter ({', '.join(known)})", path=at))
            continue
        for key in entry:
            if key not in known:
                problems.append(Problem(f"ukendt felt{suggest(str(key), known)}", path=(*at, key)))
        out.append(
            {f.key: _question(f, entry.get(f.key), (*at, f.key), problems, complete) for f in question.fields}
        )
    return out


def missing_message(question: Question) -> str:
    if question.is_repeating:
        return f"mangler; angiv mindst {one(question.item_name or 'post')}"
    return "mangler; feltet skal udfyldes"


# -- checks between fields ----------------------------------------------------------------

def cross_field_message(question: Question, value: Any, values: Mapping) -> str | None:
    """Why *value* for *question* does not fit the other answers (*values*), or None.

    The one place for rules between fields; the interview asks it for each answer typed.
    """
    if question.not_before and value:
        earliest = _lookup(values, question.not_before)
        if isinstance(earliest, str) and isinstance(value, str) and value < earliest:
            return (
                f"datoen ({long_date(_dt.date.fromisoformat(value))}) ligger før "
                f"{question.not_before} ({long_date(_dt.date.fromisoformat(earliest))})"
            )
    return None


def cross_field_problems(questionnaire: Questionnaire, values: Mapping) -> list[Problem]:
    problems = []
    for question in questionnaire.questions:
        message = cross_field_message(question, _lookup(values, question.path), values)
        if message:
            problems.append(Problem(message, path=tuple(question.path.split("."))))
    return problems
