"""A one-line progress bar for a terminal; does nothing when the stream is not one."""

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
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if done < total and now - self._last < _MIN_INTERVAL:
            return
        self._last = now
        filled = _WIDTH * done // total
        bar = "█" * filled + "·" * (_WIDTH - filled)
        self.stream.write(f"\r{self.label} {bar} {done}/{total}")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """Clear the bar's line, so the summary starts on a clean line."""
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False
