"""SIGTERM and SIGHUP end drafter the way Ctrl-C does: by unwinding, never mid-write.

Python's default for SIGTERM and SIGHUP is to die on the spot: worker processes and
LibreOffice go on, temporary folders stay. Here both signals raise ``Terminated``, a
KeyboardInterrupt, so every ``finally`` and ``with`` runs: atomic writes remove their
temporary file, batch.py stops its workers, pdf.py stops LibreOffice and its scratch
folder goes. The front end then exits with 128 + the signal's number.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager

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


# Clean-up after a signal gets this long; then the process ends all the same. A clean-up
# can wait on something that never finishes (asyncio's runner waits for prompt_toolkit's
# cancelled tasks when the terminal is gone), and nothing may keep drafter alive then:
# its children die with it (see below), and a temporary file left is removed later.
DEFAULT_GRACE_SECONDS = 10.0  # a batch waits up to 6 s for its workers to unwind
_grace = DEFAULT_GRACE_SECONDS
_terminating = False  # a signal was raised; its clean-up is running
_deferring = 0  # inside deferred(): a signal waits until the block is done
_pending: int | None = None


def set_grace(seconds: float) -> None:
    """How long the clean-up after a signal may take before the process simply ends."""
    global _grace
    _grace = seconds


def _raise(signum: int, frame) -> None:
    global _pending
    if _terminating or _pending is not None:
        # A second signal while the first one's clean-up runs: never ignored. Children
        # end with drafter anyway, so ending here loses nothing that is not on disk.
        os._exit(128 + signum)
    if _deferring:
        _pending = signum  # raised when the deferred block ends
        return
    _terminate(signum)


def _terminate(signum: int) -> None:
    global _terminating
    _terminating = True
    import threading  # here, not above: only a signal needs it (start-up of every command)

    watchdog = threading.Timer(_grace, os._exit, (128 + signum,))
    watchdog.daemon = True
    watchdog.start()
    raise Terminated(signum)


@contextmanager
def deferred():
    """A block a signal does not cut (saving a draft): a signal inside it is raised at its end."""
    global _deferring, _pending
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
        if not _deferring and _pending is not None:
            signum, _pending = _pending, None
            _terminate(signum)


def install() -> None:
    """Make SIGTERM and SIGHUP raise Terminated in this (main) thread."""
    for sig in HANDLED:
        try:
            signal.signal(sig, _raise)
        except (ValueError, OSError):  # not the main thread, or not allowed here
            pass


# -- nothing outlives drafter -----------------------------------------------------------------
#
# A kill -9 of drafter runs no `finally`: its worker processes and LibreOffice would go on
# (writing documents nobody asked for any more). So every child is tied to drafter's life:
# - a worker process (batch, status) asks the Linux kernel for SIGKILL when drafter dies
#   (PR_SET_PDEATHSIG), and everywhere watches multiprocessing's parent sentinel in a
#   thread (on Windows the parent's process handle, elsewhere a pipe): when it fires, the
#   worker ends at once;
# - LibreOffice (soffice starts oosplash, which starts soffice.bin; a death signal is not
#   inherited by a grandchild) is started under a small watcher, a Python process in a
#   process group of its own with a pipe from drafter on its stdin: when the pipe closes
#   (drafter ended, however), the watcher kills the whole group, itself included. On
#   Windows the watcher ends LibreOffice's process tree with taskkill /T, as pdf._stop does.

_PR_SET_PDEATHSIG = 1


def _parent_death_signal(signum: int) -> None:
    """Linux: the kernel sends *signum* to this process when its parent ends."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # no prctl: the sentinel thread below still ends the worker


def die_with_parent(parent_pid: int, signum: int = int(signal.SIGTERM)) -> None:
    """In a worker process: get *signum* when drafter (*parent_pid*) ends, even by kill -9.

    SIGTERM lets a worker that is writing unwind (its temporary file goes); one that does
    not end within half a second is ended outright.
    """
    _parent_death_signal(signum)
    if os.getppid() != parent_pid:  # drafter died before the kernel was asked
        os._exit(1)
    import multiprocessing
    import threading
    import time

    parent = multiprocessing.parent_process()
    if parent is None or getattr(parent, "sentinel", None) is None:
        return

    def watch() -> None:
        from multiprocessing.connection import wait

        try:
            wait([parent.sentinel])
        except (OSError, ValueError):
            return
        try:
            os.kill(os.getpid(), signum)
        except OSError:
            pass
        time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="drafter-parent-watch", daemon=True).start()


_WATCHER = r"""
import os, signal, subprocess, sys, threading
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)
def end_all():
    if hasattr(os, "killpg") and os.getpgrp() == os.getpid():
        os.killpg(0, signal.SIGKILL)  # the group this watcher leads: LibreOffice, its children, itself
    elif os.name == "nt":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(child.pid)], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        child.kill()
    os._exit(1)
def watch():
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    end_all()  # end of file: drafter is gone
threading.Thread(target=watch, daemon=True).start()
code = child.wait()
os._exit(code if code >= 0 else 128 - code)  # not sys.exit: the watching thread is still reading
"""


def watched_popen(command: list[str], **kwargs):
    """Start *command* so that it and everything it starts ends with drafter, however drafter ends.

    The process returned is the watcher: its exit code is the command's, and killing its
    process group (or, on Windows, its tree) stops the command too.
    """
    # Imported here, not above: every command imports this module for its signal handlers,
    # and subprocess costs some 10 ms of start-up that only a PDF run needs.
    import subprocess

    kwargs.pop("stdin", None)
    if os.name == "posix":
        kwargs["start_new_session"] = True  # one group: the watcher and all it starts
    else:
        kwargs.setdefault("creationflags", getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0))
    process = subprocess.Popen([sys.executable, "-I", "-S", "-c", _WATCHER, *command], stdin=subprocess.PIPE, **kwargs)
    # The pipe's only writer is this process: when drafter ends, the watcher reads its end.
    return process
