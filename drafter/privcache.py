"""drafter's private cache: one folder, one set of rules, for every cache.

Caches only save time (prepared templates, `status` verdicts); what is read from them
is code drafter runs or verdicts it prints, so the folder is private, like ~/.ssh:

- the folder is created 0700 and used only while it is a folder of the user's that
  nobody else may write;
- an entry is used only when it is a regular file (no link, FIFO or device) of the
  user's, not writable by group or others, and at most the cache's size limit; it is
  opened without following links and without blocking, and checked on the open file;
- an entry carries its cache's magic line and the SHA-256 of its content, so only bytes
  drafter wrote itself are ever decoded. A decoder (marshal, json) can grow far past its
  input on damaged bytes (`marshal.loads` of "(" repeated asks for gigabytes); a digest
  that does not match means the bytes are never handed to it;
- any failure to read or decode (MemoryError and RecursionError included) means
  "not cached". On Windows, where os.stat cannot tell the owner, only the per-user folder
  under %LOCALAPPDATA% is used (its permissions are the user's alone).

Folder: $DRAFTER_CACHE_DIR, else the platform's cache folder: %LOCALAPPDATA%\\drafter\\Cache
on Windows, ~/Library/Caches/drafter on macOS, $XDG_CACHE_HOME/drafter or ~/.cache/drafter
elsewhere. DRAFTER_CACHE_DIR=off turns every cache off.
"""

from __future__ import annotations

import os
import stat
import sys

# Reading an entry needs none of pathlib, hashlib, typing or drafter.errors: `drafter check`
# replays a kept verdict before any of them is loaded (drafter/verdicts.py). Measured with
# -X importtime, bytecode compiled, on a loaded machine: pathlib 5.4 ms (it loads
# urllib.parse), hashlib 2.1 ms (OpenSSL), typing 2.5 ms, drafter.errors 6-9 ms (dataclasses),
# against 8-9 ms for all of `python -c pass`. So paths are text here, and those imports
# are made where an entry is written, or a Path is asked for.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Callable

try:  # CPython's own SHA-256: no OpenSSL to load (see digest)
    from _sha256 import sha256 as _small_sha256  # Python 3.11
except ImportError:
    try:
        from _sha2 import sha256 as _small_sha256  # Python 3.12 and later
    except ImportError:
        _small_sha256 = None

CACHE_ENV = "DRAFTER_CACHE_DIR"
# Ownership can be checked where os.stat reports a meaningful owner (not on Windows).
_CAN_CHECK_OWNER = hasattr(os, "geteuid")
_DIGEST_BYTES = 32  # SHA-256, after the magic line
# OpenSSL's SHA-256 (hashlib) is about three times faster per byte than CPython's own (400
# against 130 MB/s here), but loading it takes ~2 ms: up to this size, before anything has
# loaded hashlib, CPython's own is the quicker.
_SMALL_DIGEST_BYTES = 256 * 1024


def digest(data: bytes) -> bytes:
    """The SHA-256 of *data* (32 bytes), as cheap to start as it can be."""
    if _small_sha256 is not None and "hashlib" not in sys.modules and len(data) <= _SMALL_DIGEST_BYTES:
        return _small_sha256(data).digest()
    import hashlib  # lazy: see the imports above

    return hashlib.sha256(data).digest()


def package_folder(name: str) -> str | None:
    """The folder `import name` would load the package *name* from, found without importing
    it (importlib.machinery is not needed either: ~0.6 ms); None when it is not a package."""
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        spec = find_spec(name, None) if find_spec is not None else None
        if spec is not None:
            folders = spec.submodule_search_locations
            return folders[0] if folders else None
    return None


def _platform_folder() -> str:
    home = os.path.expanduser("~")
    if sys.platform == "win32":
        return os.path.join(os.environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local"), "drafter", "Cache")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches", "drafter")
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"), "drafter")


