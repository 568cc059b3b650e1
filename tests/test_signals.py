"""SIGTERM, SIGHUP and SIGINT during a batch and during --pdf: nothing left running, nothing
left behind, every output old or new, and exit 128 + the signal with a Danish line."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ADHOC_EXAMPLE, REPO, has_soffice

SIGNALS = [signal.SIGTERM, signal.SIGHUP, signal.SIGINT]


def _start(work: Path, copies: int, *args: str) -> subprocess.Popen:
    """`drafter render answers ARGS` over *copies* answer files, with its own temp folder."""
    (work / "answers").mkdir()
    for n in range(copies):
        shutil.copy(ADHOC_EXAMPLE, work / "answers" / f"gruppe-{n:03}.yaml")
    tmp = work / "tmp"
    tmp.mkdir()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(REPO), "TMPDIR": str(tmp),
           "DRAFTER_JOBS": "2"}
    env.pop("DRAFTER_DEBUG", None)
    # Its own process group, as a shell starts a command: the group is checked afterwards.
    return subprocess.Popen([sys.executable, "-m", "drafter", "render", "answers", *args], cwd=work, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_for(condition, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _stop(process: subprocess.Popen, signum: int) -> tuple[str, str]:
    os.kill(process.pid, signum)  # the main process only: drafter itself must stop the rest
    out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, (process.returncode, err)
    assert "Traceback" not in err and "intern fejl" not in err, err
    return out, err


def _assert_clean(work: Path, pgid: int) -> None:
    _wait_for(lambda: not _group_alive(pgid), 15)  # no drafter, worker or LibreOffice of its group
    _wait_for(lambda: not _processes_mentioning(str(work / "tmp")), 15)  # nor any that used its temp folder
    assert list((work / "tmp").iterdir()) == []  # no temporary folder or file left
    out = work / "out"
    assert not [p.name for p in out.glob(".*") if p.name != ".drafter-filer"]  # no half-written file
    for document in out.glob("*.docx"):
        with zipfile.ZipFile(document) as archive:
            assert archive.testzip() is None, document


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_a_signal_during_a_batch_stops_every_worker(tmp_path, signum):
    process = _start(tmp_path, 200)
    _wait_for(lambda: len(list((tmp_path / "out").glob("*.docx"))) >= 4 if (tmp_path / "out").exists() else False)
    _, err = _stop(process, signum)
    assert f"Afbrudt ({signal.Signals(signum).name}): " in err and " af 200 Word-dokumenter er færdige" in err, err
    _assert_clean(tmp_path, process.pid)
    time.sleep(0.5)  # a worker left running would go on writing documents
    written = len(list((tmp_path / "out").glob("*.docx")))
    assert written < 200
    reported = int(err.split("): ", 1)[1].split(" af ", 1)[0])
    # A worker stopped right after its rename, before it could report, is the only gap.
    assert written - 2 <= reported <= written, (written, err)


@pytest.mark.skipif(not has_soffice(), reason="LibreOffice er ikke installeret")
@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_a_signal_during_pdf_conversion_stops_libreoffice(tmp_path, signum):
    process = _start(tmp_path, 2, "--pdf")
    _wait_for(lambda: any(b"soffice" in _cmdline(pid) for pid in _processes_mentioning(str(tmp_path / "tmp"))))
    _, err = _stop(process, signum)
    assert "2 af 2 Word-dokumenter er færdige, og " in err and " af 2 PDF'er" in err, err
    _assert_clean(tmp_path, process.pid)
    for pdf in (tmp_path / "out").glob("*.pdf"):
        assert pdf.read_bytes().startswith(b"%PDF-")


def _cmdline(pid: int) -> bytes:
    """A process's command line; empty when it has ended since it was listed."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _drafter_in(folder: Path) -> int:
    """The pid of the drafter whose working folder is *folder*."""
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.readlink(entry / "cwd") == str(folder) \
                    and b"-m\x00drafter\x00" in (entry / "cmdline").read_bytes():
                return int(entry.name)
        except OSError:
            continue
    raise AssertionError("no drafter running")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux er ikke installeret")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=lambda s: signal.Signals(s).name)
def test_a_signal_during_the_interview_keeps_the_draft(workdir, signum):
    from test_interview_cli import drafter_in_tmux

    session = drafter_in_tmux("new adhoc", workdir)
    try:
        session.wait_for("Hvad hedder gruppen?")
        session.type("Ad-hoc gruppe om søvn")
        session.send("Enter")
        session.wait_for("» ad-hoc gruppe")
        os.kill(_drafter_in(workdir), signum)  # as a closed terminal window or a shutdown would
        screen = session.wait_for("Fortsæt, hvor du slap")
        assert "Afbrudt. Dine svar indtil nu er gemt i answers/ad-hoc-gruppe-om-soevn.yaml" in screen
        assert "Traceback" not in screen
        assert "navn: Ad-hoc gruppe om søvn" in (workdir / "answers" / "ad-hoc-gruppe-om-soevn.yaml").read_text(encoding="utf-8")
        assert session.exit_status() == 128 + signum
    finally:
        session._tmux("kill-session", "-t", session.name)  # its private server ends with its only session


def test_stopping_libreoffice_waits_for_its_processes_but_never_for_a_zombie():
    # pdf._stop waits, bounded, until no process of LibreOffice's group runs any more (so
    # none can still write into the scratch folder being removed). A zombie holds no file
    # and must not count: a container's first process may never reap one.
    from drafter import pdf
    from drafter.interrupts import watched_popen

    # The watcher, soffice and a grandchild: killed as one, and none left running.
    group = watched_popen(["sh", "-c", "sleep 60 & sleep 60"])
    _wait_for(lambda: len(_members(group.pid)) >= 3, 15)
    assert pdf._group_running(group.pid)
    pdf._stop(group)
    assert not pdf._group_running(group.pid)
    assert all(state == "Z" for state in _members(group.pid).values())

    ended = subprocess.Popen(["sleep", "0"], start_new_session=True)  # not waited for: a zombie
    try:
        _wait_for(lambda: _members(ended.pid) == {ended.pid: "Z"}, 15)
        os.killpg(ended.pid, 0)  # the group as a whole still counts it
        assert not pdf._group_running(ended.pid)
    finally:
        ended.wait()


def _members(pgid: int) -> dict[int, str]:
    """The processes of group *pgid* and their states (R, S, Z, ...), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            line = (entry / "stat").read_bytes() if entry.name.isdigit() else b""
        except OSError:
            continue
        fields = line[line.rfind(b")") + 2:].split()
        if len(fields) > 2 and int(fields[2]) == pgid:
            found[int(entry.name)] = fields[0].decode()
    return found
