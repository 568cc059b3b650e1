"""What a person sees in the interview: a key pressed until the next prompt is drawn.

`drafter new adhoc` runs in a pseudo-terminal (80x24, as a terminal program would run it;
this script answers the terminal's cursor-position requests as a terminal does) and is
given the whole commission of scripts/interview_tmux_run.py, prompt by prompt. For every
key that sends an answer (Enter, or the form's Enter), the time is taken from writing the
key until the next prompt's text has arrived on the terminal: checking the answer, the
autosave (write, fsync, rename), the texts before the next question, and building and
drawing the next prompt, all of it included.

    python scripts/measure_latency.py [RUNS]          # default 3 runs
    python scripts/measure_latency.py --json [RUNS]   # the figures as JSON (for bench/)

Run with the Python of the drafter to measure: an installed drafter's own `drafter`
command, or this checkout's `python -m drafter` when that Python's drafter is the checkout.
Linux and macOS only (a pseudo-terminal).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import select
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "scripts"), str(REPO / "tests")]

from interview_tmux_run import run_commission  # noqa: E402

KEYS = {"Enter": "\r", "Tab": "\t", "Down": "\x1b[B", "Up": "\x1b[A", "C-u": "\x15", "C-c": "\x03", "Escape": "\x1b"}
CURSOR_POSITION_REQUEST = b"\x1b[6n"
_ESCAPES = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-Za-z]|[=>78])")
# A key's screen is drawn when nothing more arrives for this long (typing before the key that
# sends is then handled, and not counted in that key's time).
SETTLED_AFTER = 0.08
# What is not a prompt: the last wait, for the document written after the review.
NOT_A_PROMPT = ("Dokument: ",)


def drafter_command() -> tuple[list[str], dict[str, str]]:
    """The drafter this Python has: an install's own command, or this checkout's."""
    spec = importlib.util.find_spec("drafter")
    installed = spec is not None and spec.origin is not None and not Path(spec.origin).resolve().is_relative_to(REPO)
    script = Path(sys.executable).parent / "drafter"
    if installed and script.is_file():
        return [str(script)], {}
    return [sys.executable, "-m", "drafter"], {"PYTHONPATH": str(REPO)}


class PseudoTerminal:
    """A program in a pseudo-terminal, with the few methods of the tmux session the flow uses."""

    def __init__(self, argv: list[str], cwd: Path, extra_env: dict[str, str], size: tuple[int, int] = (80, 24)):
        import fcntl
        import pty
        import struct
        import termios

        env = {**os.environ, **extra_env, "TERM": "xterm-256color", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
        env.pop("COLUMNS", None)
        env.pop("LINES", None)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the terminal's size, then drafter
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
                os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.output = ""  # everything drawn, escape sequences taken out
        self.mark = 0  # where the output after the last key begins
        self.key_sent_at: float | None = None  # when the last key was written, until a prompt answers it
        self.latencies: list[tuple[str, float]] = []
        self.status: int | None = None
        self._pending = b""

    def _pump(self, timeout: float) -> bool:
        """Read what has arrived (waiting at most *timeout*); False at the end of output."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # the program has ended
            return False
        if not data:
            return False
        data = self._pending + data
        # A terminal answers "where is the cursor?" at once; prompt_toolkit asks at every prompt.
        for _ in range(data.count(CURSOR_POSITION_REQUEST)):
            os.write(self.fd, b"\x1b[1;1R")
        cut = data.rfind(b"\x1b")
        if cut >= 0 and len(data) - cut < 16 and not re.search(rb"[@-~]", data[cut + 2:]):
            data, self._pending = data[:cut], data[cut:]  # an escape sequence split between reads
        else:
            self._pending = b""
        self.output += _ESCAPES.sub("", data.decode("utf-8", "replace"))
        return True

    def wait_for(self, text: str, limit: float = 30) -> str:
        deadline = time.monotonic() + limit
        while text not in self.output[self.mark:]:
            if time.monotonic() > deadline or not self._pump(0.5):
                raise SystemExit(f"gave up waiting for {text!r}; the terminal shows:\n{self.output[-2000:]}")
        if self.key_sent_at is not None:
            self.latencies.append((text, time.perf_counter() - self.key_sent_at))
            self.key_sent_at = None
        return self.output[self.mark:]

    def type(self, text: str) -> None:
        self._write(text)
        self._settle()

    def send(self, *keys: str) -> None:
        """The keys, each after the screen has settled from the one before; the clock
        starts at the last (a person's typing is over long before the key that sends)."""
        for number, key in enumerate(keys):
            if number:
                self._settle()
            self._write(KEYS[key])
        self.key_sent_at = time.perf_counter()

    def _settle(self, quiet: float = SETTLED_AFTER) -> None:
        """Read until nothing has been drawn for *quiet* seconds: the keys so far are handled."""
        deadline = time.monotonic() + 10
        last = time.monotonic()
        while time.monotonic() - last < quiet and time.monotonic() < deadline:
            before = len(self.output)
            if not self._pump(quiet / 4):
                return
            if len(self.output) != before:
                last = time.monotonic()

    def _write(self, text: str) -> None:
        self.mark = len(self.output)
        self.key_sent_at = None
        os.write(self.fd, text.encode("utf-8"))

    def screen(self) -> str:
        return self.output[self.mark:]

    def exit_status(self) -> int:
        while self._pump(0.5):
            pass
        _, status = os.waitpid(self.pid, 0)
        self.status = os.waitstatus_to_exitcode(status)
        return self.status

    def close(self) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
        os.close(self.fd)


def measure(runs: int) -> list[float]:
    latencies: list[float] = []
    argv, extra_env = drafter_command()
    for _ in range(runs):
        sessions: list[PseudoTerminal] = []

        def start(args: str, folder: Path, size: tuple[int, int]) -> PseudoTerminal:
            sessions.append(PseudoTerminal([*argv, *args.split()], folder, extra_env, size))
            return sessions[-1]

        with tempfile.TemporaryDirectory(prefix="drafter-latency-") as folder:
            result = run_commission(Path(folder) / "ws", start=start)
        if result.status != 0:
            raise SystemExit(f"drafter new adhoc ended with {result.status}:\n{sessions[-1].output[-2000:]}")
        latencies += [seconds for marker, seconds in sessions[-1].latencies if marker not in NOT_A_PROMPT]
    return latencies


def main(argv: list[str]) -> None:
    as_json = "--json" in argv
    numbers = [a for a in argv if a != "--json"]
    runs = int(numbers[0]) if numbers else 3
    ms = sorted(seconds * 1000 for seconds in measure(runs))
    figures = {"count": len(ms), "median": statistics.median(ms), "p95": ms[min(len(ms) - 1, int(len(ms) * 0.95))],
               "max": ms[-1]}
    if as_json:
        print(json.dumps(figures))
        return
    print(f"{runs} runs, {figures['count']} prompts answered: a key pressed until the next prompt is drawn")
    print(f"median {figures['median']:.1f} ms, p95 {figures['p95']:.1f} ms, max {figures['max']:.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
