"""Ctrl-C at every prompt of the real interview leaves every earlier answer on disk (issue 6).

A scripted run is walked once from start to finish; every prompt it shows is recorded, and
so is the draft on disk at the moment each prompt appears. At prompt k+1 that draft must
hold exactly the answers given to the first k prompts (the values of the full run,
restricted to what was answered), be marked `complete: false`, and no Word file may exist.
Ctrl-C writes nothing itself (the one handler, interview._guarded, only explains), so this
is the draft a Ctrl-C at prompt k+1 leaves; a fresh interview stopped by a real Ctrl-C at
one prompt of every kind (text, menu, a section's form, multi-line, a list, an entry's form,
the review) proves that, and that the interruption says where the draft is and how to go
on with `--resume`. The cost grows linearly with the number of prompts, not quadratically.

Each step of a script is annotated with what it answers, independently of the code under
test: a question ("gruppe.navn"), one entry of a list ("opgaver.opgaver", 0; the list's
other entries, typed in the same prompt, under ``also``), a whole entry of a list with
fields, given in one form ("formandskab.formaend", 1), a section's questions on one form (the
first, the others under ``also``); None for prompts that
give no value (the empty entry that ends a list, picking "Andet (skriv selv)" before the
own text is typed, the review). An empty entry names the list it ends (``ends``).
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from interview_keys import CTRL_C, DOWN, END, ENTER, form, paragraphs, piped, typed

from drafter import interview
from drafter import prompts as prompt_module
from drafter.answers import check_file, load_answers
from drafter.yamlread import is_empty, parse_answer_text, read_answer_file
from drafter.questionnaire import load_questionnaire

TODAY = dt.date(2026, 11, 25)


@dataclass(frozen=True)
class Step:
    keys: str
    answers: tuple | None = None  # (path,) or (path, index); None: no value
    ends: str | None = None  # the list an empty entry ends
    also: tuple = ()  # further answers the same prompt gives (a form's other questions, a list's other entries)


def S(keys: str, *answers, also: tuple = ()) -> Step:
    return Step(keys, tuple(answers) or None, None, also)


def L(path: str, *entries: str) -> Step:
    """A list's entries in its one prompt, one a line; Enter on an empty line ends it."""
    return Step("".join(typed(e) for e in entries) + END, (path, 0), None, tuple((path, i) for i in range(1, len(entries))))


def E(path: str) -> Step:
    """The empty entry that ends the list at *path*."""
    return Step(END, None, path)


ADHOC = [
    S(typed("Ad-hoc gruppe om søvn på plejecentre"), "gruppe.navn"),
    S(ENTER, "gruppe.type"),
    S(DOWN + ENTER, "gruppe.nedsat_af"),
    S(ENTER, "gruppe.klynge"),
    # One form: a date refused once (the form stays), then the version and status suggested.
    S(form("30/2-2026") + form("1/12-2026", "", "", "Fællessekretariatet i Midtklyngen"), "dokument.dato",
      also=(("dokument.version",), ("dokument.status",), ("dokument.forfatter",))),
    S(paragraphs("Beboere sover dårligt.", "Gruppen skal finde ud af hvorfor."), "formaal.tekst"),
    L("opgaver.opgaver", "Kortlægge søvnvaner", "Afprøve en aftenrutine"),
    E("opgaver.snitflader"),  # optional: none
    S(paragraphs("To pårørende deltager."), "opgaver.patientperspektiv"),
    S(form("Mette Kjærgaard", "Overlæge", "Hospitalsenhed Midt"), "formandskab.formaend", 0),
    S(form("Søren Østergaard", "Sundhedschef", "Viborg Kommune"), "formandskab.formaend", 1),
    E("formandskab.formaend"),
    S(form("Lone Bæk", "Sygeplejerske", "Plejecenter Åbo", "Tovholder"), "formandskab.medlemmer", 0),
    E("formandskab.medlemmer"),
    S(paragraphs("Fællessekretariatet."), "formandskab.sekretariat"),
    S(typed("4. januar 2027"), "tidsplan.start"),
    S(typed("1.12.2026") + typed("31 dec 2027"), "tidsplan.slut"),  # before the start: asked again
    S(form("1/3-2027", "Kortlægning færdig"), "tidsplan.milepaele", 0),
    E("tidsplan.milepaele"),
    S(form("01-06-2027", "", "Status"), "tidsplan.rapportering", 0),  # to whom: the suggestion
    E("tidsplan.rapportering"),
    L("kommunikation.interessenter", "Hjemmeplejen"),
    S(form("Formandskabet", "Plejecentrene", "Ny aftenrutine", "Marts 2027"), "kommunikation.plan", 0),
    E("kommunikation.plan"),
    S(paragraphs("Slutrapport til temagruppen."), "afslutning.tekst"),
    S(paragraphs("Anbefalinger til temagruppen."), "afslutning.overdragelse"),
    S(ENTER),  # the review: approve
]

