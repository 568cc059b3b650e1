"""What a command reads: every file's bytes (by SHA-256), every lookup, every folder listed.

`drafter check` keeps its verdict for as long as nothing it read has changed
(drafter/verdicts.py). So that "what it read" is what it really read, the code that looks
for the files a check depends on looks through here (`is_file`, `is_dir`, `names`: each
notes what it saw), the readers note the bytes they read (`read`) or that a file could not
be read (`unreadable`), and a path whose links were followed notes where it led
(`resolved`). While no log is open (every command but a plain `check`) nothing is noted.
`unchanged()` looks at each noted input again the same way, and reads each file again.

The same notes keep a long-lived process (`drafter serve`) current: what is read to fill a
cache (the workspace and its profile, the kinds, the names files; drafter.workspace fills
them inside `watching()`) is also watched, by each path's stat signature (type, size,
mtime_ns, inode), whatever log is open. `watched_changed()` stats each watched path again,
without reading or hashing a file, so a request can ask it cheaply before it begins.

tests/test_kept_verdicts.py watches every stat, listing and open of a fresh check and fails
when one of them is not noted here.
"""

from __future__ import annotations

import errno
import os
import stat
import time

# _thread, not threading: threading costs every command's start-up ≈0.5 ms, and these are the same objects.
import _thread

from drafter.privcache import digest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

# What Path.is_file() and is_dir() take for "no": the path is not there.
_ABSENT = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
# A log this long is no longer a check of a few files: not kept (a folder of thousands notes a few per file).
MAX_NOTES = 50_000
# Files a check reads are at most 1 MB (an answer file, a kind, a profile); a noted file is read again up to that.
MAX_READ_BYTES = 1_000_000

_log: list[tuple] | None = None
_complete = True


def start() -> None:
    """Open the log: from now on every input is noted."""
    global _log, _complete
    _log, _complete = [], True


def finish() -> tuple | None:
    """Close the log; the inputs noted, or None when one of them could not be read (or there were too many)."""
    global _log
    notes, _log = _log, None
    # Each input once (the workspace is looked for by more than one command step), in order.
    return tuple(dict.fromkeys(notes)) if notes is not None and _complete else None


def _note(entry: tuple) -> None:
    """*entry* is (what, path, ...): logged for a check, and its path watched while filling a cache."""
    global _complete
    if _filling.depth:
        _watch(entry[1], listed=entry[0] == "names")
    if _log is not None:
        if len(_log) < MAX_NOTES:
            _log.append(entry)
        else:
            _complete = False


def read(path: str | Path, raw: bytes) -> None:
    """The reader read *raw* from the file *path* (following links)."""
    if _log is not None:  # hashed for a log only
        _note(("read", os.fspath(path), len(raw), digest(raw)))
    elif _filling.depth:
        _watch(os.fspath(path))


def unreadable(path: str | Path) -> None:
    """The file *path* could not be read (missing, too large, not a file): what came of it is not kept."""
    global _complete
    if _filling.depth:
        _watch(os.fspath(path))
    if _log is not None:
        _complete = False


def resolved(path: str | Path, result: str | Path) -> None:
    """*path* with its links followed (Path.resolve()) was *result*."""
    if _log is not None or _filling.depth:  # noted: watched too (_note)
        _note(("resolved", os.fspath(path), os.fspath(result)))


def is_file(path: str | Path) -> bool:
    """Path.is_file(), noted."""
    return _kind(os.fspath(path)) == "file"


def is_dir(path: str | Path) -> bool:
    """Path.is_dir(), noted."""
    return _kind(os.fspath(path)) == "dir"


def names(folder: str | Path) -> list[str]:
    """The names in *folder*, sorted (hidden ones too; none when it cannot be listed), noted."""
    found = _names(os.fspath(folder))
    _note(("names", os.fspath(folder), found))
    return list(found or ())


def _kind(path: str) -> str:
    """What *path* is (links followed): "file", "dir", "other" or "" (not there), noted; an
    error other than "not there" is raised, as pathlib does, and nothing is kept."""
    global _complete
    try:
        found = _kind_now(path)
    except OSError:
        if _filling.depth:
            _watch(path)
        if _log is not None:
            _complete = False
        raise
    _note(("kind", path, found))
    return found


