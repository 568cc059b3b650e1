"""Danish dates: read what people type, and say a date back the way Danish text writes it.

    parse_date("1/12-2026") == parse_date("1. december 2026") == date(2026, 12, 1)
    long_date(date(2026, 12, 1)) == "1. december 2026"

Pure functions, no I/O: the interview and the web form use them for typed dates; answer
files keep storing ISO dates (ÅÅÅÅ-MM-DD), which ``parse_date`` accepts too.
"""

from __future__ import annotations

import datetime as _dt
import re

MONTHS_DA = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)

# Month names as typed: the full name, or a short form with or without a full stop.
_MONTH_WORDS = {name: number for number, name in enumerate(MONTHS_DA, 1)}
_MONTH_WORDS.update({name[:3]: number for number, name in enumerate(MONTHS_DA, 1)})
_MONTH_WORDS.update({"mar": 3, "sept": 9})

_TODAY_WORDS = {"i dag": 0, "idag": 0, "i morgen": 1, "imorgen": 1, "i overmorgen": 2, "iovermorgen": 2}
WEEKDAYS_DA = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# 1/12-2026, 1/12/2026, 1.12.2026, 01-12-2026, 1-12-26, 1/12 2026
_NUMERIC = re.compile(r"(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./\- ]\s*(\d{4}|\d{2})")
# 1. december 2026, 1 dec 2026, 1. dec. 2026, 1.dec.2026
_WORDED = re.compile(r"(\d{1,2})\.?\s*([a-zæøå]+)\.?\s*,?\s*(\d{4})")

EXAMPLES = "fx 1/12-2026, 1.12.2026, 1. december 2026, i dag, i morgen eller fredag"


class DateError(ValueError):
    """Text that is not a date; the message is Danish and says what would be."""


def long_date(value: _dt.date) -> str:
    """date(2026, 11, 25) -> '25. november 2026'"""
    return f"{value.day}. {MONTHS_DA[value.month - 1]} {value.year}"


def parse_date(text: str, today: _dt.date | None = None) -> _dt.date:
    """The date a person means by *text*; DateError (Danish) when it is not one.

    Day before month, as Danes write it. A two-digit year is in this century. "i dag",
    "i morgen" and "i overmorgen" count from *today* (or the real date when no day is
    given); a weekday ("fredag", "på fredag", "næste fredag") is the next such day after today.
    """
    cleaned = " ".join(str(text).split()).lower()
    if not cleaned:
        raise DateError(f"skriv en dato, {EXAMPLES}")
    if cleaned in _TODAY_WORDS:
        return (today or _dt.date.today()) + _dt.timedelta(days=_TODAY_WORDS[cleaned])
    weekday = re.fullmatch(r"(?:på |næste |paa )?([a-zæøå]+)", cleaned)
    if weekday and weekday.group(1) in WEEKDAYS_DA:
        start = today or _dt.date.today()
        ahead = (WEEKDAYS_DA.index(weekday.group(1)) - start.weekday()) % 7 or 7
        return start + _dt.timedelta(days=ahead)
    match = _ISO.fullmatch(cleaned)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _calendar_date(text, year, month, day)
    match = _NUMERIC.fullmatch(cleaned)
    if match:
        day, month, year = match.groups()
        return _calendar_date(text, _full_year(year), int(month), int(day))
    match = _WORDED.fullmatch(cleaned)
    if match:
        day, word, year = match.groups()
        month = _MONTH_WORDS.get(word)
        if month is None:
            raise DateError(f'"{_clip(text)}": kender ikke måneden "{word}"; {EXAMPLES}')
        return _calendar_date(text, int(year), month, int(day))
    if re.fullmatch(r"\d{1,2}\s*[./-]\s*\d{1,2}\.?|\d{1,2}\.?\s*[a-zæøå]+\.?", cleaned):
        raise DateError(f'"{_clip(text)}" mangler året; {EXAMPLES}')
    raise DateError(f'"{_clip(text)}" er ikke en dato; skriv den {EXAMPLES}')


def iso_date(text: str, today: _dt.date | None = None) -> str:
    """parse_date as the ÅÅÅÅ-MM-DD text an answer file stores."""
    return parse_date(text, today).isoformat()


def _full_year(year: str) -> int:
    return 2000 + int(year) if len(year) == 2 else int(year)


def _calendar_date(text: str, year: int, month: int, day: int) -> _dt.date:
    if not 1 <= year <= 9999:
        raise DateError(f'"{_clip(text)}": året {year} kan ikke bruges; {EXAMPLES}')
    if not 1 <= month <= 12:
        raise DateError(f'"{_clip(text)}": måned {month} findes ikke (1-12); {EXAMPLES}')
    try:
        return _dt.date(year, month, day)
    except ValueError:
        raise DateError(
            f'"{_clip(text)}" er ikke en gyldig dato: {MONTHS_DA[month - 1]} {year} har ikke en {day}. dag'
        ) from None


def _clip(text: str, limit: int = 40) -> str:
    text = str(text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
