"""One table of typed settings gives the same answers through every door: `drafter new --set`,
`drafter edit --set`, the web form's field parser and `api.set` (all read by drafter.values)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter import api
from drafter.errors import UsageError
from drafter.questionnaire import load_questionnaire
from drafter.session import DraftSession
from drafter.web import form as web_form

from conftest import ADHOC_EXAMPLE

KIND = "medbudget"

# (answer path, what a person types, the answer it gives; None: no answer)
TABLE = [
    ("gruppe.navn", "Gruppe om 'fælles sprog'", "Gruppe om 'fælles sprog'"),  # quotes inside stay
    ("gruppe.navn", "'Gruppe i anførselstegn'", "Gruppe i anførselstegn"),  # quoted as a whole: the text inside
    ("gruppe.navn", '"Gruppe: med kolon"', "Gruppe: med kolon"),
    ("dokument.version", "1.0", "1.0"),  # numbers stay text as typed
    ("dokument.version", "1.10", "1.10"),
    ("dokument.version", "", None),  # empty: no answer (removes it)
    ("dokument.version", "   ", None),
    ("opgaver.opgaver", "[Første opgave, 'Anden, med komma']", ["Første opgave", "Anden, med komma"]),
    ("opgaver.opgaver", "Én opgave", ["Én opgave"]),
    ("gruppe.budget", "ja", True),
    ("gruppe.budget", "nej", False),
    ("gruppe.budget", "Ja", True),
    ("tidsplan.start", "4. januar 2027", "2027-01-04"),  # Danish dates, as drafter.dates reads them
    ("tidsplan.start", "4/1-2027", "2027-01-04"),
    ("tidsplan.start", "4.1.2027", "2027-01-04"),
    ("tidsplan.start", "2027-01-04", "2027-01-04"),
]


@pytest.fixture
def kind(tmp_path, monkeypatch):
    """adhoc plus a yes/no question (no built-in kind has one)."""
    kinds = tmp_path / "kinds"
    kinds.mkdir()
    source = load_questionnaire("adhoc").source_file.read_text(encoding="utf-8")
    text = source.replace("\nkind: adhoc\n", f"\nkind: {KIND}\n", 1)
    first = text.index("    questions:\n") + len("    questions:\n")
    switch = "      - key: budget\n        type: bool\n        prompt: Har gruppen et budget?\n"
    (kinds / f"{KIND}.yaml").write_text(text[:first] + switch + text[first:], encoding="utf-8")
    monkeypatch.setenv("DRAFTER_KINDS_PATH", str(kinds))
    return load_questionnaire(KIND)


def _draft(tmp_path: Path) -> Path:
    """The example answers as a draft of the kind (a draft is saved, not rendered)."""
    path = tmp_path / "answers" / "kladde.yaml"
    path.parent.mkdir(exist_ok=True)
    text = ADHOC_EXAMPLE.read_text(encoding="utf-8").replace("kind: adhoc\n", f"kind: {KIND}\ncomplete: false\n", 1)
    path.write_text(text, encoding="utf-8")
    return path


def through_new(questionnaire, key: str, typed: str):
    session = DraftSession(questionnaire)  # as `drafter new --set` starts its interview
    session.apply([f"{key}={typed}"])
    return session.get(key)


def through_edit(questionnaire, key: str, typed: str, tmp_path: Path):
    path = _draft(tmp_path)
    api.set_answers(path, [f"{key}={typed}"])
    return api.load(path).get(key)


def through_web(questionnaire, key: str, typed: str):
    question = questionnaire.question(key)
    section = questionnaire.section(key.split(".")[0])
    if question.type == "list":  # the form has one row per item
        items = api.set({}, key, typed, questionnaire.kind)[question.path.split(".")[0]].get(question.key) or []
        posted = {f"{key}.{i}": [item] for i, item in enumerate(items)} or {f"{key}.0": [""]}
    else:
        posted = {key: [typed]}
    read = web_form.read_section(section, posted, {})
    assert not read.errors, read.errors
    value = read.values.get(question.key)
    return value if value not in ([], "") else None


def through_api(questionnaire, key: str, typed: str):
    section, _, question_key = key.partition(".")
    return api.set({"kind": questionnaire.kind}, key, typed).get(section, {}).get(question_key)


@pytest.mark.parametrize(("key", "typed", "expected"), TABLE)
def test_one_setting_gives_the_same_answer_through_every_door(kind, tmp_path, key, typed, expected):
    got = {
        "new --set": through_new(kind, key, typed),
        "edit --set": through_edit(kind, key, typed, tmp_path),
        "web form": through_web(kind, key, typed),
        "api.set": through_api(kind, key, typed),
    }
    assert got == dict.fromkeys(got, expected)


def test_a_date_that_is_none_is_refused_the_same_way_everywhere(kind, tmp_path):
    message = "32. januar 2027"
    with pytest.raises(UsageError, match="tidsplan.start"):
        through_new(kind, "tidsplan.start", message)
    with pytest.raises(UsageError, match="tidsplan.start"):
        through_edit(kind, "tidsplan.start", message, tmp_path)
    with pytest.raises(UsageError, match="tidsplan.start"):
        through_api(kind, "tidsplan.start", message)
    read = web_form.read_section(kind.section("tidsplan"), {"tidsplan.start": [message]}, {})
    assert "tidsplan.start" in read.errors


def test_a_key_set_twice_is_refused_not_guessed(kind):
    with pytest.raises(UsageError, match="står to gange"):
        DraftSession(kind).apply(["opgaver.opgaver=Første", "opgaver.opgaver=Anden"])