def _kind_now(path: str) -> str:
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno in _ABSENT:
            return ""
        raise
    except ValueError:  # a NUL in the name
        return ""
    return "file" if stat.S_ISREG(mode) else "dir" if stat.S_ISDIR(mode) else "other"


def _names(folder: str) -> tuple[str, ...] | None:
    try:
        return tuple(sorted(os.listdir(folder)))
    except (OSError, ValueError):
        return None


# -- looking again -----------------------------------------------------------------------------

def unchanged(notes: object) -> bool:
    """True when every input in *notes* (as finish() gave them) is as it was noted; any
    doubt (a note of another shape, a file that cannot be read) is False."""
    if type(notes) is not tuple:
        return False
    for note in notes:
        if type(note) is not tuple or not note or not all(part is None or type(part) in (str, int, bytes, tuple) for part in note):
            return False
        try:
            if not _same(note):
                return False
        except (OSError, ValueError, TypeError, MemoryError, RecursionError):
            return False
    return True


def _same(note: tuple) -> bool:
    what = note[0]
    if what == "read" and len(note) == 4:
        return _same_bytes(note[1], note[2], note[3])
    if what == "kind" and len(note) == 3:
        return _kind_now(note[1]) == note[2]
    if what == "names" and len(note) == 3:
        return _names(note[1]) == note[2]
    if what == "resolved" and len(note) == 3:
        return os.path.realpath(note[1]) == note[2]
    return False


def _same_bytes(path: str, size: int, expected: bytes) -> bool:
    """The file *path* still holds the bytes whose digest is *expected*. Its type is looked
    at before it is opened (a FIFO is never opened), and it is opened without blocking."""
    if type(size) is not int or not 0 <= size <= MAX_READ_BYTES:
        return False
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_size != size:
        return False
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size != size:
            return False
        data = os.read(fd, size + 1)
        while len(data) <= size:
            more = os.read(fd, size + 1 - len(data))
            if not more:
                break
            data += more
    finally:
        os.close(fd)
    return len(data) == size and digest(data) == expected


# -- watching (a long-lived process) ---------------------------------------------------------

# A file changed this long before it was read may change again within the same timestamp
# (coarse clocks: FAT and some network shares count in 2 s), or between its read and its
# stat: it is looked at as changed until it is older (as git's "racily clean" entries).
RACY_NS = 2_000_000_000
_RACY = ("racy",)


class _Filling(_thread._local):
    """This thread's depth of watching() blocks, and when the outermost one began."""

    depth = 0
    started = 0


_filling = _Filling()
_watched: dict[tuple[str, bool], tuple] = {}  # (path, listed): its signature
_watched_lock = _thread.allocate_lock()


class watching:
    """`with watching():` what is noted in this thread meanwhile is watched (the caller fills a cache with it)."""

    def __enter__(self) -> None:
        if not _filling.depth:
            _filling.started = time.time_ns()
        _filling.depth += 1

    def __exit__(self, *exc) -> None:
        _filling.depth -= 1


def _signature(path: str, listed: bool = False) -> tuple:
    """What os.stat() says of *path* (links followed): type, size, mtime_ns, inode; never opens
    it. A folder only looked up (not *listed*) is its type and inode: a file added to it or
    removed (an editor's backup beside drafter.yaml) changes nothing read from it."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return ("absent",) if exc.errno in _ABSENT else ("error", exc.errno)
    except ValueError:  # a NUL in the name
        return ("absent",)
    if not listed and stat.S_ISDIR(info.st_mode):
        return (stat.S_IFDIR, info.st_ino)
    return (stat.S_IFMT(info.st_mode), info.st_size, info.st_mtime_ns, info.st_ino)


def _watch(path: str, listed: bool = False) -> None:
    # While a check's log is open, its inputs are looked at only as noted (tests/test_kept_verdicts.py):
    # what it fills is taken as changed by the next watched_changed().
    found = _RACY if _log is not None else _signature(path, listed)
    if len(found) == 4 and found[2] >= _filling.started - RACY_NS:
        found = _RACY
    with _watched_lock:
        _watched[path, listed] = found


def watched_changed() -> bool:
    """True when a watched path is not as it was when it was read (or was too new to tell)."""
    with _watched_lock:
        watched = list(_watched.items())
    return any(seen is _RACY or _signature(*watch) != seen for watch, seen in watched)


def forget_watched() -> None:
    """Watch nothing: the caches were emptied, and what fills them again is watched anew."""
    with _watched_lock:
        _watched.clear()
