"""A whole `drafter new adhoc` in a real 80x24 terminal (tmux), as a consultant would type it.

The commission of issue 14: 2 chairs, 7 members, 3 milestones, 2 reports, 4 stakeholders
and 3 communication tasks. Every step waits for its prompt on the screen, then types the
answer; the script counts the prompts (screens answered), measures the wall time and saves
what a record's form and the review look like.

    python scripts/interview_tmux_run.py [FOLDER]     # screens are written to FOLDER (default: a temp folder)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]


CHAIRS = [
    ("Mette Kjærgaard", "Ledende overlæge", "Hospitalsenhed Midt"),
    ("Søren Østergaard", "Sundhedschef", "Viborg Kommune"),
]
MEMBERS = [
    ("Lone Bæk", "Sygeplejerske", "Hospitalsenhed Midt", "Tovholder på data"),
    ("Anders Holm", "Farmaceut", "Hospitalsenhed Midt", ""),
    ("Birgit Lund", "Visitator", "Viborg Kommune", ""),
    ("Karim Nasser", "Praktiserende læge", "Praksisudvalget", "Praksiskonsulent"),
    ("Eva Dahl", "Hjemmesygeplejerske", "Skive Kommune", ""),
    ("Jonas Krogh", "Terapeut", "Silkeborg Kommune", ""),
    ("Marie Vestergaard", "Pårørenderepræsentant", "Patientinddragelsesudvalget", ""),
]
MILESTONES = [("1/3-2027", "Kortlægning af praksis er færdig"), ("1. juni 2027", "Ny arbejdsgang afprøvet"),
              ("15 okt 2027", "Evaluering færdig")]
REPORTS = [("1.6.2027", "Status og foreløbige anbefalinger"), ("01-12-2027", "Slutrapport")]
STAKEHOLDERS = ["Hjemmeplejen i de tre kommuner", "Medicinske afdelinger", "Almen praksis", "Patienter og pårørende"]
TASKS = [
    ("Formandskabet", "Klyngestyregruppen", "Status på arbejdet", "Efter hvert møde"),
    ("Sekretariatet", "Ledere i hjemmeplejen", "Nye arbejdsgange", "Marts 2027"),
    ("Medlemmerne", "Egne afdelinger", "Anbefalingerne", "December 2027"),
]


def workspace(folder: Path) -> Path:
    """*folder* as the examples' workspace (drafter.yaml: the Midtklyngen profile, whose
    lists of groups and clusters the answers below pick from)."""
    import shutil

    shutil.copy(REPO / "drafter.yaml", folder / "drafter.yaml")
    return folder


class Run:
    def __init__(self, folder: Path):
        # Imported here: scripts/measure_latency.py runs the same flow (fill_in) in a
        # pseudo-terminal of its own, without tmux or the test suite's dependencies.
        from test_interview_cli import drafter_in_tmux

        self.session = drafter_in_tmux("new adhoc", workspace(folder), size=(80, 24))
        self.prompts = 0
        self.screens: dict[str, str] = {}

    def answer(self, marker: str, *keys: str, literal: str | None = None) -> None:
        """Wait for a prompt showing *marker*, then answer it (one prompt)."""
        self.session.wait_for(marker)
        self.prompts += 1
        if literal is not None:
            self.session.type(literal)
        if keys:
            self.session.send(*keys)

    def text(self, marker: str, value: str) -> None:
        self.answer(marker, "Enter", literal=value)

    def paragraphs(self, marker: str, *parts: str) -> None:
        """A multi-line answer: one paragraph a line, finished by Enter on an empty line."""
        self.session.wait_for(marker)
        self.prompts += 1
        for number, part in enumerate(parts):
            if number:
                self.session.send("Enter")
            self.session.type(part)
        self.session.send("Enter", "Enter")

    def form(self, title: str, *values: str, capture: str | None = None) -> None:
        """One record: every field typed, Tab between them, then sent with Enter."""
        self.session.wait_for(title)
        self.session.wait_for("Tab: næste felt")
        self.prompts += 1
        for number, value in enumerate(values):
            if number:
                self.session.send("Tab")
            if value:
                self.session.type(value)
        if capture:
            time.sleep(0.3)
            self.screens[capture] = self.session.screen()
        self.session.send("Enter")  # on the last field Enter sends the form

    def end_list(self, title: str) -> None:
        self.answer(title, "Enter")


def fill_in(run: Run) -> str:
    """The whole commission, prompt by prompt; the screen once the document is written."""
    run.text("Hvad hedder gruppen?", "Ad-hoc gruppe om sammenhængende udskrivelse")
    run.answer("» ad-hoc gruppe", "Enter")
    run.answer("» Klyngestyregruppen", "Down", "Enter")  # Voksentemagruppen for somatik
    run.answer("» Midtklyngen", "Enter")
    run.text("Hvilken dato har kommissoriet?", "i dag")
    run.answer("Hvilket versionsnummer", "Enter")
    run.answer("» udkast", "Enter")
    run.answer("Hvem står som forfatter", "Enter")
    run.paragraphs("Hvad er formålet", "Skrøbelige ældre genindlægges ofte kort efter udskrivelse.",
                   "Gruppen skal finde fælles arbejdsgange, der gør overgangen sikker.")
    for number, task in enumerate(["Kortlægge nuværende praksis", "Beskrive en fælles arbejdsgang",
                                   "Afprøve arbejdsgangen"], 1):
        run.text(f"Opgave {number}:", task)
    run.end_list("Opgave 4:")
    run.end_list("Snitflade 1:")
    run.paragraphs("Hvordan inddrages patient- og pårørendeperspektivet?",
                   "To pårørenderepræsentanter deltager i gruppen, og udkastet sendes i høring hos "
                   "Patientinddragelsesudvalget.")
    for number, chair in enumerate(CHAIRS, 1):
        run.form(f"Formand {number}:", *chair)
    run.end_list(f"Formand {len(CHAIRS) + 1}:")
    for number, member in enumerate(MEMBERS, 1):
        run.form(f"Medlem {number}:", *member, capture="form" if number == 4 else None)
    run.end_list(f"Medlem {len(MEMBERS) + 1}:")
    run.paragraphs("Hvem sekretariatsbetjener gruppen?", "Gruppen sekretariatsbetjenes af fællessekretariatet.")
    run.text("Hvornår begynder gruppen", "4/1-2027")
    run.text("Hvornår afslutter gruppen", "17. december 2027")
    for number, milestone in enumerate(MILESTONES, 1):
        run.form(f"Milepæl {number}:", *milestone)
    run.end_list(f"Milepæl {len(MILESTONES) + 1}:")
    for number, (day, content) in enumerate(REPORTS, 1):
        run.form(f"Afrapportering {number}:", day, "", content)  # to whom: the commissioning group
    run.end_list(f"Afrapportering {len(REPORTS) + 1}:")
    for number, stakeholder in enumerate(STAKEHOLDERS, 1):
        run.text(f"Interessent {number}:", stakeholder)
    run.end_list(f"Interessent {len(STAKEHOLDERS) + 1}:")
    for number, task in enumerate(TASKS, 1):
        run.form(f"Kommunikationsopgave {number}:", *task)
    run.end_list(f"Kommunikationsopgave {len(TASKS) + 1}:")
    run.paragraphs("Hvordan afsluttes gruppens arbejde?", "Med en slutrapport til Voksentemagruppen for somatik.")
    run.paragraphs("Hvad overdrages, og til hvem?", "Anbefalingerne overdrages til klyngens parter.")
    run.session.wait_for("Hvad vil du nu?")
    time.sleep(0.3)
    run.screens["review"] = run.session.screen()
    run.answer("Hvad vil du nu?", "Enter")
    return run.session.wait_for("Dokument: out/", limit=60)


def main(folder: Path) -> None:
    began = time.monotonic()
    run = Run(folder)
    try:
        screen = fill_in(run)
        status = run.session.exit_status()
    finally:
        run.session.close()
    elapsed = time.monotonic() - began
    for name, shown in run.screens.items():
        (folder / f"screen-{name}.txt").write_text(shown, encoding="utf-8")
    print(screen.rstrip().splitlines()[-3:])
    print(f"exit status {status}; {run.prompts} prompts; {elapsed:.1f} s wall time (80x24)")
    for name in run.screens:
        print(f"--- {name} ({folder / f'screen-{name}.txt'})")
        print(run.screens[name].rstrip())


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="drafter-run-")))
