"""Prepared Word templates kept between runs, as Python keeps .pyc files.

Preparing a template (docxtpl's tag clean-up, then compiling the Jinja of each part to
Python code) costs a cold `drafter render` of one document more than the rendering
itself. The result depends only on the template's bytes, on drafter's renderer and on
the versions of docxtpl, Jinja2, lxml and Python, so the compiled code of each part is stored
under a key made of all of these (Jinja's own bytecode cache works the same way: marshal
of the code objects). Nothing from an answer file is ever stored here.

Folder: $DRAFTER_CACHE_DIR, else $XDG_CACHE_HOME/drafter, else ~/.cache/drafter.
DRAFTER_CACHE_DIR=off turns the cache off. A cache that cannot be read or written is
simply not used: it makes drafter faster, never different.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from types import CodeType

CACHE_ENV = "DRAFTER_CACHE_DIR"
_MAGIC = b"drafter-prepared-template-1\n"
MAX_ENTRIES = 50  # a few KB each; the oldest go when a new one would pass this


def cache_dir() -> Path | None:
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "nej") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "drafter"


def cache_key(template_bytes: bytes) -> str:
    import docxtpl
    import jinja2
    from lxml import etree

    digest = hashlib.sha256(_MAGIC)
    # The renderer's own source: a change in how drafter prepares templates is a new key.
    digest.update(Path(__file__).with_name("render.py").read_bytes())
    for part in (docxtpl.__version__, jinja2.__version__, etree.LXML_VERSION, sys.version, sys.implementation.cache_tag or ""):
        digest.update(str(part).encode("utf-8") + b"\0")
    digest.update(template_bytes)
    return digest.hexdigest()


def load(key: str) -> dict[str, CodeType] | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        raw = (folder / f"{key}.bin").read_bytes()
    except OSError:
        return None
    if not raw.startswith(_MAGIC):
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

    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / f"{key}.bin", _MAGIC + marshal.dumps(codes))
    except (OSError, DrafterError):
        return  # no cache this time; the next run prepares the template again
    _prune(folder)


def _prune(folder: Path) -> None:
    """Keep the MAX_ENTRIES newest entries: every edit of a template makes a new one."""
    try:
        entries = sorted(folder.glob("*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[MAX_ENTRIES:]:
            old.unlink()
    except OSError:
        pass  # another drafter pruned at the same time
