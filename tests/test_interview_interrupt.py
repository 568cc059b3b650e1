"""Ctrl-C at every prompt of the real interview leaves every earlier answer on disk (issue 6).

A keyed run (answers by question key, see interview_keys.keyed) is walked once from start to
finish; the key of every prompt it shows is recorded, and so is the draft on disk at the
moment each prompt appears. At prompt k+1 that draft must hold exactly the answers given to
the first k prompts (the values of the full run, restricted to what was answered), be
marked `complete: false`, and no Word file may exist. Ctrl-C writes nothing itself (the one
handler, interview._guarded, only explains), so this is the draft a Ctrl-C at prompt k+1
leaves; a fresh interview stopped by a real Ctrl-C at one prompt of every kind (text, date,
menu, multi-line, a list's entry, an entry's form, the review) proves that, and that the
interruption says where the draft is and how to go on with `--resume`. The cost grows
linearly with the number of prompts, not quadratically.

What a prompt answers follows from the script and the kind, not from the code under test: a
question's prompt gives its answer (the last prompt of its key, when a choice's own text
takes two); a section's form (the kind's `form: true`) its short questions; a list's one
prompt all its entries; the n-th prompt of a records question named with n' entries gives
entry n while n < n' and then ends the list; the review gives no value.
The stop points and resume points are named by question key, so a question added to a kind
moves them along with it.
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from interview_keys import keyed
from test_interview import ADHOC, REVIEW
from test_interview_kinds import THEME_GROUP

from drafter import interview
from drafter.answers import check_file, load_answers
from drafter.interview_lists import together_on_a_form
from drafter.questionnaire import load_questionnaire
from drafter.session import slugify
from drafter.yamlread import parse_answer_text, read_answer_file

TODAY = dt.date(2026, 11, 25)
SCRIPTS = {"adhoc": ADHOC, "temagruppe": THEME_GROUP}


@dataclass(frozen=True)
class Snapshot:
    """The folder as a prompt appears: the drafts' names, the one draft's text, and whether
    any Word file exists."""

    drafts: tuple[str, ...] | None  # None: no answers folder at all
    text: str | None
    documents: bool


def snapshot(folder: Path) -> Snapshot:
    answers_dir = folder / "answers"
    documents = any(folder.rglob("*.docx"))
    if not answers_dir.exists():
        return Snapshot(None, None, documents)
    drafts = sorted(answers_dir.iterdir())
    text = drafts[0].read_text(encoding="utf-8") if len(drafts) == 1 else None
    return Snapshot(tuple(p.name for p in drafts), text, documents)


def run(kind: str, answers: dict, folder: Path, resume: Path | None = None, stop_at: int | None = None, on_prompt=None):
    """The interview of *kind* answered by *answers*; returns (Result or Interrupted, Script)."""
    with keyed(answers, kind, stop_at=stop_at, on_prompt=on_prompt) as script:
        try:
            result = interview.new(
                load_questionnaire(kind), answers_dir=folder / "answers", out_dir=folder / "out", resume=resume, today=TODAY
            )
        except interview.Interrupted as stopped:
            result = stopped
    return result, script


class FullRun:
    """One uninterrupted run of a script: its prompts, what each answers, its finished answers and file."""

    def __init__(self, kind: str, folder: Path):
        self.kind = kind
        self.questionnaire = load_questionnaire(kind)
        self.snapshots: list[Snapshot] = []
        result, script = run(kind, SCRIPTS[kind], folder, on_prompt=lambda: self.snapshots.append(snapshot(folder)))
        assert isinstance(result, interview.Result), result
        self.asked, self.sent, self.unused = script.asked, script.sent, script.unused()
        self.answers = load_answers(result.answers_path)
        self.text = result.answers_path.read_text(encoding="utf-8")
        self.steps = self._steps()

    def _steps(self) -> list[set[tuple]]:
        """What each prompt answers: {(path,)}, {(path, entry), ...}, or nothing (an empty
        entry, the review). A section's form answers its questions; a list's one prompt all
        its entries; a records question's prompt one entry while the script names one."""
        steps: list[set[tuple]] = []
        seen: dict[str, int] = {}
        for number, key in enumerate(self.asked):
            question = self.questionnaire.question(key)
            section = self.questionnaire.section(key)
            nth = seen[key] = seen.get(key, -1) + 1
            if section is not None:  # the section's short questions on one form
                steps.append({(q.path,) for q in together_on_a_form(section, section.questions)})
            elif question is None:
                steps.append(set())
            elif question.type == "list":
                steps.append({(key, i) for i in range(len(self.answers.get(key)))})
            elif question.type == "records":
                named = SCRIPTS[self.kind].get(key, [])
                steps.append({(key, nth)} if nth < len(named) else set())
            else:  # its last prompt gives the answer
                steps.append({(key,)} if key not in self.asked[number + 1:] else set())
        return steps

    def answered(self, k: int) -> set[tuple]:
        return set().union(*self.steps[:k])

    def expected_values(self, k: int) -> dict[str, dict]:
        """The full run's values, restricted to what the first k prompts answered, in the shape
        load_answers gives a draft (unanswered: None or []; an entry's unanswered fields: None)."""
        given = self.answered(k)
        values: dict[str, dict] = {s.key: {} for s in self.questionnaire.sections}
        for question in self.questionnaire.questions:
            section, key = question.path.split(".")
            full = self.answers.get(question.path)
            if question.type == "list":
                value = [item for i, item in enumerate(full) if (question.path, i) in given]
            elif question.type == "records":
                value = [
                    {f.key: entry.get(f.key) for f in question.fields}
                    for i, entry in enumerate(full) if (question.path, i) in given
                ]
            else:
                value = full if (question.path,) in given else None
            values[section][key] = value
        return values

    def prompt_of(self, key: str, nth: int = 0) -> int:
        """The number (from 0) of the *nth* prompt of *key*."""
        return [i for i, asked in enumerate(self.asked) if asked == key][nth]

    def resume_answers(self, k: int) -> dict[str, list[str]]:
        """The answers that finish a draft interrupted at prompt k+1: the keys the full run
        gave from that prompt on, by key. (--resume goes back to a list that was being
        filled, else to the first question after the last answer: one left empty just
        before takes Enter again.)"""
        rest: dict[str, list[str]] = {}
        for key, keys in zip(self.asked[k:], self.sent[k:]):
            rest.setdefault(key, []).append(keys)
        return rest


