"""Run a command; print its wall time and the CPU time (user + sys) of every process it started.

    python .ci/timed.py LABEL COMMAND [ARG ...]

Bash's `time` counts only the processes its command waited for. A process that detaches
itself is handed to init when its parent exits, and its CPU, and that of everything it ran,
is counted nowhere: a tmux server (the terminal tests run drafter inside one), and
Chromium's helper processes (its zygotes, which start every renderer). Here this
process asks Linux to receive such orphans instead (PR_SET_CHILD_SUBREAPER), waits for them
as they end, and adds what wait4 says they used. A process still running once the command
has ended (and a short grace) is a leftover: it is named, stopped, and its CPU counted.
Exit status: the command's.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
GRACE = 10.0  # seconds for detached processes to end after the command (tmux servers: at once)


def become_subreaper() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def children_of(pid: int) -> list[int]:
    """The processes whose parent is *pid* (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()  # after "pid (comm) "
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def process_name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return "?"


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()[:200]
    except OSError:
        return "?"


def main(argv: list[str]) -> int:
    label, command = argv[0], argv[1:]
    counting = become_subreaper()
    # Ctrl-C reaches the command from the terminal itself; this process only keeps counting.
    # (A handler, not SIG_IGN: the command must not inherit an ignored SIGINT.)
    signal.signal(signal.SIGINT, lambda *_: None)
    start = time.monotonic()
    main_pid = os.posix_spawnp(command[0], command, os.environ)
    status = None
    own = [0.0, 0.0]  # the command and what it waited for (what bash's time counts)
    detached = [0.0, 0.0]  # processes that left it, and what they waited for
    orphans = 0
    by_name: dict[str, float] = {}  # the detached processes' CPU by program name
    deadline = None
    while True:
        try:
            # Which process ended, without reaping it yet: its name is still readable then.
            ended = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT | (os.WNOHANG if deadline else 0))
            name = process_name(ended.si_pid) if ended else ""
            pid, wait_status, usage = os.wait4(ended.si_pid, 0) if ended else (0, 0, None)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == 0:  # the command has ended; orphans still running
            if time.monotonic() > deadline:
                for leftover in children_of(os.getpid()):
                    print(f"{label}: still running after the command, stopped: {leftover} {command_line(leftover)}",
                          file=sys.stderr)
                    try:
                        os.kill(leftover, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                deadline = float("inf")  # now wait for them without a limit
                continue
            time.sleep(0.05)
            continue
        into = own if pid == main_pid else detached
        into[0] += usage.ru_utime
        into[1] += usage.ru_stime
        if pid == main_pid:
            status = os.waitstatus_to_exitcode(wait_status)
            wall = time.monotonic() - start
            deadline = time.monotonic() + GRACE
        else:
            orphans += 1
            by_name[name] = by_name.get(name, 0.0) + usage.ru_utime + usage.ru_stime
    user, system = own[0] + detached[0], own[1] + detached[1]
    print(f"{label}: {wall:.1f} s wall, {user + system:.1f} s CPU ({user:.1f} s user + {system:.1f} s sys)")
    if counting:
        names = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sorted(by_name.items(), key=lambda i: -i[1])[:4])
        print(f"{label}: of that CPU, {sum(detached):.1f} s in {orphans} processes that detached themselves "
              f"(with what they waited for: {names}); {sum(own):.1f} s as bash's time counts it")
    else:
        print(f"{label}: processes that detached themselves (tmux) are not counted on this system")
    return 128 - status if status is not None and status < 0 else (status or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
