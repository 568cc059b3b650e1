"""`drafter check` of files that have not changed: the verdict it printed last time, kept.

As linters keep theirs (ruff, mypy). A plain `drafter check FILE...` (files or folders, with
--strict or --draft-ok or neither) keeps what it printed, the exact text of each write to
stdout and stderr in order, and its exit code, in the private cache (drafter/privcache.py),
together with every input it read, as it read it (drafter/inputs.py: the answer files, the
kinds, the profile and the names files by their SHA-256, every lookup of a file or folder,
every folder listed). The same command again (the same arguments, in the same folder, with the same
DRAFTER_* settings, the same version of Python and the same drafter and PyYAML) looks at each input again, and
when every one is as it was, prints the kept verdict without loading argparse, the kinds,
the rules or PyYAML. Anything else, any doubt, and every other command: a fresh check.

"The same drafter" is its version and the name, size and modification time of each of its
modules and of PyYAML's files: the test Python itself makes before it runs a module's
compiled bytecode (a source changed without either changing would not be compiled afresh
either). Reading and hashing drafter's 900 KB of source instead would cost 6 ms, as much as
starting Python. No rule or message of `check` depends on today's date (dates in the
messages are the answers' own), so the date is no input.

A verdict is kept only from a check that read every file it wanted to (a file missing, too
large or not a file is reported afresh each time), that ended with 0 or 1 (not on Ctrl-C or an
internal error) and whose every line was written. The cache only saves time: a cache folder
that cannot be written or holds damaged entries changes nothing but the time.
"""

from __future__ import annotations

import marshal
import os
import sys

from drafter import __version__, inputs, privcache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable

_MAGIC = b"drafter-check-verdict-1\n"
_MAX_BYTES = 4_000_000  # a check of a folder of a few thousand files with many findings
_KEPT = 1000  # entries kept (the newest); pruned as the parsed-YAML cache is
# `drafter check` with these options (besides its files) is "plain": its output is all its own.
_PLAIN_OPTIONS = ("--strict", "--draft-ok")


def plain_check(argv: list[str]) -> bool:
    """`check` with files or folders, and at most --strict and --draft-ok: no other option,
    nothing that looks like one, and the files in one run (argparse takes no file after an
    option that follows the first file: `check a --strict b` is a usage error)."""
    if argv[:1] != ["check"]:
        return False
    at = [n for n, arg in enumerate(argv) if n and arg not in _PLAIN_OPTIONS]
    return (bool(at) and at[-1] - at[0] == len(at) - 1
            and all(argv[n] and not argv[n].startswith("-") for n in at))


def replay(argv: list[str]) -> int | None:
    """Print the kept verdict of the command *argv* and return its exit code, when there is
    one and every input it depends on is unchanged; None otherwise (then check afresh)."""
    if not plain_check(argv) or sys.stdout is None or sys.stderr is None:
        return None  # (no console at all, pythonw: nothing is kept either)
    try:
        name = _entry_name(argv)
        if name is None:
            return None
        entry = privcache.load(name, _MAGIC, _MAX_BYTES, marshal.loads, _valid)
        if entry is None or not inputs.unchanged(_named_first(entry[0], argv)):
            return None
    except (OSError, ValueError, MemoryError, RecursionError):
        return None
    _, writes, code = entry
    from drafter.console import escape_what_it_cannot_show  # lazy: as in drafter.cli

    escape_what_it_cannot_show()
    streams = (sys.stdout, sys.stderr)
    try:
        for stream, text in writes:
            if text is None:
                streams[stream].flush()
            else:
                streams[stream].write(text)
    except BrokenPipeError:
        return 1  # as drafter.cli says it (EXIT_FAILED)
    return code


def record(argv: list[str], run: Callable[[], int]) -> int:
    """Run the check *run* with every input and write noted, and keep its verdict."""
    try:
        name = _entry_name(argv)
    except (OSError, ValueError):
        return run()  # drafter's own files cannot be looked at: nothing can be kept
    if sys.stdout is None or sys.stderr is None:
        return run()  # no console (pythonw): print() writes nowhere, nothing to keep
    writes: list[tuple[int, str | None]] = []
    streams = sys.stdout, sys.stderr
    tees = _Tee(streams[0], 0, writes), _Tee(streams[1], 1, writes)
    sys.stdout, sys.stderr = tees
    inputs.start()
    try:
        code = run()
    finally:
        notes = inputs.finish()
        if sys.stdout is tees[0]:
            sys.stdout = streams[0]
        if sys.stderr is tees[1]:
            sys.stderr = streams[1]
    if name is not None and notes is not None and code in (0, 1) and not (tees[0].failed or tees[1].failed):
        try:
            _keep(name, notes, tuple(writes), code)
        except (OSError, ValueError, MemoryError, RecursionError):
            pass  # not kept: the next check is a fresh one
    return code


def _named_first(notes: tuple, argv: list[str]) -> tuple:
    """*notes* with those of the files named first: the likeliest to have changed (just edited)."""
    named = set(argv[1:])
    first = tuple(note for note in notes if type(note) is tuple and len(note) > 1 and type(note[1]) is str
                  and note[1] in named)
    return first + tuple(note for note in notes if note not in first)


def _keep(name: str, notes: tuple, writes: tuple, code: int) -> None:
    content = marshal.dumps((notes, writes, code))
    if privcache.store(name, _MAGIC, content, _MAX_BYTES, durable=False) and name.endswith("00.verdict"):
        privcache.prune("check-*.verdict", _KEPT)  # about one store in 256 tidies up


class _Tee:
    """A stream that notes every write (and flush) before passing it on."""

    def __init__(self, stream, index: int, writes: list):
        self._stream, self._index, self._writes = stream, index, writes
        self.failed = False

    def write(self, text: str) -> int:
        self._writes.append((self._index, str(text)))
        try:
            return self._stream.write(text)
        except BaseException:
            self.failed = True
            raise

    def flush(self) -> None:
        self._writes.append((self._index, None))
        try:
            self._stream.flush()
        except BaseException:
            self.failed = True
            raise

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _valid(entry: object) -> bool:
    if type(entry) is not tuple or len(entry) != 3:
        return False
    notes, writes, code = entry
    return (type(notes) is tuple and type(writes) is tuple and code in (0, 1) and type(code) is int
            and all(type(w) is tuple and len(w) == 2 and w[0] in (0, 1) and (w[1] is None or type(w[1]) is str)
                    for w in writes))


def _entry_name(argv: list[str]) -> str | None:
    """The cache entry of this command here: everything besides the inputs that its output
    depends on (None: no cache, or drafter's files cannot be looked at)."""
    code = _code_stamp()
    if code is None:
        return None
    settings = sorted((k, v) for k, v in os.environ.items() if k.startswith("DRAFTER_"))
    key = (_MAGIC, __version__, sys.version, os.getcwd(), tuple(argv), settings, tuple(sys.warnoptions), code)
    return f"check-{privcache.digest(repr(key).encode('utf-8', 'surrogatepass')).hex()}.verdict"


def _code_stamp() -> tuple | None:
    """Name, size and modification time of drafter's modules and of PyYAML's files."""
    yaml = privcache.package_folder("yaml")
    if yaml is None:
        return None
    folders = [os.path.dirname(os.path.abspath(__file__)), yaml]
    stamp = []
    for folder in folders:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith((".py", ".so", ".pyd")):
                    info = entry.stat()
                    stamp.append((folder, entry.name, info.st_size, info.st_mtime_ns))
    return tuple(sorted(stamp))
