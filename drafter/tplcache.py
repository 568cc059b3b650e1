"""Prepared Word templates kept between runs, as Python keeps .pyc files.

Preparing a template (docxtpl's tag clean-up, then compiling the Jinja of each part to
Python code) costs a cold `drafter render` of one document more than the rendering
itself. The result depends only on the template's bytes, on drafter's renderer and on
the versions of docxtpl, Jinja2, lxml and Python, so the compiled code of each part is stored
under a key made of all of these (Jinja's own bytecode cache works the same way: marshal
of the code objects). Nothing from an answer file is ever stored here.

An entry is code that drafter will run, so the cache is private, like ~/.ssh: the folder
is created 0700, and an entry is used only when it is a regular file (no link, FIFO or
device), owned by the current user, not writable by group or others, in a folder that
is the same, and at most MAX_ENTRY_BYTES. It is opened without following links and
without blocking. On Windows, where os.stat cannot tell the owner, only the per-user
folder under %LOCALAPPDATA% is used (its permissions are the user's alone).

Folder: $DRAFTER_CACHE_DIR, else the platform's cache folder: %LOCALAPPDATA%\\drafter\\Cache
on Windows, ~/Library/Caches/drafter on macOS, $XDG_CACHE_HOME/drafter or ~/.cache/drafter
elsewhere. DRAFTER_CACHE_DIR=off turns the cache off. A cache that cannot be read or
written, or that fails a check, is simply not used: it makes drafter faster, never different.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
from pathlib import Path
from types import CodeType

CACHE_ENV = "DRAFTER_CACHE_DIR"
_MAGIC = b"drafter-prepared-template-1\n"
MAX_ENTRIES = 50  # a few KB each; the oldest go when a new one would pass this
MAX_ENTRY_BYTES = 4 * 1024 * 1024  # the built-in templates need under 30 KB
# Ownership can be checked where os.stat reports a meaningful owner (not on Windows).
_CAN_CHECK_OWNER = hasattr(os, "geteuid")


def platform_cache_dir() -> Path:
    """The per-user cache folder the platform's conventions name."""
    home = Path(os.path.expanduser("~"))
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "drafter" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "drafter"
    return Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "drafter"


def cache_dir() -> Path | None:
    chosen = os.environ.get(CACHE_ENV)
    if chosen is None:
        return platform_cache_dir()
    if chosen.strip().lower() in ("", "off", "0", "nej"):
        return None
    # Without an owner to check, only the per-user default folder is trusted.
    return Path(chosen) if _CAN_CHECK_OWNER else None


def cache_key(template_bytes: bytes) -> str:
    import jinja2
    from lxml import etree

    digest = hashlib.sha256(_MAGIC)
    # The renderer's own source: a change in how drafter prepares templates is a new key.
    for module in ("render.py", "sandbox.py"):  # sandbox.py bounds the compiled loops
        digest.update(Path(__file__).with_name(module).read_bytes())
    # docxtpl's tag clean-up by its source, not its version: read, never imported, since
    # importing docxtpl imports python-docx (some 40 ms), which a cache hit never needs.
    digest.update(_docxtpl_source() + b"\0")
    for part in (jinja2.__version__, etree.LXML_VERSION, sys.version, sys.implementation.cache_tag or ""):
        digest.update(str(part).encode("utf-8") + b"\0")
    digest.update(template_bytes)
    return digest.hexdigest()


def _docxtpl_source() -> bytes:
    """The source of docxtpl's DocxTemplate (its preparation of a template), found
    without importing docxtpl; empty when it cannot be found."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("docxtpl")
        folders = list(spec.submodule_search_locations or []) if spec is not None else []
        return b"".join(Path(folder, "template.py").read_bytes() for folder in folders)
    except (ImportError, ValueError, OSError):
        return b""


def _private(info: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else."""
    if not _CAN_CHECK_OWNER:
        return True
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _usable_folder(folder: Path) -> bool:
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _private(info)


def _read_entry(path: Path) -> bytes | None:
    """The entry's bytes if it passes every check; None otherwise. Never blocks."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        # Checked on the open file itself, so nothing can be swapped in between.
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _private(info) or info.st_size > MAX_ENTRY_BYTES:
            return None
        chunks, left = [], info.st_size + 1
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        return data if len(data) <= MAX_ENTRY_BYTES else None
    except OSError:
        return None
    finally:
        os.close(fd)


def load(key: str) -> dict[str, CodeType] | None:
    folder = cache_dir()
    if folder is None or not _usable_folder(folder):
        return None
    raw = _read_entry(folder / f"{key}.bin")
    if raw is None or not raw.startswith(_MAGIC):
        return None
    try:
        codes = marshal.loads(raw[len(_MAGIC):])
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(codes, dict) or not all(isinstance(c, CodeType) for c in codes.values()):
        return None
    return codes


def store(key: str, codes: dict[str, CodeType]) -> None:
    folder = cache_dir()
    if folder is None:
        return
    from drafter.errors import DrafterError
    from drafter.fsutil import atomic_write

    data = _MAGIC + marshal.dumps(codes)
    if len(data) > MAX_ENTRY_BYTES:
        return
    try:
        if not folder.exists():
            folder.parent.mkdir(parents=True, exist_ok=True)
            folder.mkdir(mode=0o700, exist_ok=True)
        if not _usable_folder(folder):
            return  # someone else's, or open to others: not a place for code we run
        atomic_write(folder / f"{key}.bin", data, mode=0o600)
    except (OSError, DrafterError):
        return  # no cache this time; the next run prepares the template again
    _prune(folder)


def _prune(folder: Path) -> None:
    """Keep the MAX_ENTRIES newest entries: every edit of a template makes a new one."""
    try:
        entries = sorted(folder.glob("*.bin"), key=lambda p: p.lstat().st_mtime, reverse=True)
        for old in entries[MAX_ENTRIES:]:
            old.unlink()
    except OSError:
        pass  # another drafter pruned at the same time