THEME_GROUP = [
    S(DOWN + ENTER, "gruppe.navn"),  # from the reference list: the draft is named after it
    S(ENTER, "gruppe.klynge"),
    S(ENTER, "gruppe.nedsat_af"),
    S(DOWN * 2 + ENTER, "gruppe.periode"),
    S(ENTER, "dokument.dato", also=(("dokument.version",), ("dokument.status",), ("dokument.forfatter",))),  # suggested
    S(ENTER, "formaal.tekst"),  # the seed's text, suggested
    L("opgaver.opgaver", "Implementeringen af samarbejdsaftaler i regi af sundhedsaftalen"),
    S(ENTER, "medlemmer.tekst"),
    S(form("Regionspsykiatrien Midt", "1-2 chef-/ledelsesrepræsentant fra Regionspsykiatrien Midt"),
      "medlemmer.medlemmer", 0),
    E("medlemmer.medlemmer"),
    S(ENTER, "medlemmer.supplering"),  # optional, left empty
    S(paragraphs("Arbejdet i temagrupperne ledes af et formandskab."), "formandskab.tekst"),
    S(ENTER, "formandskab.medformandskab"),  # the rotation plan's pair, suggested
    S(ENTER, "formandskab.hospital_fra"),  # optional, left empty
    S(paragraphs("Der udarbejdes korte beslutningsreferater fra møderne."), "formandskab.sekretariat"),
    S(ENTER, "moeder.frekvens"),  # suggested
    S(ENTER),  # the review: approve
]

SCRIPTS = {"adhoc": ADHOC, "temagruppe": THEME_GROUP}


def recording(shown: list[str], real_run, on_prompt=None):
    """prompts.run that first notes which question the prompt asks in *shown* (and calls
    *on_prompt*, before the prompt reads a key)."""

    def run(prompt, message):
        shown.append(message)
        if on_prompt is not None:
            on_prompt()
        return real_run(prompt, message)

    return run


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


@pytest.fixture
def prompts(monkeypatch) -> list[str]:
    """The question of every prompt the interview shows, in order (the real prompts still run)."""
    shown: list[str] = []
    monkeypatch.setattr(prompt_module, "run", recording(shown, prompt_module.run))
    return shown


def run(kind: str, keys: str, folder: Path, resume: Path | None = None) -> interview.Result:
    with piped(keys):
        return interview.new(
            load_questionnaire(kind), answers_dir=folder / "answers", out_dir=folder / "out", resume=resume, today=TODAY
        )


class FullRun:
    """One uninterrupted run of a script: its prompts, its finished answers and file."""

    def __init__(self, kind: str, folder: Path, shown: list[str], snapshots: list[Snapshot]):
        steps = SCRIPTS[kind]
        start = len(shown)
        result = run(kind, "".join(s.keys for s in steps), folder)
        self.kind = kind
        self.steps = steps
        self.prompts = shown[start:]
        self.snapshots = snapshots[start:]  # the folder as each prompt appeared
        self.answers = load_answers(result.answers_path)
        self.text = result.answers_path.read_text(encoding="utf-8")
        self.questionnaire = self.answers.questionnaire

    def answered(self, k: int) -> set[tuple]:
        return {a for s in self.steps[:k] if s.answers is not None for a in (s.answers, *s.also)}

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

    def value_of(self, step: Step):
        path, *rest = step.answers
        value = self.answers.get(path)
        for part in rest:
            value = value[part]
        return value

    def expected_prompt(self, step: Step) -> str:
        """How the prompt of an answering step begins: its question's (or field's) prompt."""
        return self.questionnaire.question(step.answers[0]).prompt


@pytest.fixture(scope="module")
def full_runs(tmp_path_factory):
    """The uninterrupted runs, once per module (patched by hand: monkeypatch is per test)."""
    shown: list[str] = []
    snapshots: list[Snapshot] = []
    current: list[Path] = []
    real_run = prompt_module.run
    prompt_module.run = recording(shown, real_run, lambda: snapshots.append(snapshot(current[-1])))
    try:
        runs = {}
        for kind in SCRIPTS:
            current.append(tmp_path_factory.mktemp(f"full-{kind}"))
            runs[kind] = FullRun(kind, current[-1], shown, snapshots)
        return runs
    finally:
        prompt_module.run = real_run