@pytest.fixture(scope="module")
def full_runs(tmp_path_factory):
    """The uninterrupted runs, once per module."""
    return {kind: FullRun(kind, tmp_path_factory.mktemp(f"full-{kind}")) for kind in SCRIPTS}


@pytest.mark.parametrize("kind", SCRIPTS)
def test_a_full_run_asks_every_named_question_and_accounts_for_every_answer(full_runs, kind):
    full = full_runs[kind]
    assert full.unused == {}, "named in the script but never asked"
    assert full.asked[-1] == REVIEW
    known = {q.path for q in full.questionnaire.questions} | {s.key for s in full.questionnaire.sections if s.form}
    assert set(full.asked[:-1]) <= known, set(full.asked[:-1]) - known  # every other prompt asks a question (or a form)
    # Every whole answer of the full run is accounted for by the prompts.
    assert full.expected_values(len(full.steps)) == full.answers.values


def interrupted_at(full: FullRun, k: int, folder: Path) -> interview.Interrupted:
    """Answer the first k prompts of the full run, then Ctrl-C at prompt k+1."""
    stopped, script = run(full.kind, SCRIPTS[full.kind], folder, stop_at=k)
    assert isinstance(stopped, interview.Interrupted), stopped
    assert script.asked == full.asked[: k + 1]  # the interruption came exactly at prompt k+1 of the full run
    return stopped


