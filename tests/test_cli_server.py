"""The tests' CLI server (tests/cli_server.py) gives what a fresh `python -m drafter` gives:
the same process as a program sees it, and the same bytes out of every command."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ANSWERS_DIR, EXAMPLES, REPO, TEMPLATES_DIR, cli_server, run_cli

# What a program can see of the process it runs in, printed as JSON; then an atexit handler
# that writes after the program has ended, and an exit with a message (code 1).
PROBE = r'''
import atexit, json, os, signal, stat, sys, tempfile, time

def fd_kind(fd):
    mode = os.fstat(fd).st_mode
    target = os.readlink(f"/proc/self/fd/{fd}")
    return "pipe" if stat.S_ISFIFO(mode) else target

def handler(number):
    h = signal.getsignal(number)
    return {signal.SIG_DFL: "default", signal.SIG_IGN: "ignore", signal.default_int_handler: "interrupt"}.get(h, repr(h))

def stream(s):
    return {"encoding": s.encoding, "errors": s.errors, "line_buffering": s.line_buffering,
            "write_through": s.write_through, "mode": s.mode, "name": s.buffer.name if hasattr(s.buffer, "name") else s.buffer.raw.name,
            "buffer": type(s.buffer).__name__, "newlines": s.newlines, "fileno": s.fileno(), "isatty": s.isatty(),
            "dunder": getattr(sys, "__" + s.name.strip("<>") + "__") is s}

main = sys.modules["__main__"]
state = {
    "argv": sys.argv, "orig_argv": sys.orig_argv[1:], "path0": sys.path[0], "path": sys.path[1:],
    "cwd": os.getcwd(), "environ": dict(os.environ), "umask": os.umask(0o22),
    "signals": {signal.Signals(n).name: handler(n) for n in sorted(signal.valid_signals()) if n < signal.SIGRTMIN},
    "blocked": sorted(int(n) for n in signal.pthread_sigmask(signal.SIG_BLOCK, [])),
    "fds": {fd: fd_kind(int(fd)) for fd in sorted(os.listdir("/proc/self/fd"), key=int) if os.path.exists(f"/proc/self/fd/{fd}")},
    "stdin": stream(sys.stdin), "stdout": stream(sys.stdout), "stderr": stream(sys.stderr),
    "stdin_text": sys.stdin.read(),
    "main": sorted(k for k in vars(main) if k not in ("fd_kind", "handler", "stream", "main", "state")),
    "main_name": main.__name__, "main_file": main.__file__, "spec": main.__spec__.name,
    "flags": list(sys.flags), "executable": sys.executable, "prefix": sys.prefix,
    "tempdir": tempfile.gettempdir(), "tzname": list(time.tzname),
    "pgrp_is_own": os.getpgrp() == os.getpid(), "sid_is_own": os.getsid(0) == os.getpid(),
}
print(json.dumps(state, sort_keys=True))
sys.stdout.write("unflushed at exit æøå\r\n")  # the exit flushes it; CRLF read as a newline
atexit.register(lambda: print("atexit ran", file=sys.stderr))
raise SystemExit("ended with a message")
'''


def through_both(args, cwd, env=None, input=None, module="drafter"):
    """(the server's result, a fresh process's result) of `python -m MODULE ARGS`."""
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(REPO), **(env or {})}
    full_env.pop("DRAFTER_DEBUG", None)
    server = cli_server()
    assert server is not None and server.can_run(full_env)
    served = server.run([str(a) for a in args], str(cwd), full_env, input, 120, module=module)
    fresh = subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=cwd, env=full_env, input=input,
                           capture_output=True, text=True, timeout=120,
                           stdin=None if input is not None else subprocess.DEVNULL)
    return served, fresh


def test_a_forked_run_is_the_process_a_fresh_one_is(tmp_path):
    (tmp_path / "stateprobe.py").write_text(PROBE, encoding="utf-8")
    env = {"TMPDIR": str(tmp_path), "TZ": "America/Godthab", "EXTRA": "æøå"}
    for given in (None, "input\nlines æøå\n"):
        served, fresh = through_both(["a b", "--x", "ø"], tmp_path, env=env, input=given, module="stateprobe")
        assert served.returncode == fresh.returncode == 1
        assert served.stderr == fresh.stderr == "ended with a message\natexit ran\n"
        served_state, fresh_state = (json.loads(r.stdout.splitlines()[0]) for r in (served, fresh))
        assert served_state == fresh_state
        assert served.stdout == fresh.stdout and served.stdout.endswith("unflushed at exit æøå\n")
        assert fresh_state["stdin_text"] == (given or "") and fresh_state["tempdir"] == str(tmp_path)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def test_every_command_gives_the_same_bytes_through_the_server_as_fresh(tmp_path):
    """Every example checked and rendered (one alone, then all in one run, as a batch), failing
    inputs, and one run of every other command:
    stdout, stderr, exit code and every file written, byte for byte."""
    roots = {}
    for mode in ("served", "fresh"):
        root = roots[mode] = tmp_path / mode / "work"
        shutil.copytree(ANSWERS_DIR, root / "answers")
        shutil.copy(REPO / "drafter.yaml", root / "drafter.yaml")
        bad = root / "answers-bad"
        bad.mkdir()
        (bad / "tab.yaml").write_text("kind: adhoc\n\tgruppe: x\n", encoding="utf-8")
        (bad / "unknown.yaml").write_text(ANSWERS_DIR.joinpath(EXAMPLES[-1].name).read_text(encoding="utf-8")
                                          + "ukendt_felt: 1\n", encoding="utf-8")
        (bad / "binary.yaml").write_bytes(b"\xff\xfe\x00kind: adhoc\n")
    first = EXAMPLES[-1].name
    runs = [
        ["check", f"answers/{first}"], ["render", f"answers/{first}"],  # one file: most tests' run
        ["check", *(f"answers/{e.name}" for e in EXAMPLES)], ["render", *(f"answers/{e.name}" for e in EXAMPLES)],
        ["check", "answers-bad/tab.yaml"], ["check", "--strict", "answers-bad"], ["render", "answers-bad"],
        ["render", "answers/findes-ikke.yaml"], ["render", "--pdfa"], ["frobnicate"],
        ["kinds"], ["profiles"], ["data"], ["status"],
        ["diff", f"answers/{first}", f"out/{first[:-5]}.docx"],
        ["template", "check", str(TEMPLATES_DIR / "letterhead.docx")], ["template", "new", "--kind", "adhoc", "egen.docx"],
        ["import", f"out/{first[:-5]}.docx", "--yes"], ["replace", "Midtklyngen", "Sydklyngen", "--dry-run"],
        ["init", "ny", "--profile", "neutral"], ["restore", "answers/ingen-gendannet.yaml"],
        ["new", "adhoc"], ["edit", f"answers/{first}"], ["serve", "--port", "nul"],
    ]
    from drafter import cli

    def commands(parser, prefix=()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from commands(sub, (*prefix, name)) if any(
                        isinstance(a, argparse._SubParsersAction) for a in sub._actions) else [(*prefix, name)]

    run = {tuple(args[:len(command)]) for args in runs for command in commands(cli.build_parser())}
    assert set(commands(cli.build_parser())) <= run, "every command runs here once fresh"
    for args in runs:
        results = {}
        for mode, root in roots.items():
            env = {"DRAFTER_CACHE_DIR": str(root.parent / "cache")}
            result = (through_both(args, root, env=env)[0] if mode == "served" else
                      run_cli(*args, cwd=root, env=env, fresh=True))
            results[mode] = (result.returncode, *(text.replace(str(root.parent), "ROOT")
                                                  for text in (result.stdout, result.stderr)))
        assert results["served"] == results["fresh"], args
        assert "Traceback" not in results["fresh"][2], (args, results["fresh"])
    served, fresh = (_tree(roots[mode]) for mode in ("served", "fresh"))
    assert served.keys() == fresh.keys()
    assert [name for name in served if served[name] != fresh[name]] == []
    assert sum(name.endswith(".docx") for name in served) > len(EXAMPLES)


def test_a_run_past_its_timeout_is_killed_and_the_next_one_runs(tmp_path):
    with pytest.raises(subprocess.TimeoutExpired):
        run_cli("serve", "--no-browser", "--port", "0", cwd=tmp_path, timeout=1)
    assert run_cli("--version").returncode == 0
    # And a run the test ends itself (start_cli), whatever DRAFTER_TESTS_FRESH says.
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(REPO)}
    started = cli_server().start(["serve", "--no-browser", "--port", "0"], str(tmp_path), env)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            started.wait(timeout=0.2)
        assert started.poll() is None
    finally:
        started.send_signal(signal.SIGKILL)
        assert started.wait(timeout=60) == -signal.SIGKILL
    assert run_cli("--version").returncode == 0


CLIENT = r'''
import os, sys
sys.path.insert(0, sys.argv[1])
from cli_server import CliServer
env = {**os.environ, "PYTHONPATH": sys.argv[2], "PYTHONIOENCODING": "utf-8"}
server = CliServer(sys.argv[2], env)
print(server.process.pid, flush=True)
server.run(["serve", "--no-browser", "--port", "0"], sys.argv[3], env, None, 600)
'''


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] == b"Z"  # ended, not yet reaped by its reaper
    except FileNotFoundError:
        return True


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
        return [int(child) for child in f.read().split()]


def test_the_server_and_its_child_end_with_the_test_process_even_by_kill_9(tmp_path):
    client = subprocess.Popen([sys.executable, "-c", CLIENT, str(REPO / "tests"), str(REPO), str(tmp_path)],
                              stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        server = int(client.stdout.readline())
        deadline = time.monotonic() + 60
        while not _children(server):
            assert time.monotonic() < deadline and client.poll() is None, "no drafter serve started"
            time.sleep(0.05)
        child = _children(server)[0]
        client.send_signal(signal.SIGKILL)
        client.wait()
        while not (_gone(server) and _gone(child)):
            assert time.monotonic() < deadline, "the server or its drafter outlived the test process"
            time.sleep(0.05)
    finally:
        client.kill()
        client.wait()
        client.stdout.close()