@pytest.mark.parametrize("kind", SCRIPTS)
def test_the_script_matches_the_prompts_of_a_full_run(full_runs, kind):
    full = full_runs[kind]
    assert len(full.prompts) == len(full.steps), full.prompts
    for number, (step, message) in enumerate(zip(full.steps, full.prompts), 1):
        if step.answers is not None:
            assert message.startswith(full.expected_prompt(step)), (number, step, message)
        else:
            assert not any(message.startswith(q.prompt) for q in full.questionnaire.questions if not q.is_repeating), (
                number, message,
            )
            if step.ends:  # an empty entry is asked as the next entry of its list
                assert message.startswith(full.questionnaire.question(step.ends).prompt), (number, message)
    assert full.prompts[-1] == "Hvad vil du nu?"  # the review
    # Every question of the kind is covered by the script (as an answer or a skipped optional list).
    answered_paths = {a[0] for s in full.steps if s.answers is not None for a in (s.answers, *s.also)}
    skipped = {q.path for q in full.questionnaire.questions if q.is_repeating and not full.answers.get(q.path)}
    assert answered_paths | skipped == {q.path for q in full.questionnaire.questions}
    # Every whole answer of the full run is accounted for by the steps.
    assert full.expected_values(len(full.steps)) == full.answers.values


def interrupted_at(kind: str, full: FullRun, k: int, folder: Path, shown: list[str]):
    """Answer the first k prompts of the full run, then Ctrl-C at prompt k+1."""
    start = len(shown)
    with pytest.raises(interview.Interrupted) as stopped:
        run(kind, "".join(s.keys for s in full.steps[:k]) + CTRL_C, folder)
    # The interruption came exactly at prompt k+1 of the full run.
    assert shown[start:] == full.prompts[: k + 1]
    return stopped.value


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
    assert draft.name == f"{interview.slugify(full.answers.get(full.steps[0].answers[0]))}.yaml"
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
    assert len(full.snapshots) == len(full.prompts) == len(full.steps)
    name = f"{interview.slugify(full.answers.get(full.steps[0].answers[0]))}.yaml"
    for k, seen in enumerate(full.snapshots):
        where = f"prompt {k + 1} ({full.prompts[k]!r})"
        assert not seen.documents, f"{where}: a Word file was written"
        if not full.answered(k):
            assert seen.drafts is None, f"{where}: something was saved before the group had a name"
            continue
        assert seen.drafts == (name,), f"{where}: {seen.drafts}"
        draft = check_file(parse_answer_text(seen.text.encode("utf-8"), name), full.kind)
        assert draft.complete is False, where
        assert draft.values == full.expected_values(k), where


# A real Ctrl-C at one prompt of every kind: nothing answered yet, a typed text, a menu, a
# section's form, a multi-line text, a list's prompt, the empty entry that ends an optional
# list, an entry's form. (The resuming tests below stop at a list, a second form and the
# review.) Each k is a fresh interview of k+1 prompts, so only these few are run.
CTRL_C_AT = {"adhoc": [0, 1, 4, 5, 6, 7, 9], "temagruppe": [0, 3, 8]}


@pytest.mark.parametrize("kind", SCRIPTS)
def test_ctrl_c_leaves_the_draft_of_its_prompt_and_says_how_to_resume(full_runs, prompts, tmp_path, kind):
    full = full_runs[kind]
    for k in CTRL_C_AT[kind]:
        folder = tmp_path / f"k{k:02d}"
        error = interrupted_at(kind, full, k, folder, prompts)
        try:
            check_draft(full, k, folder, error)
        except AssertionError as exc:
            raise AssertionError(f"Ctrl-C at prompt {k + 1} ({full.prompts[k]!r}): {exc}") from exc


def resume_keys(full: FullRun, k: int) -> str | None:
    """The keys that finish a draft interrupted at prompt k+1 with `--resume`.

    --resume goes back to a list that was being filled (its next entry, as the full run
    did), else to the first question after the last answer (so an optional question left
    empty just before the interruption is asked again).
    """
    steps = full.steps
    given = [i for i in range(k) if steps[i].answers and not is_empty(full.value_of(steps[i]))]
    if not given:
        return None
    last = given[-1]
    path = steps[last].answers[0]
    if full.questionnaire.question(path).is_repeating and (
        steps[k].ends == path or (steps[k].answers or (None,))[0] == path
    ):
        return "".join(s.keys for s in steps[k:])  # the list is still open
    return "".join(s.keys for s in steps[last + 1:])


@pytest.mark.parametrize(
    "kind, k",
    [
        ("adhoc", 6),  # at the task list: asked again
        ("adhoc", 8),  # after the optional interfaces were left empty: asked again
        ("adhoc", 10),  # at the second chair's form: the chair list goes on
        ("adhoc", 26),  # at the review: every answer given, nothing more to ask
        ("temagruppe", 14),  # after an optional date left empty: it is asked again
    ],
)
def test_resuming_a_draft_stopped_half_way_gives_the_same_answer_file(full_runs, prompts, tmp_path, kind, k):
    full = full_runs[kind]
    error = interrupted_at(kind, full, k, tmp_path, prompts)
    draft = check_draft(full, k, tmp_path, error)
    keys = resume_keys(full, k)
    assert keys is not None
    result = run(kind, keys, tmp_path, resume=draft)
    assert result.answers_path == draft
    assert draft.read_text(encoding="utf-8") == full.text
    assert result.output is not None and result.output.exists()
