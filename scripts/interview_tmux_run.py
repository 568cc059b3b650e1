"""A whole `drafter new adhoc` (or `arbejdsgruppe`) in a real 80x24 terminal (tmux), as a
consultant types it.

A municipality's group in a workspace made from the neutral profile and filled in as
"Skovby Kommune" (issue 28): 2 chairs, 6 members, 3 milestones and 3 tasks (and, for adhoc,
the one report, stakeholder and communication task the kind requires). Every step waits
for its prompt on the screen, then types the answer. The script counts the prompts (screens
answered), keeps every pane it saw, measures the wall time and saves what a record's form
and the review look like.

    python scripts/interview_tmux_run.py [FOLDER] [COLUMNSxROWS] [--kind=arbejdsgruppe]
    # screens go to FOLDER (default: a temp folder); --kind=arbejdsgruppe: the working group's run
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]


def tmux_session(args: str, folder: Path, size: tuple[int, int]):
    # Imported here: scripts/measure_latency.py runs the same commission in a pseudo-terminal
    # of its own (its own session), without tmux or the test suite's dependencies.
    from test_interview_cli import drafter_in_tmux

    return drafter_in_tmux(args, folder, size=size)  # an optional question the run does not name: Enter


# The workspace: `drafter init --profile neutral`, then the municipality's own facts.
SKOVBY_PROFILE = """\
schema_version: 1
organisation:
  navn: Skovby Kommune
  type: kommune
sekretariat: Sundhedssekretariatet i Skovby Kommune
forfatter: Sundhedssekretariatet
formandskab:
  model: en
"""

NAME = "Arbejdsgruppe om hjemmepleje og genoptræning"
TASKS = ["Kortlægge borgernes forløb", "Beskrive en fælles arbejdsgang", "Afprøve arbejdsgangen i to distrikter"]
MEMBERS = [
    ("Lise Holm", "Leder af hjemmeplejen", "Skovby Kommune", "Tovholder"),
    ("Peter Sand", "Terapeut", "Træningscentret Skovby", ""),
    ("Amira Haddad", "Sygeplejerske", "Skovby Kommune", ""),
    ("Jens Møller", "Praktiserende læge", "Lægehuset i Skovby", "Praksiskonsulent"),
    ("Ørnulf Åberg", "Visitator", "Skovby Kommune", ""),
    ("Karen Øst", "Pårørenderepræsentant", "Ældrerådet", ""),
]
CHAIRS = [("Hanne Dal", "Sundhedschef", "Skovby Kommune"), ("Bo Riis", "Områdeleder", "Skovby Kommune")]
MILESTONES = [("1/3-2027", "Kortlægningen er færdig"), ("1. juni 2027", "Arbejdsgangen er afprøvet"),
              ("15 okt 2027", "Evalueringen er færdig")]


@dataclass
class RunResult:
    prompts: int
    status: int
    seconds: float
    panes: list[str] = field(default_factory=list)  # every screen seen while waiting for a prompt
    screens: dict[str, str] = field(default_factory=dict)  # named ones: a form, the review
    folder: Path | None = None


class Run:
    def __init__(self, session):
        self.session = session
        self.prompts = 0
        self.panes: list[str] = []
        self.screens: dict[str, str] = {}

    def wait(self, marker: str) -> str:
        screen = self.session.wait_for(marker)
        self.panes.append(screen)
        return screen

    def answer(self, marker: str, *keys: str, literal: str | None = None) -> None:
        """Wait for a prompt showing *marker*, then answer it (one prompt)."""
        self.wait(marker)
        self.prompts += 1
        if literal is not None:
            self.session.type(literal)
        if keys:
            self.session.send(*keys)

    def text(self, marker: str, value: str) -> None:
        self.answer(marker, "Enter", literal=value)

    def skip(self, marker: str) -> None:
        self.answer(marker, "Enter")

    def paragraphs(self, marker: str, *parts: str) -> None:
        """One paragraph a line; Enter on the empty line after the last ends the answer."""
        self.wait(marker)
        self.prompts += 1
        for part in parts:
            self.session.type(part)
            self.session.send("Enter")
        self.session.send("Enter")

    def lines(self, marker: str, *entries: str) -> None:
        """A list in its one prompt: an entry a line, Enter on an empty line ends it."""
        self.paragraphs(marker, *entries)

    def records(self, noun: str, entries: list, capture: dict[int, str] | None = None) -> None:
        """Each entry's form ("Medlem 1:" ...), then the empty form that ends the list."""
        for number, entry in enumerate(entries, 1):
            self.form(f"{noun} {number}:", *entry, capture=(capture or {}).get(number))
        self.skip(f"{noun} {len(entries) + 1}:")

    def form(self, title: str, *values: str, capture: str | None = None) -> None:
        """One record (or a section's questions): every field typed, Tab between them; Enter
        saves it from any field."""
        self.wait(title)
        self.wait("Enter: gem")
        self.prompts += 1
        for number, value in enumerate(values):
            if number:
                self.session.send("Tab")
            if value:
                self.session.type(value)
        time.sleep(0.2)
        shown = self.session.screen()
        self.panes.append(shown)
        if capture:
            self.screens[capture] = shown
        self.session.send("Enter")


