"""PDF (LibreOffice headless) and a PNG of page 1 (pdftoppm) beside each Word document.

The whole batch is converted by ONE LibreOffice start, with a private profile folder in
a temporary directory, so it neither waits for nor disturbs a LibreOffice the person has
open. LibreOffice writes into a temporary folder; each finished PDF is then moved into
place with fsutil.atomic_write, so a reader never sees half a PDF.

LibreOffice is looked for on PATH and, on Windows and macOS, where its installer puts it
(off PATH there). DRAFTER_SOFFICE and DRAFTER_PDFTOPPM name the programs to use instead;
set to an empty value they mean "not installed" (used by the tests).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from drafter.batch import UNCHANGED, WRITTEN, Outcome
from drafter.errors import DrafterError, OutputError
from drafter.fsutil import (
    UnsafeFile, atomic_write, read_regular_file, refuse_unwritable_target, remove_abandoned_scratch, scratch_folder,
)
from drafter.interrupts import watched_popen

SOFFICE_ENV = "DRAFTER_SOFFICE"
PDFTOPPM_ENV = "DRAFTER_PDFTOPPM"

_NO_PDFS = "så der er ikke lavet PDF'er (Word-dokumenterne er skrevet)"
_INSTALL_SOFFICE = {
    "win32": "Installér LibreOffice fra https://da.libreoffice.org/ (drafter finder det selv i "
             "Programmer), eller angiv stien til soffice.exe i DRAFTER_SOFFICE",
    "darwin": "Installér LibreOffice fra https://da.libreoffice.org/ eller med: brew install --cask libreoffice",
}
_INSTALL_SOFFICE_ELSEWHERE = "Installér LibreOffice Writer, på Debian og Ubuntu med: sudo apt install libreoffice-writer"
_INSTALL_PDFTOPPM = {
    "win32": "Installér Poppler til Windows, og sæt DRAFTER_PDFTOPPM til stien til pdftoppm.exe",
    "darwin": "Installér den med: brew install poppler",
}
_INSTALL_PDFTOPPM_ELSEWHERE = "Installér den, på Debian og Ubuntu med: sudo apt install poppler-utils"


def missing_pdftoppm_message() -> str:
    advice = _INSTALL_PDFTOPPM.get(sys.platform, _INSTALL_PDFTOPPM_ELSEWHERE)
    return f"pdftoppm findes ikke på denne maskine, så der er ikke lavet forhåndsvisninger (PNG). {advice}"

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


_PDF_READ_LIMIT = 200_000_000


def _conforms(pdf: Path, archive: bool) -> bool:
    # An existing PDF is reused only if it was made the way this run asks for: tagged
    # PDF/UA, and PDF/A exactly when archive is asked for (LibreOffice's XMP says which).
    try:
        data = read_regular_file(pdf, _PDF_READ_LIMIT)
    except (OSError, UnsafeFile):
        return False  # made again rather than read without bound
    return b"pdfuaid:part" in data and (b"pdfaid:part" in data) == archive


# LibreOffice needs some seconds to start with a fresh profile, then well under one per page.
_BASE_TIMEOUT, _PER_DOCUMENT_TIMEOUT = 120, 10


# A Windows command line holds at most 32,767 characters; the documents of one LibreOffice
# start get what is left after its program, profile, options and output folder.
_WINDOWS_COMMAND_LINE = 32_767
_COMMAND_RESERVE = 4_096


def find_program(env_name: str, *names: str) -> str | None:
    if env_name in os.environ:
        chosen = os.environ[env_name].strip()
        return shutil.which(chosen) if chosen else None
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def standard_soffice_locations() -> list[Path]:
    """Where LibreOffice's own installer puts the program on Windows and macOS."""
    if sys.platform == "win32":
        bases = [os.environ.get(name) for name in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")]
        local = os.environ.get("LOCALAPPDATA")
        bases.append(str(Path(local, "Programs")) if local else None)
        return [Path(base, "LibreOffice", "program", "soffice.exe") for base in dict.fromkeys(bases) if base]
    if sys.platform == "darwin":
        app = Path("LibreOffice.app", "Contents", "MacOS", "soffice")
        return [Path("/Applications") / app, Path(os.path.expanduser("~"), "Applications") / app]
    return []  # Linux and the like: the packages put it on PATH


def find_soffice(configured: str | os.PathLike | None = None) -> str | None:
    """LibreOffice's program, or None.

    DRAFTER_SOFFICE first, then *configured* (a workspace profile's setting), then PATH,
    then the standard install locations.
    """
    if SOFFICE_ENV in os.environ:
        return find_program(SOFFICE_ENV)
    if configured is not None and str(configured).strip():
        return shutil.which(str(configured).strip())
    found = find_program(SOFFICE_ENV, "soffice", "libreoffice")
    if found:
        return found
    for candidate in standard_soffice_locations():
        if candidate.is_file():
            return str(candidate)
    return None


def missing_soffice_message(configured: str | os.PathLike | None = None) -> str:
    if configured is not None and str(configured).strip() and SOFFICE_ENV not in os.environ:
        return f"LibreOffice findes ikke på stien {configured}, som indstillingen for LibreOffice angiver, {_NO_PDFS}"
    advice = _INSTALL_SOFFICE.get(sys.platform, _INSTALL_SOFFICE_ELSEWHERE)
    return f"LibreOffice findes ikke på denne maskine, {_NO_PDFS}. {advice}"


def command_line_budget() -> int:
    """Characters the document arguments of one LibreOffice start may take."""
    if sys.platform == "win32":
        return _WINDOWS_COMMAND_LINE - _COMMAND_RESERVE
    # POSIX allows far more (ARG_MAX), but a start per some hundred documents costs little.
    return 128 * 1024


def add_pdfs(
    outcomes: list[Outcome],
    preview: bool = False,
    progress: Callable[[int, int], None] | None = None,
    archive: bool = False,
    soffice_setting: str | os.PathLike | None = None,
    force: bool = False,
    notes: list[str] | None = None,
) -> list[str]:
    """Write a tagged PDF/UA (with *archive* also PDF/A-2b) and with *preview* a PNG
    beside every rendered document.

    *soffice_setting* is LibreOffice's program as a workspace profile names it, if it does.

    Fills in each outcome's pdf, preview and pdf_problems. Returns the messages about
    missing programs (empty when everything needed was there). An existing PDF or PNG
    is replaced only if drafter wrote it and it is unchanged since (see OWN_FILES), or
    with *force*: the same rule as for the Word document. Warnings that change nothing
    about the result (a scratch folder that could not be removed) go to *notes*.
    """
    remove_abandoned_scratch()  # what a killed drafter left in the temporary folder
    missing: list[str] = []
    soffice = find_soffice(soffice_setting)
    if soffice is None:
        return [missing_soffice_message(soffice_setting)]

    wanted = [o for o in outcomes if o.status in (WRITTEN, UNCHANGED)]
    todo = [o for o in wanted
            if not (_up_to_date(o.output.with_suffix(".pdf"), o.output, o.status)
                    and _conforms(o.output.with_suffix(".pdf"), archive))]
    converting = set(map(id, todo))
    for outcome in wanted:
        if id(outcome) not in converting:
            outcome.pdf = outcome.output.with_suffix(".pdf")
            outcome.pdf_reused = True
    if todo:
        _convert(soffice, todo, progress, archive, force, notes)

    if preview:
        pdftoppm = find_program(PDFTOPPM_ENV, "pdftoppm")
        if pdftoppm is None:
            missing.append(missing_pdftoppm_message())
        else:
            _previews(pdftoppm, [o for o in wanted if o.pdf is not None], force, notes)
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
             archive: bool = False, force: bool = False, notes: list[str] | None = None) -> None:
    # LibreOffice names each PDF after its document; documents with the same name (from
    # different folders, or differing only in case, which Windows' temporary folder does
    # not tell apart) need separate runs. A run's documents must also fit on one command
    # line. Normally there is one group: one start.
    budget = command_line_budget()
    groups: list[tuple[list[Outcome], set[str], list[int]]] = []  # outcomes, stems, length
    for outcome in outcomes:
        stem = outcome.output.stem.casefold()
        length = len(str(outcome.output.resolve())) + 3  # a space and quotes
        for group, stems, used in groups:
            if stem not in stems and used[0] + length <= budget:
                group.append(outcome)
                stems.add(stem)
                used[0] += length
                break
        else:
            groups.append(([outcome], {stem}, [length]))
    done = 0
    for group, _, _ in groups:
        _convert_group(soffice, group, lambda n: progress and progress(done + n, len(outcomes)), archive, force, notes)
        done += len(group)


