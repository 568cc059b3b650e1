"""Danish dates as people type them (drafter.dates), used by the interview and the web form."""

from __future__ import annotations

import datetime as dt

import pytest

from drafter.dates import DateError, iso_date, long_date, parse_date

TODAY = dt.date(2026, 11, 25)
FIRST_DECEMBER = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    "text",
    [
        "1/12-2026", "1/12/2026", "1/12 2026", "01/12-2026",
        "1.12.2026", "01.12.2026", "1.12.26",
        "01-12-2026", "1-12-2026",
        "1. december 2026", "1 december 2026", "1. December 2026", "1.december 2026",
        "1 dec 2026", "1. dec. 2026", "1 dec. 2026",
        "2026-12-01", "  1/12-2026  ",
    ],
)
def test_every_danish_way_of_writing_the_first_of_december(text):
    assert parse_date(text, TODAY) == FIRST_DECEMBER


@pytest.mark.parametrize("text", ["i dag", "I dag", "idag", " i  dag "])
def test_today(text):
    assert parse_date(text, TODAY) == TODAY


@pytest.mark.parametrize(
    "text, expected",
    [
        ("i morgen", dt.date(2026, 11, 26)), ("I morgen", dt.date(2026, 11, 26)), ("imorgen", dt.date(2026, 11, 26)),
        ("i overmorgen", dt.date(2026, 11, 27)),
        # TODAY is a Wednesday: a weekday is the next such day, never today itself
        ("fredag", dt.date(2026, 11, 27)), ("Fredag", dt.date(2026, 11, 27)), ("på fredag", dt.date(2026, 11, 27)),
        ("onsdag", dt.date(2026, 12, 2)), ("mandag", dt.date(2026, 11, 30)), ("søndag", dt.date(2026, 11, 29)),
        ("næste torsdag", dt.date(2026, 11, 26)),
    ],
)
def test_days_counted_from_today(text, expected):
    assert TODAY.weekday() == 2
    assert parse_date(text, TODAY) == expected


def test_a_word_that_is_no_weekday_is_explained():
    with pytest.raises(DateError, match="er ikke en dato"):
        parse_date("fredagsbar", TODAY)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3. marts 2027", dt.date(2027, 3, 3)), ("3 mar 2027", dt.date(2027, 3, 3)),
        ("15 sept 2027", dt.date(2027, 9, 15)), ("15. sep. 2027", dt.date(2027, 9, 15)),
        ("7 maj 2027", dt.date(2027, 5, 7)), ("31. okt 2027", dt.date(2027, 10, 31)),
        ("29/2-2028", dt.date(2028, 2, 29)),
    ],
)
def test_month_names_and_short_forms(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("30/2-2027", "februar 2027 har ikke en 30. dag"),
        ("1/13-2027", "måned 13 findes ikke"),
        ("1. decembar 2026", 'kender ikke måneden "decembar"'),
        ("1/12", "mangler året"),
        ("1. december", "mangler året"),
        ("snart", '"snart" er ikke en dato'),
        ("", "skriv en dato"),
        ("12/1/2026/5", "er ikke en dato"),
        ("1/12-0000", "året 0 kan ikke bruges"),
    ],
)
def test_what_is_not_a_date_is_explained_in_danish(text, reason):
    with pytest.raises(DateError) as refused:
        parse_date(text, TODAY)
    assert reason in str(refused.value)
    if text.strip():
        assert "1/12-2026" in str(refused.value) or "dag" in str(refused.value)


def test_long_form_and_iso():
    assert long_date(dt.date(2026, 11, 25)) == "25. november 2026"
    assert long_date(dt.date(2027, 1, 4)) == "4. januar 2027"
    assert iso_date("4. jan 2027") == "2027-01-04"


def test_a_date_said_back_in_long_form_reads_back_as_the_same_date():
    day = dt.date(2026, 1, 1)
    while day < dt.date(2028, 1, 1):
        assert parse_date(long_date(day)) == day
        day += dt.timedelta(days=1)