def check_draft(full: FullRun, k: int, folder: Path, error: interview.Interrupted) -> Path | None:
    answers_dir = folder / "answers"
    # Ctrl-C writes nothing: the folder is as it was when the full run showed this prompt.
    assert snapshot(folder) == full.snapshots[k], "Ctrl-C changed the draft of its prompt"
    assert error.exit_code == 130
    assert not list(folder.rglob("*.docx")), "a Word file was written"
    if not full.answered(k):
        # Nothing was answered: nothing is written, not even the folder, and the message says so.
        assert not answers_dir.exists()
        assert str(error) == "Afbrudt. Intet er gemt, for gruppens navn var ikke angivet endnu."
        return None
    drafts = sorted(answers_dir.iterdir())
    assert len(drafts) == 1, drafts
    draft = drafts[0]
    assert draft.name == f"{slugify(full.answers.get(full.questionnaire.questions[0].path))}.yaml"
    assert read_answer_file(draft).data["complete"] is False
    assert load_answers(draft, full.kind).values == full.expected_values(k)
    assert str(error) == (
        f"Afbrudt. Dine svar indtil nu er gemt i {draft}.\n"
        f"Fortsæt, hvor du slap, med:\n  drafter new {full.kind} --resume {shlex.quote(str(draft))}"
    )
    return draft


@pytest.mark.parametrize("kind", SCRIPTS)
def test_at_every_prompt_the_draft_holds_exactly_the_answers_given(full_runs, kind):
    full = full_runs[kind]
    assert len(full.snapshots) == len(full.asked) == len(full.steps)
    name = f"{slugify(full.answers.get(full.questionnaire.questions[0].path))}.yaml"
    for k, seen in enumerate(full.snapshots):
        where = f"prompt {k + 1} ({full.asked[k]!r})"
        assert not seen.documents, f"{where}: a Word file was written"
        if not full.answered(k):
            assert seen.drafts is None, f"{where}: something was saved before the group had a name"
            continue
        assert seen.drafts == (name,), f"{where}: {seen.drafts}"
        draft = check_file(parse_answer_text(seen.text.encode("utf-8"), name), full.kind)
        assert draft.complete is False, where
        assert draft.values == full.expected_values(k), where


# A real Ctrl-C at one prompt of every kind: nothing answered yet, a menu after a typed text,
# a section's form (its date asked again after a wrong one), a multi-line text, a list, an
# optional list left empty, an entry's form. (The resuming tests below stop at a list, a
# second form and the review.) Each is a fresh interview up to that prompt,
# so only these few are run.
CTRL_C_AT = {
    "adhoc": [("gruppe.navn", 0), ("gruppe.type", 0), ("dokument", 0), ("formaal.tekst", 0),
              ("opgaver.opgaver", 0), ("opgaver.snitflader", 0), ("formandskab.formaend", 0)],
    "temagruppe": [("gruppe.navn", 0), ("gruppe.periode", 0), ("medlemmer.medlemmer", 0)],
}


@pytest.mark.parametrize("kind", SCRIPTS)
def test_ctrl_c_leaves_the_draft_of_its_prompt_and_says_how_to_resume(full_runs, tmp_path, kind):
    full = full_runs[kind]
    for key, nth in CTRL_C_AT[kind]:
        k = full.prompt_of(key, nth)
        folder = tmp_path / f"k{k:02d}"
        error = interrupted_at(full, k, folder)
        try:
            check_draft(full, k, folder, error)
        except AssertionError as exc:
            raise AssertionError(f"Ctrl-C at prompt {k + 1} ({key}): {exc}") from exc


@pytest.mark.parametrize(
    "kind, key, nth",
    [
        ("adhoc", "opgaver.opgaver", 0),  # at the task list: it is asked again
        ("adhoc", "opgaver.patientperspektiv", 0),  # after the optional interfaces were left empty: asked again
        ("adhoc", "formandskab.formaend", 1),  # at the second chair's form: the chair list goes on
        ("adhoc", REVIEW, 0),  # at the review: every answer given, nothing more to ask
        ("temagruppe", "formandskab.sekretariat", 0),  # after an optional date left empty: it is asked again
    ],
)
def test_resuming_a_draft_stopped_half_way_gives_the_same_answer_file(full_runs, tmp_path, kind, key, nth):
    full = full_runs[kind]
    k = full.prompt_of(key, nth)
    error = interrupted_at(full, k, tmp_path)
    draft = check_draft(full, k, tmp_path, error)
    result, script = run(kind, full.resume_answers(k), tmp_path, resume=draft)
    assert isinstance(result, interview.Result), result
    assert script.unused() == {}
    assert result.answers_path == draft
    assert draft.read_text(encoding="utf-8") == full.text
    assert result.output is not None and result.output.exists()