def _convert_group(soffice: str, outcomes: list[Outcome], progress: Callable[[int], None], archive: bool,
                   force: bool, notes: list[str] | None = None) -> None:
    with scratch_folder("drafter-pdf-", notes) as scratch:
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
            if archive and not _describe_extension_schemas(produced):
                outcome.pdf_problems.append(
                    f"{outcome.output}: PDF/A-metadata kunne ikke gøres færdig (LibreOffices XMP-pakke har ikke plads); "
                    "PDF'en er ikke skrevet"
                )
                continue
            if _move_into_place(produced, target, outcome, force):
                outcome.pdf = target


# -- PDF/A: every XMP property in a predefined schema or described --------------------------

# PDF/A-2 (ISO 19005-2, 6.6.2.3.1) allows in the XMP metadata only properties of the schemas
# XMP predefines, unless an extension schema in the metadata itself describes them.
# LibreOffice writes pdfuaid:part (PDF/UA, ISO 14289) without that description; these are
# the descriptions of the properties it writes that need one, by namespace.
_EXTENSION_SCHEMAS = {
    "http://www.aiim.org/pdfua/ns/id/": (
        "PDF/UA Universal Accessibility Schema", "pdfuaid", (
            ("part", "Integer", "Indicates, which part of ISO 14289 standard is followed"),
            ("amd", "Text", "Optional PDF/UA amendment identifier"),
            ("corr", "Text", "Optional PDF/UA corrigenda identifier"),
        ),
    ),
}
_PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
_XMP_START = b"<x:xmpmeta"
_XMP_END = b"</x:xmpmeta>"
_PACKET_END = b"<?xpacket end="