def run_commission(folder: Path, size: tuple[int, int] = (80, 24), start=tmux_session) -> RunResult:
    """The whole ad-hoc commission in tmux at *size* (or the session *start* gives); the
    workspace is made in *folder*."""
    return _run("adhoc", folder, size, start, _adhoc)


def run_working_group(folder: Path, size: tuple[int, int] = (80, 24), start=tmux_session) -> RunResult:
    """The working group's commission of issue 28 (`drafter new arbejdsgruppe`): the same group,
    chairs, members, milestones and tasks, with a purpose, a background, a mandate, meetings and
    a reporting cycle; every other optional question skipped, as a consultant would."""
    return _run("arbejdsgruppe", folder, size, start, _working_group)


def _run(kind: str, folder: Path, size: tuple[int, int], start, answer) -> RunResult:
    """`drafter new KIND` in a Skovby Kommune workspace made in *folder*: *answer* answers every
    question, then the review is approved and the document awaited."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "drafter.yaml").write_text(SKOVBY_PROFILE, encoding="utf-8")
    began = time.monotonic()
    run = Run(start(f"new {kind}", folder, size))
    try:
        answer(run)
        run.screens["review"] = run.wait("Hvad vil du nu?")
        run.answer("Hvad vil du nu?", "Enter")
        run.screens["end"] = run.session.wait_for("Dokument: ", limit=90)
        run.panes.append(run.screens["end"])
        status = run.session.exit_status()
    finally:
        run.session.close()
    return RunResult(run.prompts + getattr(run.session, "skipped", 0), status, time.monotonic() - began, run.panes,
                     run.screens, folder)


def _adhoc(run: Run) -> None:
    run.text("Hvad hedder gruppen?", NAME)
    run.skip("Er det en ad-hoc gruppe")
    run.text("Hvem nedsætter gruppen?", "Sundheds- og ældreudvalget")  # own text: no list in this profile
    run.screens["organisation"] = run.wait("» Skovby Kommune")  # the profile's organisation, first
    run.skip("Hvilken organisation")
    run.screens["author"] = run.wait("Sundhedssekretariatet")  # the profile's author, suggested
    run.form("Forfatter", "i morgen")  # one form: the date typed; version, status and author suggested
    run.paragraphs("Hvad er formålet med gruppens arbejde?",
                   "Borgere i hjemmeplejen får genoptræning for sent efter udskrivelse.",
                   "Gruppen skal finde en fælles arbejdsgang mellem hjemmepleje og træning.")
    run.lines("Én opgave pr. linje", *TASKS)
    run.skip("Snitflade 1:")
    run.paragraphs("Hvordan inddrages patient- og pårørendeperspektivet?",
                   "Ældrerådet udpeger en repræsentant til gruppen.")
    run.records("Formand", CHAIRS)
    run.records("Medlem", MEMBERS, capture={4: "form"})
    run.screens["secretariat"] = run.wait("Sundhedssekretariatet i Skovby Kommune")
    run.skip("Hvem sekretariatsbetjener gruppen")  # the profile's secretariat
    run.text("Hvornår begynder gruppen", "1/2-2027")
    run.text("Hvornår afslutter gruppen", "15. december 2027")
    run.records("Milepæl", MILESTONES)
    run.form("Afrapportering 1:", "1/12-2027", "", "Anbefalingerne")  # to whom: who commissioned the group
    run.skip("Afrapportering 2:")
    run.lines("Én interessent pr. linje", "Hjemmeplejen")
    run.form("Kommunikationsopgave 1:", "Formandskabet", "Ledere i hjemmeplejen", "Den nye arbejdsgang",
             "Efter afprøvningen")
    run.skip("Kommunikationsopgave 2:")
    run.paragraphs("Hvordan afsluttes gruppens arbejde?", "Med anbefalinger til Sundheds- og ældreudvalget.")
    run.paragraphs("Hvad overdrages, og til hvem?", "Arbejdsgangen overdrages til hjemmeplejen.")


def _working_group(run: Run) -> None:
    run.text("Hvad hedder gruppen?", NAME)
    run.text("Hvem nedsætter gruppen", "Sundheds- og ældreudvalget")  # own text: no list in this profile
    run.screens["organisation"] = run.wait("» Skovby Kommune")  # the profile's organisation, first
    run.skip("Hvilken organisation hører gruppen til")
    run.screens["author"] = run.wait("Sundhedssekretariatet")  # the profile's author, suggested
    run.form("Forfatter (kan springes over)", "i morgen")  # one form: the date; version and status left empty
    run.paragraphs("Hvad er formålet med gruppens arbejde?",
                   "Borgere i hjemmeplejen får genoptræning for sent efter udskrivelse.",
                   "Gruppen skal finde en fælles arbejdsgang mellem hjemmepleje og træning.")
    run.skip("Ét punkt pr. linje")
    run.paragraphs("Hvad er baggrunden for gruppen", "Sundheds- og ældreudvalget besluttede i 2026 at se på forløbene.")
    run.skip("Skal opgaverne beskrives med tekst")
    run.text("Hvilken sætning skal stå før opgaverne", "Gruppen skal:")
    run.lines("Én opgave pr. linje", *TASKS)
    run.paragraphs("Hvilket mandat", "Gruppen indstiller til Sundheds- og ældreudvalget.")
    run.skip("Hvilken sætning skal stå før deltagerne")
    run.skip("Repræsentation 1:")
    run.records("Medlem", MEMBERS, capture={4: "form"})
    run.skip("Kan gruppen supplere sig")
    run.screens["chair model"] = run.wait("» én formand")  # the profile's model (en), first
    run.answer("Hvordan ledes gruppen", "Down", "Enter")  # two chairs: a two-part chair
    run.records("Formand", CHAIRS)
    run.skip("Hvad har formandskabet ansvar for")
    run.screens["secretariat"] = run.wait("Sundhedssekretariatet i Skovby Kommune")
    run.skip("Hvem sekretariatsbetjener gruppen")  # the profile's secretariat
    run.paragraphs("Hvor ofte mødes gruppen", "Gruppen mødes hver anden måned.")
    run.skip("Hvordan holdes møderne")
    run.skip("Ét møde pr. linje")
    run.skip("Hvem refererer gruppen til")
    run.form("Afrapportering 1:", "Hvert kvartal", "", "Status på arbejdet",
             capture="reporting")  # to whom: who commissioned the group, suggested
    run.skip("Afrapportering 2:")
    run.text("Hvornår begynder gruppen", "1/2-2027")
    run.text("Hvornår afslutter gruppen", "15. december 2027")
    run.records("Milepæl", MILESTONES)
    for marker in ("Hvordan kommunikerer gruppen", "Hvilke ressourcer har gruppen", "Gruppe 1:",
                   "Hvad skal der ellers stå om koordineringen", "Ét forum pr. linje", "Ét dokument pr. linje",
                   "Ét bilag pr. linje"):
        run.skip(marker)
    run.paragraphs("Hvordan afsluttes gruppens arbejde", "Med anbefalinger til Sundheds- og ældreudvalget.")


RUNS = {"adhoc": run_commission, "arbejdsgruppe": run_working_group}


def main(folder: Path, size: tuple[int, int], kind: str = "adhoc") -> None:
    result = RUNS[kind](folder, size)
    for name, shown in result.screens.items():
        (folder / f"screen-{name}.txt").write_text(shown, encoding="utf-8")
    print(result.screens["end"].rstrip().splitlines()[-3:])
    print(f"exit status {result.status}; {result.prompts} prompts; {result.seconds:.1f} s wall time "
          f"({size[0]}x{size[1]}); {len(result.panes)} panes seen")
    for name in ("form", "review"):
        print(f"--- {name} ({folder / f'screen-{name}.txt'})")
        print(result.screens[name].rstrip())


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--kind=")]
    chosen = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--kind=")), "adhoc")
    where = Path(arguments[0]) if arguments else Path(tempfile.mkdtemp(prefix="drafter-run-"))
    columns, _, rows = (arguments[1] if len(arguments) > 1 else "80x24").partition("x")
    main(where, (int(columns), int(rows)), chosen)
