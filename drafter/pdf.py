"""PDF (LibreOffice headless) and a PNG of page 1 (pdftoppm) beside each Word document.

The whole batch is converted by ONE LibreOffice start, with a private profile folder in
a temporary directory, so it neither waits for nor disturbs a LibreOffice the person has
open. LibreOffice writes into a temporary folder; each finished PDF is then moved into
place with fsutil.atomic_write, so a reader never sees half a PDF.

DRAFTER_SOFFICE and DRAFTER_PDFTOPPM name the programs to use instead of looking them up
on PATH; set to an empty value they mean "not installed" (used by the tests).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from drafter.batch import FAILED, UNCHANGED, Outcome
from drafter.errors import DrafterError
from drafter.fsutil import atomic_write

SOFFICE_ENV = "DRAFTER_SOFFICE"
PDFTOPPM_ENV = "DRAFTER_PDFTOPPM"

MISSING_SOFFICE = (
    "LibreOffice findes ikke på denne maskine, så der er ikke lavet PDF'er "
    "(Word-dokumenterne er skrevet). Installér LibreOffice Writer, på Debian og Ubuntu med: "
    "sudo apt install libreoffice-writer"
)
MISSING_PDFTOPPM = (
    "pdftoppm findes ikke på denne maskine, så der er ikke lavet forhåndsvisninger (PNG). "
    "Installér den, på Debian og Ubuntu med: sudo apt install poppler-utils"
)

# writer_pdf_Export options. LibreOffice writes an untagged PDF unless asked: tagged PDF/UA-1
# (structure tree, /Lang from the document, title as window title) is the default, as
# Danish public bodies must publish accessible documents. With archive=True also PDF/A-2b:
# LibreOffice 7.x offers PDF/A-1b, 2b and 3b only, not the "a"/"u" levels.
_TAGGED = {
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "PDFUACompliance": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    "DisplayPDFDocumentTitle": {"type": "boolean", "value": "true"},
}
_PDFA_2B = {"SelectPdfVersion": {"type": "long", "value": "2"}}


def export_filter(archive: bool = False) -> str:
    """The --convert-to argument for a tagged PDF/UA (and with *archive* PDF/A-2b) PDF."""
    import json

    options = {**_TAGGED, **(_PDFA_2B if archive else {})}
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))


def _conforms(pdf: Path, archive: bool) -> bool:
    # An existing PDF is reused only if it was made the way this run asks for: tagged
    # PDF/UA, and PDF/A exactly when archive is asked for (LibreOffice's XMP says which).
    try:
        data = pdf.read_bytes()
    except OSError:
        return False
    return b"pdfuaid:part" in data and (b"pdfaid:part" in data) == archive


# LibreOffice needs some seconds to start with a fresh profile, then well under one per page.
_BASE_TIMEOUT, _PER_DOCUMENT_TIMEOUT = 120, 10


def find_program(env_name: str, *names: str) -> str | None:
    if env_name in os.environ:
        chosen = os.environ[env_name].strip()
        return shutil.which(chosen) if chosen else None
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def add_pdfs(
    outcomes: list[Outcome],
    preview: bool = False,
    progress: Callable[[int, int], None] | None = None,
    archive: bool = False,
) -> list[str]:
    """Write a tagged PDF/UA (with *archive* also PDF/A-2b) and with *preview* a PNG
    beside every rendered document.

    Fills in each outcome's pdf, preview and pdf_problems. Returns the messages about
    missing programs (empty when everything needed was there).
    """
    missing: list[str] = []
    soffice = find_program(SOFFICE_ENV, "soffice", "libreoffice")
    if soffice is None:
        return [MISSING_SOFFICE]

    wanted = [o for o in outcomes if o.status != FAILED]
    todo = [o for o in wanted
            if not (_up_to_date(o.output.with_suffix(".pdf"), o.output, o.status)
                    and _conforms(o.output.with_suffix(".pdf"), archive))]
    converting = set(map(id, todo))
    for outcome in wanted:
        if id(outcome) not in converting:
            outcome.pdf = outcome.output.with_suffix(".pdf")
            outcome.pdf_reused = True
    if todo:
        _convert(soffice, todo, progress, archive)

    if preview:
        pdftoppm = find_program(PDFTOPPM_ENV, "pdftoppm")
        if pdftoppm is None:
            missing.append(MISSING_PDFTOPPM)
        else:
            _previews(pdftoppm, [o for o in wanted if o.pdf is not None])
    return missing


def _up_to_date(target: Path, source: Path, status: str) -> bool:
    # A document drafter left unchanged keeps its PDF, if that PDF is newer than it.
    if status != UNCHANGED:
        return False
    try:
        return target.is_file() and not target.is_symlink() and target.stat().st_mtime >= source.stat().st_mtime
    except OSError:
        return False


def _convert(soffice: str, outcomes: list[Outcome], progress: Callable[[int, int], None] | None,
             archive: bool = False) -> None:
    # LibreOffice names each PDF after its document; documents with the same name (from
    # different folders) need separate runs. Normally there is one group: one start.
    groups: list[list[Outcome]] = []
    for outcome in outcomes:
        for group in groups:
            if all(o.output.stem != outcome.output.stem for o in group):
                group.append(outcome)
                break
        else:
            groups.append([outcome])
    done = 0
    for group in groups:
        _convert_group(soffice, group, lambda n: progress and progress(done + n, len(outcomes)), archive)
        done += len(group)


def _convert_group(soffice: str, outcomes: list[Outcome], progress: Callable[[int], None], archive: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="drafter-pdf-") as scratch:
        profile = Path(scratch, "profil")
        out_dir = Path(scratch, "pdf")
        out_dir.mkdir()
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
            "--convert-to", export_filter(archive),
            "--outdir", str(out_dir),
            *[str(o.output.resolve()) for o in outcomes],
        ]
        problem = _run_soffice(command, out_dir, len(outcomes), progress)
        for outcome in outcomes:
            produced = out_dir / f"{outcome.output.stem}.pdf"
            target = outcome.output.with_suffix(".pdf")
            if not produced.is_file() or produced.stat().st_size == 0:
                outcome.pdf_problems.append(f"{outcome.output}: LibreOffice lavede ingen PDF{problem}")
                continue
            if _move_into_place(produced, target, outcome):
                outcome.pdf = target


def _run_soffice(command: list[str], out_dir: Path, total: int, progress: Callable[[int], None]) -> str:
    """Run LibreOffice; while it works, count finished PDFs for the progress bar.

    Returns "" or a reason (" (...)") to add to the message of each missing PDF.
    """
    deadline = time.monotonic() + _BASE_TIMEOUT + _PER_DOCUMENT_TIMEOUT * total
    # Its messages go to a file: a pipe nobody reads until the end could fill and stall it.
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,  # its own process group, so a timeout can stop all of it
            )
        except OSError as exc:
            return f" (LibreOffice kunne ikke startes: {exc.strerror})"
        try:
            while True:
                try:
                    process.wait(timeout=0.25)
                    break
                except subprocess.TimeoutExpired:
                    progress(sum(1 for _ in out_dir.glob("*.pdf")))
                    if time.monotonic() > deadline:
                        _stop(process)
                        return " (LibreOffice blev ikke færdig i tide og er stoppet)"
        except BaseException:
            _stop(process)
            raise
        progress(total)
        if process.returncode != 0:
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            detail = lines[-1] if lines else f"afslutningskode {process.returncode}"
            return f" (LibreOffice fejlede: {detail})"
    return ""


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _previews(pdftoppm: str, outcomes: list[Outcome]) -> None:
    todo = [o for o in outcomes if not _up_to_date(o.pdf.with_suffix(".png"), o.pdf, UNCHANGED)]
    making = set(map(id, todo))
    for outcome in outcomes:
        if id(outcome) not in making:
            outcome.preview = outcome.pdf.with_suffix(".png")
    workers = max(1, min(len(todo), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda o: _preview(pdftoppm, o), todo))


def _preview(pdftoppm: str, outcome: Outcome) -> None:
    target = outcome.pdf.with_suffix(".png")
    with tempfile.TemporaryDirectory(prefix="drafter-png-") as scratch:
        prefix = Path(scratch, "side1")
        try:
            result = subprocess.run(
                [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(outcome.pdf), str(prefix)],
                stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            outcome.pdf_problems.append(f"{target}: pdftoppm fejlede ({type(exc).__name__})")
            return
        produced = prefix.with_suffix(".png")
        if result.returncode != 0 or not produced.is_file():
            reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
            outcome.pdf_problems.append(
                f"{target}: forhåndsvisningen kunne ikke laves ({reason[-1] if reason else result.returncode})"
            )
            return
        if not _move_into_place(produced, target, outcome):
            return
    outcome.preview = target


def _move_into_place(produced: Path, target: Path, outcome: Outcome) -> bool:
    """Copy a converter's scratch output to its place beside the document, atomically."""
    try:
        atomic_write(target, produced.read_bytes())
    except DrafterError as exc:
        outcome.pdf_problems.extend(str(p) for p in exc.problems)
        return False
    return True