def _describe_extension_schemas(pdf: Path) -> bool:
    """Add to the XMP metadata of *pdf* (in place) the extension schema description of each
    property that needs one (see _EXTENSION_SCHEMAS). The description takes the place of
    some of the packet's padding, so the stream and every offset after it stay as they
    are. False if the packet has no room (LibreOffice leaves about 4 KB; 1 KB is needed)."""
    data = pdf.read_bytes()
    start = data.find(_XMP_START)
    end = data.find(_XMP_END, start)
    packet_end = data.find(_PACKET_END, end)
    if start < 0 or end < 0 or packet_end < 0:
        return True  # no XMP packet: nothing declared that would need a description
    end += len(_XMP_END)
    xmp = data[start:end].decode("utf-8")
    needed = [uri for uri in _EXTENSION_SCHEMAS if f'"{uri}"' in xmp]
    if not needed or _PDFA_EXTENSION in xmp:
        return True
    described = _extension_description(needed).encode("utf-8")
    anchor = xmp.rindex("</rdf:RDF>")
    new_xmp = xmp[:anchor].encode("utf-8") + described + xmp[anchor:].encode("utf-8")
    padding = data[end:packet_end]
    grown = len(new_xmp) - (end - start)
    if grown > len(padding) - 2:
        return False
    # What is left of the padding: whitespace, as XMP's packet padding must be.
    rest = len(padding) - grown
    new_padding = b"\n" + b" " * (rest - 2) + b"\n"
    atomic_write(pdf, data[:start] + new_xmp + new_padding + data[packet_end:])
    return True


