"""The console's streams: what they cannot show is written as escapes, never a failure."""

from __future__ import annotations

import sys


def escape_what_it_cannot_show() -> None:
    """Redirected output on Windows is in the ANSI code page (cp1252), which has no "ł" for
    a file named møde-Michał.yaml; a POSIX file name may hold bytes that are not UTF-8.
    Such characters are printed as \\u0142-style escapes instead of stopping drafter."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream.errors == "strict":
                stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass  # replaced by something that is not a text file (tests, embedding)