def _folder() -> str | None:
    """cache_dir() as text."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is None:
        return _platform_folder()
    if chosen.strip().lower() in ("", "off", "0", "nej"):
        return None
    # Without an owner to check, only the per-user default folder is trusted.
    return chosen if _CAN_CHECK_OWNER else None


def platform_cache_dir() -> Path:
    """The per-user cache folder the platform's conventions name."""
    from pathlib import Path  # lazy: see the imports above

    return Path(_platform_folder())


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off (or the named folder cannot be trusted)."""
    from pathlib import Path  # lazy: see the imports above

    folder = _folder()
    return None if folder is None else Path(folder)


def _private(info: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else."""
    if not _CAN_CHECK_OWNER:
        return True
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def usable_folder(folder: str | Path) -> bool:
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _private(info)


def _read_private_file(path: str, max_bytes: int) -> bytes | None:
    """The file's bytes if it passes every check; None otherwise. Never blocks, never reads past the cap."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None  # a FIFO or device is not even opened (the open below could not block either)
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        # Checked on the open file itself, so nothing can be swapped in between.
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _private(info) or info.st_size > max_bytes:
            return None
        chunks, left = [], max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        return data if len(data) <= max_bytes else None
    except (OSError, MemoryError):
        return None
    finally:
        os.close(fd)


def envelope(magic: bytes, content: bytes) -> bytes:
    """The bytes of an entry: the cache's magic line, the content's SHA-256, the content."""
    return magic + digest(content) + content


def read_entry(name: str, magic: bytes, max_bytes: int) -> bytes | None:
    """The content of entry *name* when everything checks (see the module text); None otherwise."""
    folder = _folder()
    if folder is None or not usable_folder(folder):
        return None
    raw = _read_private_file(os.path.join(folder, name), max_bytes)
    if raw is None or not raw.startswith(magic) or len(raw) < len(magic) + _DIGEST_BYTES:
        return None
    stored, content = raw[len(magic):len(magic) + _DIGEST_BYTES], raw[len(magic) + _DIGEST_BYTES:]
    if digest(content) != stored:
        return None  # damaged, cut short, or not written by drafter: never decoded
    return content


def load(name: str, magic: bytes, max_bytes: int, decode: Callable[[bytes], Any], valid: Callable[[Any], bool]) -> Any:
    """Entry *name* decoded and checked by *valid*; None when it is missing, unsafe, damaged or wrong."""
    content = read_entry(name, magic, max_bytes)
    if content is None:
        return None
    try:
        value = decode(content)
        return value if valid(value) else None
    except (MemoryError, RecursionError, EOFError, ValueError, TypeError, KeyError, AttributeError, IndexError,
            OverflowError):
        return None


def store(name: str, magic: bytes, content: bytes, max_bytes: int, durable: bool = True) -> bool:
    """Write entry *name* (0600, whole or not at all) in the private folder; False when not stored.
    *durable=False*: not flushed to disk (see fsutil.atomic_write), for entries written often."""
    from drafter.errors import DrafterError  # lazy: see the imports above
    from drafter.fsutil import atomic_write  # lazy: see the imports above

    folder = cache_dir()
    if folder is None:
        return False
    data = envelope(magic, content)
    if len(data) > max_bytes:
        return False
    try:
        if not folder.exists():
            folder.parent.mkdir(parents=True, exist_ok=True)
            folder.mkdir(mode=0o700, exist_ok=True)
        if not usable_folder(folder):
            return False  # someone else's, or open to others: not a place for what we read back
        # No look for temporary files killed writers left (a listing of the whole folder):
        # prune removes them now and then.
        atomic_write(folder / name, data, mode=0o600, durable=durable, sweep=False)
    except (OSError, DrafterError):
        return False  # no cache this time; the next run does the work again
    return True


def prune(pattern: str, keep: int) -> None:
    """Keep the *keep* newest entries whose names match *pattern* (a glob); and remove the
    temporary files of writes that were killed, which store leaves alone."""
    from drafter.fsutil import remove_stale_temp_files_in  # lazy: see the imports above

    folder = cache_dir()
    if folder is None:
        return
    remove_stale_temp_files_in(folder)
    try:
        entries = sorted(folder.glob(pattern), key=lambda p: p.lstat().st_mtime, reverse=True)
        for old in entries[keep:]:
            old.unlink()
    except OSError:
        pass  # another drafter pruned at the same time