def _extension_description(namespaces: list[str]) -> str:
    # The texts are drafter's own constants, written to need no XML escaping.
    schemas = []
    for uri in namespaces:
        name, prefix, properties = _EXTENSION_SCHEMAS[uri]
        described = "".join(
            "<rdf:li rdf:parseType=\"Resource\">"
            f"<pdfaProperty:name>{prop}</pdfaProperty:name>"
            f"<pdfaProperty:valueType>{value_type}</pdfaProperty:valueType>"
            "<pdfaProperty:category>internal</pdfaProperty:category>"
            f"<pdfaProperty:description>{text}</pdfaProperty:description>"
            "</rdf:li>"
            for prop, value_type, text in properties
        )
        schemas.append(
            "<rdf:li rdf:parseType=\"Resource\">"
            f"<pdfaSchema:schema>{name}</pdfaSchema:schema>"
            f"<pdfaSchema:namespaceURI>{uri}</pdfaSchema:namespaceURI>"
            f"<pdfaSchema:prefix>{prefix}</pdfaSchema:prefix>"
            f"<pdfaSchema:property><rdf:Seq>{described}</rdf:Seq></pdfaSchema:property>"
            "</rdf:li>"
        )
    return (
        f' <rdf:Description rdf:about="" xmlns:pdfaExtension="{_PDFA_EXTENSION}" '
        'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" '
        'xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
        f"<pdfaExtension:schemas><rdf:Bag>{''.join(schemas)}</rdf:Bag></pdfaExtension:schemas>"
        "</rdf:Description>\n "
    )


def _run_soffice(command: list[str], out_dir: Path, total: int, progress: Callable[[int], None]) -> str:
    """Run LibreOffice; while it works, count finished PDFs for the progress bar.

    Returns "" or a reason (" (...)") to add to the message of each missing PDF.
    """
    deadline = time.monotonic() + _BASE_TIMEOUT + _PER_DOCUMENT_TIMEOUT * total
    # LibreOffice's own temporary files go into drafter's scratch folder too, so that one
    # stopped mid-way (a signal, a timeout) leaves nothing behind in the user's temp folder.
    temp = out_dir.parent / "tmp"
    temp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(temp), "TMP": str(temp), "TEMP": str(temp)}
    # Its messages go to a file: a pipe nobody reads until the end could fill and stall it.
    with tempfile.TemporaryFile() as errors:
        try:
            # Under a watcher in a process group of its own: a timeout stops all of it, and
            # so does the end of drafter, even by kill -9 (see interrupts.watched_popen).
            process = watched_popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
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


# How long _stop waits for LibreOffice's own processes to be gone once they are killed.
_STOP_WAIT_SECONDS = 5.0


def _stop(process: subprocess.Popen) -> None:
    """Stop LibreOffice and every process it started (soffice starts soffice.bin), and wait
    (bounded) until none of them runs, so that its scratch folder can be removed."""
    if hasattr(os, "killpg"):
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the group start_new_session made
        except (ProcessLookupError, PermissionError):
            pass
    else:
        # Windows has no process groups to kill; taskkill /T stops the process and its
        # children. It comes with Windows, so drafter needs no extra package (psutil) for it.
        try:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            pass
        try:
            process.kill()  # in case taskkill could not run; nothing happens if it is gone
        except OSError:
            pass
    process.wait()  # the watcher, LibreOffice's parent
    if hasattr(os, "killpg"):
        # SIGKILL ends a process only when its current system call returns: soffice.bin,
        # a grandchild nobody here waits for, can still create a file in its profile
        # while the scratch folder is being removed. So wait for the group's processes
        # themselves, bounded: a zombie holds no file and never counts, since a
        # container's first process may never reap one.
        deadline = time.monotonic() + _STOP_WAIT_SECONDS
        while _group_running(process.pid) and time.monotonic() < deadline:
            time.sleep(0.02)


def _group_running(pgid: int) -> bool:
    """Whether a process of the process group *pgid* still runs (not a zombie).

    Linux tells a zombie apart in /proc; elsewhere (macOS) the group is asked as a whole,
    zombies included, which the caller's bound covers.
    """
    try:
        entries = os.listdir("/proc")
    except OSError:
        entries = None
    if entries is None or not os.path.exists("/proc/self/stat"):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # a member that is not ours: still there
        return True
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:
                line = stat.read()
        except OSError:
            continue  # ended since the listing
        # "pid (command) state ppid pgrp ...": the command may hold spaces and parentheses.
        fields = line[line.rfind(b")") + 2:].split()
        if len(fields) > 2 and fields[2] == str(pgid).encode() and fields[0] not in (b"Z", b"X"):
            return True
    return False


