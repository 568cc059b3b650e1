"""A one-line progress bar for a terminal; does nothing when the stream is not one.

Plain text only (a carriage return, no ANSI escapes), so Windows' classic console shows
it as it is meant; block characters only where the stream's encoding has them.
"""

from __future__ import annotations

import time
from typing import TextIO

_WIDTH = 30
_MIN_INTERVAL = 0.05  # seconds between redraws; a terminal need not see every file


class ProgressBar:
    def __init__(self, stream: TextIO, label: str, enabled: bool | None = None):
        self.stream = stream
        self.label = label
        if enabled is None:
            try:
                enabled = stream.isatty()
            except (AttributeError, ValueError):
                enabled = False
        self.enabled = enabled
        self._full, self._empty = _bar_characters(stream)
        self._last = 0.0
        self._shown = 0  # the length of the line on screen

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if done < total and now - self._last < _MIN_INTERVAL:
            return
        self._last = now
        filled = _WIDTH * done // total
        bar = self._full * filled + self._empty * (_WIDTH - filled)
        line = f"{self.label} {bar} {done}/{total}"
        self.stream.write(f"\r{line}")
        self.stream.flush()
        self._shown = max(self._shown, len(line))

    def close(self) -> None:
        """Clear the bar's line, so the summary starts on a clean line."""
        if self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0


def _bar_characters(stream: TextIO) -> tuple[str, str]:
    try:
        "█·".encode(getattr(stream, "encoding", None) or "ascii")
    except (LookupError, UnicodeEncodeError):
        return "#", "."
    return "█", "·"
