"""Prepared Word templates kept between runs, as Python keeps .pyc files.

Preparing a template (docxtpl's tag clean-up, then compiling the Jinja of each part to
Python code) costs a cold `drafter render` of one document more than the rendering
itself. The result depends only on the template's bytes, on drafter's renderer and on
the versions of docxtpl, Jinja2, lxml and Python, so the compiled code of each part is stored
under a key made of all of these (Jinja's own bytecode cache works the same way: marshal
of the code objects). Nothing from an answer file is ever stored here.

An entry is code that drafter will run, so it lives in drafter's private cache
(drafter/privcache.py: a 0700 folder, entries of the user's alone, opened without
following links or blocking, size-capped, digest-checked before marshal sees a byte).
A cache that cannot be read or written, or that fails a check, is simply not used: it
makes drafter faster, never different. DRAFTER_CACHE_DIR=off turns it off.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from pathlib import Path
from types import CodeType

from drafter import privcache
from drafter.privcache import CACHE_ENV, cache_dir, platform_cache_dir  # noqa: F401 - this cache's face

_MAGIC = b"drafter-prepared-template-2\n"
MAX_ENTRIES = 50  # a few KB each; the oldest go when a new one would pass this
MAX_ENTRY_BYTES = 4 * 1024 * 1024  # the built-in templates need under 30 KB


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


def _valid(codes: object) -> bool:
    return isinstance(codes, dict) and all(isinstance(k, str) and isinstance(c, CodeType) for k, c in codes.items())


def entry_bytes(codes: dict[str, CodeType]) -> bytes:
    """What store writes for *codes* (tests plant entries with it)."""
    return privcache.envelope(_MAGIC, marshal.dumps(codes))


def load(key: str) -> dict[str, CodeType] | None:
    """The compiled parts stored under *key*, or None: missing, unsafe, damaged or not code."""
    return privcache.load(f"{key}.bin", _MAGIC, MAX_ENTRY_BYTES, marshal.loads, _valid)


def store(key: str, codes: dict[str, CodeType]) -> None:
    if privcache.store(f"{key}.bin", _MAGIC, marshal.dumps(codes), MAX_ENTRY_BYTES):
        # Keep the MAX_ENTRIES newest entries: every edit of a template makes a new one.
        privcache.prune("*.bin", MAX_ENTRIES)
