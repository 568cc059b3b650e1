"""Process pools: how many workers, started how. Shared by every command that fans out."""

from __future__ import annotations

import os
import sys

JOBS_ENV = "DRAFTER_JOBS"
# Windows waits on at most 63 handles at once; concurrent.futures refuses more than 61 workers.
MAX_WINDOWS_WORKERS = 61


def worker_count(files: int) -> int:
    """How many processes: the cores this process may use, never more than there are files."""
    wanted = os.environ.get(JOBS_ENV, "").strip()
    if wanted.isascii() and wanted.isdigit() and int(wanted) > 0:  # not "²", which isdigit() accepts
        cores = int(wanted)
    elif hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    if sys.platform == "win32":
        cores = min(cores, MAX_WINDOWS_WORKERS)
    return max(1, min(cores, files))


def mp_context():
    """fork where it is safe and quick (Linux), spawn elsewhere."""
    import multiprocessing

    # fork: workers start at once with the modules their parent imported already loaded.
    # Elsewhere spawn, the only method on Windows and the safe one on macOS; nothing a
    # worker needs comes from the parent's memory, so both give the same documents.
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
