"""SIGTERM and SIGHUP end drafter the way Ctrl-C does: by unwinding, never mid-write.

Python's default for SIGTERM and SIGHUP is to die on the spot: worker processes and
LibreOffice go on, temporary folders stay. Here both signals raise ``Terminated``, a
KeyboardInterrupt, so every ``finally`` and ``with`` runs: atomic writes remove their
temporary file, batch.py stops its workers, pdf.py stops LibreOffice and its scratch
folder goes. The front end then exits with 128 + the signal's number.
"""

from __future__ import annotations

import signal

HANDLED = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(KeyboardInterrupt):
    """A SIGTERM or SIGHUP, raised wherever the program was."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def signal_number(exc: BaseException) -> int:
    """The signal behind an interruption: SIGINT for a plain Ctrl-C."""
    return getattr(exc, "signum", int(signal.SIGINT))


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def exit_code(exc: BaseException) -> int:
    """128 + the signal's number, as a shell reports a process ended by that signal."""
    return 128 + signal_number(exc)


def _raise(signum: int, frame) -> None:
    # Once is enough: a second signal must not cut the clean-up the first one started.
    for sig in HANDLED:
        signal.signal(sig, signal.SIG_IGN)
    raise Terminated(signum)


def install() -> None:
    """Make SIGTERM and SIGHUP raise Terminated in this (main) thread."""
    for sig in HANDLED:
        try:
            signal.signal(sig, _raise)
        except (ValueError, OSError):  # not the main thread, or not allowed here
            pass
