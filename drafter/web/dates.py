"""Dates as people type them in the form: '25. november 2026', '25.11.2026', '2026-11-25'."""

from __future__ import annotations

import datetime as _dt
import re

from drafter.questionnaire import MONTHS_DA, InvalidValue, danish_long_date

_MONTH_PREFIX = {name[:3]: number for number, name in enumerate(MONTHS_DA, 1)}
_NUMERIC = re.compile(r"^(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4})$")
_WORDS = re.compile(r"^(\d{1,2})\.?\s*([a-zæøå]+)\.?\s+(\d{4})$")


def parse_date(text: str) -> str:
    """The ISO form (2026-11-25) of a typed date; InvalidValue with a Danish reason."""
    cleaned = " ".join(text.strip().lower().split())
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
        return cleaned  # the question's own rule checks the calendar
    day = month = year = None
    m = _NUMERIC.match(cleaned)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _WORDS.match(cleaned)
        if m and m.group(2)[:3] in _MONTH_PREFIX and (
            MONTHS_DA[_MONTH_PREFIX[m.group(2)[:3]] - 1].startswith(m.group(2)) or len(m.group(2)) == 3
        ):
            day, month, year = int(m.group(1)), _MONTH_PREFIX[m.group(2)[:3]], int(m.group(3))
    if day is None:
        raise InvalidValue(f'"{text.strip()[:60]}" er ikke en dato; skriv fx 25. november 2026, 25.11.2026 eller 2026-11-25')
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        raise InvalidValue(f'"{text.strip()[:60]}" er ikke en gyldig dato (findes den dag i kalenderen?)') from None


def show_date(value: str) -> str:
    """An ISO date as '25. november 2026' (anything else as it is)."""
    try:
        return danish_long_date(_dt.date.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)