def _previews(pdftoppm: str, outcomes: list[Outcome], force: bool, notes: list[str] | None = None) -> None:
    todo = [o for o in outcomes if not _up_to_date(o.pdf.with_suffix(".png"), o.pdf, UNCHANGED)]
    making = set(map(id, todo))
    for outcome in outcomes:
        if id(outcome) not in making:
            outcome.preview = outcome.pdf.with_suffix(".png")
    workers = max(1, min(len(todo), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda o: _preview(pdftoppm, o, force, notes), todo))


def _preview(pdftoppm: str, outcome: Outcome, force: bool, notes: list[str] | None = None) -> None:
    target = outcome.pdf.with_suffix(".png")
    with scratch_folder("drafter-png-", notes) as scratch:
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
        if not _move_into_place(produced, target, outcome, force):
            return
    outcome.preview = target


def _move_into_place(produced: Path, target: Path, outcome: Outcome, force: bool) -> bool:
    """Copy a converter's scratch output to its place beside the document, atomically,
    unless that would clobber a file drafter did not write (see _may_replace)."""
    try:
        data = produced.read_bytes()
        with _OWN_LOCK:
            _may_replace(target, force)
            atomic_write(target, data)
            _remember(target, data)
    except DrafterError as exc:
        outcome.pdf_problems.extend(str(p) for p in exc.problems)
        return False
    except OSError as exc:
        outcome.pdf_problems.append(f"{target}: kunne ikke skrives ({exc.strerror})")
        return False
    return True


# PDFs and PNGs cannot carry drafter's content hash inside (as a .docx does), so the
# hashes of the ones drafter wrote are kept in this file in their folder. An existing PDF
# or PNG is replaced without --force only if its hash is listed there: drafter wrote it,
# and nobody changed it since.
OWN_FILES = ".drafter-filer"
_OWN_HEADER = "# PDF'er og billeder, som drafter har skrevet (sha256 og navn); bruges til ikke at overskrive andres filer\n"
_OWN_LOCK = threading.Lock()  # previews are moved into place from threads


def _own_hashes(folder: Path) -> dict[str, str]:
    try:
        text = read_regular_file(folder / OWN_FILES, 1_000_000).decode("utf-8", "replace")
    except (OSError, UnsafeFile):
        return {}
    hashes = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if len(digest) == 64 and name:
            hashes[name] = digest
    return hashes


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _may_replace(target: Path, force: bool) -> None:
    refuse_unwritable_target(target)
    if force or not target.exists():
        return
    try:
        existing = read_regular_file(target, 512 * 1024 * 1024)
    except (OSError, UnsafeFile):
        existing = None
    if existing is None or _recorded(_own_hashes(target.parent), target) != _digest(existing):
        raise OutputError(
            f"{target}: findes allerede og er ikke lavet af drafter (eller er ændret siden); den overskrives ikke "
            "(brug --force for at overskrive den, eller flyt den)"
        )


def _case_insensitive(folder: Path) -> bool:
    """True where the folder's file system does not tell Rapport.pdf from rapport.pdf
    (Windows, macOS, a FAT stick anywhere): the record file answers to its name in capitals."""
    record = folder / OWN_FILES
    try:
        return record.exists() and os.path.samefile(record, folder / OWN_FILES.upper())
    except OSError:
        return False


def _recorded(hashes: dict[str, str], target: Path) -> str | None:
    """The digest recorded for *target*; under any case of its name where case does not count."""
    if target.name in hashes:
        return hashes[target.name]
    if _case_insensitive(target.parent):
        wanted = target.name.casefold()
        return next((digest for name, digest in hashes.items() if name.casefold() == wanted), None)
    return None


def _remember(target: Path, data: bytes) -> None:
    hashes = _own_hashes(target.parent)
    if _case_insensitive(target.parent):  # one file, whatever the case: one record
        hashes = {name: digest for name, digest in hashes.items() if name.casefold() != target.name.casefold()}
    hashes[target.name] = _digest(data)
    text = _OWN_HEADER + "".join(f"{digest}  {name}\n" for name, digest in sorted(hashes.items()))
    try:
        atomic_write(target.parent / OWN_FILES, text)
    except DrafterError:
        pass  # without the record, the next run asks for --force: safe, not wrong
