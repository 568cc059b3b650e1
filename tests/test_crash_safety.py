"""Crash safety: a render killed at any moment leaves the old document or the whole new one.

Two kinds of kill: SIGKILL from outside after a random delay (many tries, so that some land
during the write), and SIGKILL from inside at each step of the write (after the temporary
file is created, half-way through writing it, before and after the rename), so that the
dangerous moments are certainly hit.
"""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document

from conftest import ADHOC_EXAMPLE, REPO, run_cli, start_cli
from drafter.fsutil import STALE_TEMP_SECONDS, temp_file_pattern

ANSWERS = f"answers/{ADHOC_EXAMPLE.name}"
RANDOM_KILLS = 24


def versions(workdir: Path) -> dict[str, bytes]:
    """The document for version "1.0" and for version "2.0" of the answers, rendered elsewhere."""
    source = workdir / ANSWERS
    text = source.read_text(encoding="utf-8")
    docs = {}
    for version in ("1.0", "2.0"):
        source.write_text(text.replace('version: "1.0"', f'version: "{version}"'), encoding="utf-8")
        result = run_cli("render", ANSWERS, "-o", f"versions/{version}.docx", cwd=workdir)
        assert result.returncode == 0, result.stderr
        docs[version] = (workdir / "versions" / f"{version}.docx").read_bytes()
    assert docs["1.0"] != docs["2.0"]
    return docs


def use_version(workdir: Path, version: str) -> None:
    source = workdir / ANSWERS
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace('version: "1.0"', f'version: "{version}"').replace('version: "2.0"', f'version: "{version}"'),
                      encoding="utf-8")


def assert_whole_document(out: Path, allowed: dict[str, bytes]) -> str:
    """The output is exactly one of the allowed documents, a valid zip python-docx opens; which one."""
    data = out.read_bytes()
    which = [name for name, doc in allowed.items() if doc == data]
    assert which, f"{out.name} is neither the old nor the new document ({len(data)} bytes)"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
    assert Document(io.BytesIO(data)).paragraphs[0].text.startswith("Kommissorium for")
    return which[0]


def assert_no_stray_documents(folder: Path, out: Path) -> list[Path]:
    """Only the output itself looks like a document; leftovers are hidden .tmp files of ours."""
    entries = list(folder.iterdir())
    assert [p for p in entries if p.suffix == ".docx"] == [out]
    leftovers = [p for p in entries if p != out]
    pattern = temp_file_pattern(out)
    assert all(pattern.fullmatch(p.name) for p in leftovers), leftovers
    return leftovers


def drafter_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    env.pop("DRAFTER_DEBUG", None)
    return env


def test_random_kills_leave_the_old_or_the_new_document(workdir):
    docs = versions(workdir)
    out = workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx"
    use_version(workdir, "1.0")
    first = run_cli("render", ANSWERS, cwd=workdir)
    assert first.returncode == 0, first.stderr

    # How long a whole render takes here; kills are spread over that span and a little beyond.
    use_version(workdir, "2.0")
    started = time.monotonic()
    timed = run_cli("render", ANSWERS, cwd=workdir)
    span = time.monotonic() - started
    assert timed.returncode == 0, timed.stderr
    assert out.read_bytes() == docs["2.0"]

    rng = random.Random(20261125)
    outcomes = {"old": 0, "new": 0}
    leftovers: set[str] = set()
    current = "2.0"
    for attempt in range(RANDOM_KILLS):
        target = "1.0" if current == "2.0" else "2.0"
        use_version(workdir, target)
        process = start_cli("render", ANSWERS, cwd=workdir)
        time.sleep(rng.uniform(0.3, 1.1) * span)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        found = assert_whole_document(out, {current: docs[current], target: docs[target]})
        outcomes["new" if found == target else "old"] += 1
        current = found
        leftovers.update(p.name for p in assert_no_stray_documents(out.parent, out))
    print(f"\n{RANDOM_KILLS} kills after a random delay: {outcomes['old']} left the old document, "
          f"{outcomes['new']} the new one, {len(leftovers)} hidden temporary files left behind")

    # After all that, an ordinary render still works and gives exactly the new document.
    use_version(workdir, "1.0" if current == "2.0" else "2.0")
    result = run_cli("render", ANSWERS, cwd=workdir)
    assert result.returncode == 0, result.stderr


# Each snippet runs inside a real drafter process and kills it at one step of atomic_write.
KILL_POINTS = {
    "after-temp-file-created": ("old", """
from drafter import fsutil
real = fsutil._open_temp_file
def opened(*a, **k):
    made = real(*a, **k)
    die()
fsutil._open_temp_file = opened
"""),
    "half-way-through-writing": ("old", """
import os
real = os.fdopen
class Half:
    def __init__(self, handle): self.handle = handle
    def __enter__(self): return self
    def __exit__(self, *exc): return False
    def write(self, data):
        self.handle.write(data[: len(data) // 2]); self.handle.flush(); die()
    def __getattr__(self, name): return getattr(self.handle, name)
os.fdopen = lambda *a, **k: Half(real(*a, **k))
"""),
    "written-not-synced": ("old", """
import os
os.fsync = lambda fd: die()
"""),
    "before-rename": ("old", """
import os
os.replace = lambda src, dst: die()
"""),
    "after-rename": ("new", """
import os
real = os.replace
def replace(src, dst):
    real(src, dst)
    die()
os.replace = replace
"""),
}

