"""`drafter new` and `drafter edit` as commands: without a terminal, and in a real one (tmux)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import REPO, assert_clean_failure, run_cli

from drafter.answers import load_answers


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    "args",
    [
        ("new", "adhoc"),
        ("new",),
        ("new", "adhoc", "--set", "gruppe.navn=Gruppe om noget"),
        ("new", "adhoc", "--resume", "answers/udskrivelse-af-skroebelige-aeldre.yaml"),
        ("edit", "answers/udskrivelse-af-skroebelige-aeldre.yaml", "--section", "3"),
    ],
)
def test_without_a_terminal_nothing_is_written(workdir, args):
    before = _files(workdir)
    result = run_cli(*args, cwd=workdir)  # stdin is /dev/null, as in CI
    assert_clean_failure(result, "terminal", "drafter render", "--resume")
    assert result.returncode == 2
    assert _files(workdir) == before


def test_piped_input_is_not_a_terminal_either(workdir):
    before = _files(workdir)
    result = run_cli("new", "adhoc", cwd=workdir, input="Gruppe om noget\n")
    assert_clean_failure(result, "Intet er skrevet")
    assert _files(workdir) == before


def test_unknown_kind_is_named(workdir):
    assert_clean_failure(run_cli("new", "adhok", cwd=workdir), 'ukendt kommissorietype "adhok"', 'mente du "adhoc"')


def test_help_lists_the_new_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "new" in result.stdout and "edit" in result.stdout
    new_help = run_cli("new", "--help").stdout
    for option in ("--answers-dir", "--out-dir", "--resume", "--set"):
        assert option in new_help
    assert "--section" in run_cli("edit", "--help").stdout


# -- a real terminal -------------------------------------------------------------------------

class Tmux:
    """One detached tmux session running a command; its screen read with capture-pane.

    With *kind*, a prompt of one of its optional questions (not a list's) that appears while
    a test waits for something else is answered with Enter, its default: a question added to
    the kind does not stop a test that does not name it (``skipped`` counts them)."""

    def __init__(self, command: str, cwd: Path, size: tuple[int, int] = (110, 40), kind: str | None = None):
        self.name = f"drafter-{uuid.uuid4().hex[:8]}"
        self.socket = ["-L", self.name]  # a server of its own, gone when the test ends
        columns, rows = size
        self._tmux("new-session", "-d", "-s", self.name, "-x", str(columns), "-y", str(rows), "-c", str(cwd), command)
        self._tmux("set-option", "-t", self.name, "remain-on-exit", "on")
        self.optional = optional_prompts(kind) if kind else set()
        self.seen: set[str] = set()
        self.skipped = 0

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", *self.socket, *args], capture_output=True, text=True, check=True).stdout

    def send(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", self.name, "-l", text)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, limit: float = 30) -> str:
        """The screen once *text* is on it (a wait, not a timing check: slow machines pass)."""
        deadline = time.monotonic() + limit
        while True:
            screen = self.screen()
            shown = {prompt for prompt in self.optional if prompt in screen}
            if text in screen:  # the prompts up to it are answered; one below it is the next
                self.seen |= {prompt for prompt in shown if screen.rfind(prompt) <= screen.rfind(text)}
                return screen
            if shown - self.seen:  # an optional question nobody waits for: its default
                self.seen |= shown
                self.skipped += 1
                self.send("Enter")
            elif time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared on the screen:\n{screen}")
            time.sleep(0.1)

    def exit_status(self) -> int:
        """The command's exit status, once it has ended (printed by the wrapping shell)."""
        screen = self.wait_for(EXIT_MARK)
        return int(re.search(re.escape(EXIT_MARK) + r"(\d+)", screen).group(1))

    def close(self) -> None:
        # Only this session: its private server then exits by itself (never kill-server).
        subprocess.run(["tmux", *self.socket, "kill-session", "-t", self.name], capture_output=True)


needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


EXIT_MARK = "drafter-exit="


def optional_prompts(kind: str) -> set[str]:
    """The start of each optional question's prompt (as a narrow screen shows it), lists left
    out: a list's prompt is a heading printed before the list's own prompt is up."""
    from drafter.errors import DrafterError
    from drafter.questionnaire import load_questionnaire

    try:
        questions = load_questionnaire(kind).questions
    except DrafterError:  # a kind the test expects drafter to refuse
        return set()
    return {q.prompt[:30] for q in questions if not q.required and not q.is_repeating}


def kind_of(args: str) -> str | None:
    """The kind `drafter new KIND ...` asks about; None for other commands."""
    words = args.split()
    return words[1] if len(words) > 1 and words[0] == "new" and not words[1].startswith("-") else None


def drafter_in_tmux(args: str, cwd: Path, size: tuple[int, int] = (110, 40), kind: str | None = None) -> Tmux:
    env = f"PYTHONPATH={shlex.quote(str(REPO))} PYTHONIOENCODING=utf-8 LANG=C.UTF-8 TERM=xterm-256color"
    command = f"env {env} {shlex.quote(sys.executable)} -m drafter {args}; echo {EXIT_MARK}$?"
    return Tmux(f"sh -c {shlex.quote(command)}", cwd, size, kind=kind or kind_of(args))


@needs_tmux
def test_ctrl_c_in_a_real_terminal_keeps_the_draft(workdir):
    session = drafter_in_tmux("new adhoc", workdir)
    try:
        session.wait_for("Hvad hedder gruppen?")
        session.type("Ad-hoc gruppe om søvn")
        session.send("Enter")
        session.wait_for("Er det en ad-hoc gruppe eller en projektgruppe?")
        session.wait_for("» ad-hoc gruppe")  # the menu itself is waiting for keys
        session.send("Down")
        session.wait_for("» projektgruppe")
        session.send("Enter")
        session.wait_for("Hvem nedsætter projektgruppen?")  # the project-group kind's own wording
        session.send("C-c")
        screen = session.wait_for("Fortsæt, hvor du slap")
        draft = workdir / "answers" / "ad-hoc-gruppe-om-soevn.yaml"
        assert "Afbrudt. Dine svar indtil nu er gemt i answers/ad-hoc-gruppe-om-soevn.yaml" in screen
        # One route to a project group: it goes on as the project-group kind, with its wording.
        assert "drafter new projektgruppe --resume answers/ad-hoc-gruppe-om-soevn.yaml" in screen
        assert "Traceback" not in screen
        text = draft.read_text(encoding="utf-8")
        assert "complete: false" in text
        assert "navn: Ad-hoc gruppe om søvn" in text
        assert "type: projektgruppe" in text and "kind: projektgruppe" in text
        assert "nedsat_af" not in text
        assert session.exit_status() == 130
        if os.environ.get("DRAFTER_SHOW_SCREEN"):
            print(screen)
    finally:
        session.close()


@needs_tmux
def test_edit_in_a_real_terminal_explains_a_bad_date_then_saves_and_renders(adhoc_example, workdir):
    session = drafter_in_tmux(f"edit answers/{adhoc_example.name} --section 4", workdir, kind="adhoc")
    try:
        session.wait_for("4/6 Tidsplan")
        session.wait_for("Hvornår begynder gruppen sit arbejde?")
        session.send("C-u")
        session.type("2027-02-30")
        session.send("Enter")
        session.wait_for("er ikke en gyldig dato: februar 2027 har ikke en 30. dag")
        session.send("C-u")
        session.type("11/1-2027")
        session.send("Enter")
        session.wait_for("11. januar 2027")  # said back in long form
        session.wait_for("Hvornår afslutter gruppen sit arbejde?")
        session.send("Enter")  # keep the end date
        for repeating in ("Hvilke milepæle har gruppen?", "Hvornår og til hvem rapporterer gruppen?"):
            session.wait_for(repeating)
            session.wait_for("» Færdig, videre")  # the menu is waiting for keys
            session.send("Enter")
        screen = session.wait_for("Dokument: out/")
        assert session.exit_status() == 0
        assert f"Svarfil: answers/{adhoc_example.name}" in screen
        assert "start: 2027-01-11" in adhoc_example.read_text(encoding="utf-8")
        assert (workdir / "out" / f"{adhoc_example.stem}.docx").is_file()
        assert "Traceback" not in screen
    finally:
        session.close()


def _fits(screen: str, columns: int) -> None:
    assert all(len(line) <= columns for line in screen.splitlines()), screen


@needs_tmux
def test_a_member_is_added_in_one_form_on_an_80_by_24_screen(adhoc_example, workdir):
    session = drafter_in_tmux(f"edit answers/{adhoc_example.name} --section 3", workdir, size=(80, 24), kind="adhoc")
    try:
        session.wait_for("Hvem er formand?")
        session.wait_for("» Færdig, videre")
        session.send("Enter")  # the chairs stay
        session.wait_for("Hvem er medlem af gruppen?")
        session.wait_for("» Færdig, videre")
        session.send("Down", "Enter")  # "Tilføj"
        screen = session.wait_for("Tab: næste felt")
        for label in ("Navn", "Titel", "Organisation", "Tab: næste felt"):
            assert label in screen  # every field of the member on one screen, with the keys
        _fits(screen, 80)
        session.type("Ida Holm")
        session.send("Tab")
        session.type("Visitator")
        session.send("Tab")
        session.type("viborg")
        session.wait_for("↑/↓: vælg i listen")  # the list's choices that match what is typed
        session.send("Down", "Enter")  # Enter takes the chosen item and saves the member (no role)
        session.wait_for("✓ Medlem")
        session.wait_for("tom formular: færdig")
        session.send("Enter")  # an empty form ends the list
        session.wait_for("» Færdig, videre")
        session.send("Enter")
        session.wait_for("Hvem sekretariatsbetjener gruppen?")
        session.send("Enter", "Enter")  # keep the text: a new empty line, and Enter on it ends
        screen = session.wait_for("Dokument: out/")
        assert session.exit_status() == 0
        assert "Traceback" not in screen
        members = load_answers(adhoc_example).get("formandskab.medlemmer")
        assert members[-1] == {"navn": "Ida Holm", "titel": "Visitator", "organisation": "Viborg Kommune", "rolle": None}
    finally:
        session.close()


@needs_tmux
def test_new_without_a_kind_offers_the_kinds(workdir):
    session = drafter_in_tmux("new", workdir, size=(80, 24))
    try:
        screen = session.wait_for("Hvilken slags kommissorium vil du skrive?")
        assert "Ad-hoc gruppe eller projektgruppe (adhoc)" in screen and "Temagruppe" in screen
        session.wait_for("» ")
        session.send("Enter")  # the first kind
        session.wait_for("Hvad hedder gruppen?")
        session.send("C-c")
        screen = session.wait_for("Intet er gemt")
        assert session.exit_status() == 130
        assert "Traceback" not in screen
    finally:
        session.close()


def test_help_says_the_keys_the_forms_say():
    new_help = " ".join(run_cli("new", "--help").stdout.split())
    assert "gemmer Enter posten fra ethvert felt, og Tab går til næste felt" in new_help
    assert "afsluttes med Enter på en tom linje" in new_help
