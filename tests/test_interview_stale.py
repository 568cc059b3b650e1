"""The answer file changed on disk while the interview was open: nothing is lost either way.

The real interview (keyed input) edits the section "gruppe"; just before its first save, the file is
changed on disk as an editor would (another answer, and a comment). The interview
notices, asks in Danish, and either merges the two (reload) or keeps its answers in a
new file beside the changed one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from interview_keys import DOWN, ENTER, keyed, typed

from drafter import interview
from drafter.answers import load_answers

NEW_NAME = "Ad-hoc gruppe om sikker udskrivelse"


def section_1(choice: str) -> dict[str, str]:
    """Section 1 answered (a new name; Enter keeps the rest), with *choice* picked when the
    interview notices the change (at the first save)."""
    return {"gruppe.navn": typed(NEW_NAME), "Hvad vil du gøre?": choice}


def _edit_with_change_on_disk(path: Path, answers: dict, change, monkeypatch, tmp_path) -> interview.Result:
    real_save = interview.Interview.save
    calls = {"n": 0}

    def save_after_someone_else(self):
        calls["n"] += 1
        if calls["n"] == 1:  # while the first question was open, an editor saved the file
            path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
        real_save(self)

    monkeypatch.setattr(interview.Interview, "save", save_after_someone_else)
    with keyed(answers):
        return interview.edit(path, section="gruppe", out_dir=tmp_path / "out")


def _hand_edit(text: str) -> str:
    assert '  version: "1.0"' in text
    return text.replace('  version: "1.0"', '  version: "1.1"  # rettet i hånden').replace(
        "# 1. Formål", "# Husk at læse formålet op på mødet\n# 1. Formål"
    )


def test_reload_keeps_the_hand_edit_and_the_typed_answer(adhoc_example, monkeypatch, tmp_path):
    result = _edit_with_change_on_disk(adhoc_example, section_1(ENTER), _hand_edit, monkeypatch, tmp_path)
    text = adhoc_example.read_text(encoding="utf-8")
    assert '  version: "1.1"  # rettet i hånden' in text
    assert "# Husk at læse formålet op på mødet" in text
    assert f"  navn: {NEW_NAME}" in text
    assert result.answers_path == adhoc_example
    assert not list(adhoc_example.parent.glob("*-mine-svar*.yaml"))
    assert load_answers(adhoc_example).get("dokument.version") == "1.1"


def test_save_beside_leaves_the_changed_file_alone(adhoc_example, monkeypatch, tmp_path):
    result = _edit_with_change_on_disk(adhoc_example, section_1(DOWN + ENTER), _hand_edit, monkeypatch, tmp_path)
    text = adhoc_example.read_text(encoding="utf-8")
    assert '  version: "1.1"  # rettet i hånden' in text  # the hand edit, untouched
    assert NEW_NAME not in text
    beside = adhoc_example.with_name(f"{adhoc_example.stem}-mine-svar.yaml")
    assert result.answers_path == beside
    assert load_answers(beside).get("gruppe.navn") == NEW_NAME
    assert result.output == tmp_path / "out" / f"{beside.stem}.docx"


def test_reload_with_the_same_answer_changed_in_both_keeps_both(adhoc_example, monkeypatch, tmp_path):
    def rename(text: str) -> str:
        return text.replace("  navn: Ad-hoc gruppe om udskrivelse af skrøbelige ældre", "  navn: Navnet fra editoren")

    _edit_with_change_on_disk(adhoc_example, section_1(ENTER), rename, monkeypatch, tmp_path)
    assert load_answers(adhoc_example).get("gruppe.navn") == "Navnet fra editoren"
    beside = adhoc_example.with_name(f"{adhoc_example.stem}-mine-svar.yaml")
    assert load_answers(beside).get("gruppe.navn") == NEW_NAME