PRELUDE = """
import os, signal, sys
def die():
    os.kill(os.getpid(), signal.SIGKILL)
"""
EPILOGUE = """
from drafter.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_kill_at_each_step_of_the_write(workdir, point):
    expected, patch = KILL_POINTS[point]
    docs = versions(workdir)
    out = workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx"
    use_version(workdir, "1.0")
    assert run_cli("render", ANSWERS, cwd=workdir).returncode == 0
    use_version(workdir, "2.0")
    killed = subprocess.run([sys.executable, "-c", PRELUDE + patch + EPILOGUE, "render", ANSWERS], cwd=workdir,
                            env=drafter_env(), capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    found = assert_whole_document(out, {"old": docs["1.0"], "new": docs["2.0"]})
    assert found == expected
    assert_no_stray_documents(out.parent, out)

    # The next ordinary render finishes the job.
    result = run_cli("render", ANSWERS, cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == docs["2.0"]


def test_stale_temporary_files_of_killed_renders_are_cleaned_up(workdir):
    out = workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx"
    use_version(workdir, "1.0")
    assert run_cli("render", ANSWERS, cwd=workdir).returncode == 0
    # What killed renders leave behind: one long ago, one a moment ago (maybe still being written).
    stale = out.parent / f".{out.name}.abc123_z.tmp"
    recent = out.parent / f".{out.name}.zz99yy88.tmp"
    for path in (stale, recent):
        path.write_bytes(b"PK\x03\x04 half a zip")
    long_ago = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(stale, (long_ago, long_ago))
    # Files that only look similar are someone else's and stay.
    others = [out.parent / f".{out.name}.notours.tmp", out.parent / ".other.docx.abc123_z.tmp", out.parent / "notes.tmp"]
    for path in others:
        path.write_text("keep")
        os.utime(path, (long_ago, long_ago))

    use_version(workdir, "2.0")
    result = run_cli("render", ANSWERS, cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert not stale.exists()
    assert recent.exists()
    assert all(path.exists() for path in others)


def test_writes_look_for_leftovers_once_per_folder_and_cache_writes_never(tmp_path, monkeypatch):
    # The search for killed writers' temporary files lists the folder: once per process and
    # folder, not at every write (a batch into a folder of thousands of documents, the cache);
    # the private cache's writes not at all, its prune removes them now and then.
    from drafter import fsutil, privcache

    listed = []
    real_listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda folder=".": listed.append(str(folder)) or real_listdir(folder))
    long_ago = time.time() - STALE_TEMP_SECONDS - 60
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / f".dok-{n}.docx.abcdefgh.tmp" for n in range(3)]
    for path in stale:
        path.write_bytes(b"half")
        os.utime(path, (long_ago, long_ago))
    for n in range(3):
        fsutil.atomic_write(out / f"dok-{n}.docx", b"whole", durable=False)
        assert not stale[n].exists() and stale[n + 1:] == [p for p in stale[n + 1:] if p.exists()]
    assert listed == [str(out)]

    cache = tmp_path / "cache"
    monkeypatch.setenv("DRAFTER_CACHE_DIR", str(cache))
    assert privcache.store("x-1.test", b"T", b"content", 100)
    left = cache / ".x-0.test.abcdefgh.tmp"
    left.write_bytes(b"half")
    os.utime(left, (long_ago, long_ago))
    assert privcache.store("x-0.test", b"T", b"content", 100)
    assert listed == [str(out)] and left.exists()
    privcache.prune("x-*.test", 10)
    assert not left.exists() and privcache.read_entry("x-0.test", b"T", 100) == b"content"


def test_a_signal_just_after_the_temporary_file_is_made_leaves_no_file(tmp_path, monkeypatch):
    # A signal can arrive between the temporary file's creation and the moment atomic_write
    # holds its name (inside mkstemp, as it once was: a batch stopped by Ctrl-C left one
    # ".x.docx.xxxxxxxx.tmp" now and then). Signals are held until the name is known, so
    # the file goes.
    from drafter import fsutil

    real_open = os.open

    def interrupted_once_made(path, flags, *args, **kwargs):
        fd = real_open(path, flags, *args, **kwargs)
        if str(path).endswith(".tmp"):
            signal.raise_signal(signal.SIGINT)  # Ctrl-C, the very moment the file exists
        return fd

    target = tmp_path / "kommissorium.docx"
    target.write_bytes(b"old")
    monkeypatch.setattr(os, "open", interrupted_once_made)
    with pytest.raises(KeyboardInterrupt):
        fsutil.atomic_write(target, b"new")
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["kommissorium.docx"] and target.read_bytes() == b"old"


def test_a_signal_as_the_temporary_name_is_found_taken_leaves_the_other_file(tmp_path, monkeypatch):
    # The other moment: the random name is taken (FileExistsError) and a signal arrives at the
    # same instant. The clean-up must not take the file by that name for its own: it is
    # another's (here a second drafter's temporary file of the same document).
    from drafter import fsutil

    target = tmp_path / "kommissorium.docx"
    target.write_bytes(b"old")
    others = tmp_path / f".{target.name}.00000001.tmp"
    others.write_bytes(b"another drafter's document, half written")
    names = iter([bytes.fromhex("00000001"), bytes.fromhex("00000002")])
    real_open = os.open

    def taken_and_interrupted(path, flags, *args, **kwargs):
        if str(path) == str(others):
            signal.raise_signal(signal.SIGINT)  # Ctrl-C as the name is found taken
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "urandom", lambda size: next(names))
    monkeypatch.setattr(os, "open", taken_and_interrupted)
    with pytest.raises(KeyboardInterrupt):
        fsutil.atomic_write(target, b"new")
    monkeypatch.undo()
    assert others.read_bytes() == b"another drafter's document, half written"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, others.name])
    assert target.read_bytes() == b"old"
    # The handlers are as they were: Ctrl-C raises again, and a write goes through.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    fsutil.atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and others.exists()
