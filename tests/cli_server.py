"""`python -m drafter` for the tests, without paying Python's start-up and imports each time.

Some 500 CLI runs in the suite each spent 50-90 ms of CPU starting Python and importing
drafter, PyYAML, Jinja2, python-docx and lxml before doing anything: some 30 s of the suite's
150. Here one server per test process (a clean `python`, not a fork of pytest) imports those
modules once; for each run it forks a child that becomes what `python -m drafter ARGS` would
have been in the test's place: the test's argv, folder, environment, umask, stdin/stdout/
stderr (the pipes themselves, passed over a socket), signal handling, standard streams made
afresh, then drafter's `__main__` run by runpy exactly as `-m` runs it, and Python's exit
(threads joined, atexit handlers, finalizers, streams flushed, the exit code).

What a forked interpreter cannot become is left to a real process (conftest.run_cli
decides): another locale, other PYTHON* settings, a request too large for one message, or a
test that asks for one (fresh=True: start-up, imports, encodings, signals, packaging). Seen
from outside, in /proc, its command line and first environment are the server's: a test that
looks there starts its own process. tests/test_cli_server.py shows that a forked run is the
process a fresh one is, and that every command gives the same bytes both ways.

Run as a script it is the server; imported, CliServer is its client.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys

# Every variable the interpreter reads while it starts (or a C library reads once): the
# server's must be the test's, or the run needs a process of its own.
def start_up_variables(env: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in env.items()
            if name.startswith(("PYTHON", "LC_")) or name in ("LANG", "LANGUAGE")}


MAX_MESSAGE = 1 << 20  # what one receive takes
# A request (argv, environment) larger than this runs in a process of its own: a message on a
# SOCK_SEQPACKET socket must fit its send buffer (some 200 KB by default).
MAX_REQUEST = 100_000


def send(sock: socket.socket, message: dict, fds: list[int] = ()) -> None:
    data = json.dumps(message).encode("utf-8")
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.sendall(data)


def receive(sock: socket.socket, maxfds: int = 0) -> tuple[dict | None, list[int]]:
    """One message (SOCK_SEQPACKET keeps them apart) and the descriptors sent with it;
    None at end of file (the other side is gone)."""
    data, fds, flags, _ = socket.recv_fds(sock, MAX_MESSAGE, maxfds)
    if not data:
        for fd in fds:
            os.close(fd)
        return None, []
    if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        raise RuntimeError("cli server: message truncated")
    return json.loads(data), fds


# -- the server ---------------------------------------------------------------------------------

# What `python -m drafter` imports for the commands the tests run (the union of sys.modules at
# the end of check, render --pdf, template check, import, diff, status, replace, init ...),
# named by the modules that pull the rest in (and ctypes, which each child uses at its start).
# The interactive front ends (prompt_toolkit) and the web server are left out: the tests run
# those in tmux and as `drafter serve`.
PRELOAD = (
    "ctypes", "runpy", "argparse", "json", "subprocess", "tempfile", "shutil", "zipfile", "difflib",
    "multiprocessing.context", "multiprocessing.connection", "concurrent.futures.process",
    "concurrent.futures.thread", "yaml", "jinja2", "jinja2.sandbox", "lxml.etree", "docx",
    "docxtpl",
)
NOT_PRELOADED = ("drafter.__main__", "drafter.interview", "drafter.interview_lists",
                 "drafter.interview_review", "drafter.prompts", "drafter.recordform")


def drafter_modules(repo: str) -> list[str]:
    names = []
    for folder, _, files in os.walk(os.path.join(repo, "drafter")):
        relative = os.path.relpath(folder, repo)
        if "__pycache__" in relative or relative.startswith(os.path.join("drafter", "web")):
            continue
        package = relative.replace(os.sep, ".")
        for file in sorted(files):
            if file.endswith(".py"):
                name = package if file == "__init__.py" else f"{package}.{file[:-3]}"
                if name not in NOT_PRELOADED:
                    names.append(name)
    return sorted(names)


def preload(repo: str) -> list[str]:
    """Import what the children will use; the warnings that gave (a child would not see them
    again: Python shows a warning once per place)."""
    import importlib
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in (*PRELOAD, *drafter_modules(repo)):
            importlib.import_module(name)
    return [str(warning.message) for warning in caught]


def serve(sock: socket.socket, repo: str):
    """The server's loop. Returns only in a forked child: (request, its descriptors)."""
    import gc

    sys.path[0] = repo  # as `python -m drafter` in the repository would have (not tests/)
    send(sock, {"ready": os.getpid(), "warnings": preload(repo)})
    # The imported modules' objects go to a generation the children's collector never walks:
    # walking them would copy every page they are on into each child.
    gc.freeze()
    while True:
        request, fds = receive(sock, maxfds=3)
        if request is None:  # the test process has ended, however it ended
            os._exit(0)
        if "args" not in request:  # a signal for a child that had ended before it was sent
            continue
        pid = os.fork()
        if pid == 0:
            sock.close()
            return request, fds
        for fd in fds:
            os.close(fd)
        send(sock, {"pid": pid})
        status, cpu = supervise(sock, pid)
        send(sock, {"status": status, "cpu": cpu})


def supervise(sock: socket.socket, pid: int) -> int:
    """Wait for the child; signal it when asked (a timeout, a test's kill), kill it when the
    test process is gone."""
    import select

    pidfd = os.pidfd_open(pid)
    try:
        while True:
            readable, _, _ = select.select([pidfd, sock], [], [])
            if sock in readable:
                message, _ = receive(sock)
                if message is None:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    os._exit(0)
                os.kill(pid, message["signal"])  # not yet waited for: the pid is still the child's
            if pidfd in readable:
                _, status, usage = os.wait4(pid, 0)
                return os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime
    finally:
        os.close(pidfd)


PR_SET_PDEATHSIG = 1


def become(request: dict, fds: list[int]) -> None:
    """In the forked child: turn into the process `python -m drafter ARGS` would have started as."""
    import ctypes
    import io

    server = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # no orphan
    if os.getppid() != server:
        os._exit(1)
    errors = [stream.errors for stream in (sys.stdin, sys.stdout, sys.stderr)]  # as the server's start gave
    encoding = sys.stdout.encoding
    buffered = not sys.stdout.write_through  # False under -u or PYTHONUNBUFFERED
    for target, fd in enumerate(fds):
        os.dup2(fd, target)  # dup2 makes 0, 1 and 2 inheritable, as they are in a new process
    os.closerange(3, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1 << 16)
    os.chdir(request["cwd"])
    os.umask(request["umask"])
    os.environ.clear()
    os.environ.update(request["env"])
    import time

    time.tzset()  # TZ is read at start-up
    if "tempfile" in sys.modules:
        sys.modules["tempfile"].tempdir = None  # TMPDIR too, at the first temporary file
    # Signal handling as Python sets it up under the test process: what that process ignores
    # is inherited (SIGPIPE and SIGXFSZ: subprocess restores them, Python ignores them again).
    ignored = set(request["ignored_signals"])
    for number in signal.valid_signals():
        if number in (signal.SIGKILL, signal.SIGSTOP):
            continue
        if number in (signal.SIGPIPE, signal.SIGXFSZ) or number in ignored:
            handler = signal.SIG_IGN
        elif number == signal.SIGINT:
            handler = signal.default_int_handler
        else:
            handler = signal.SIG_DFL
        try:
            signal.signal(number, handler)
        except (OSError, ValueError):
            pass
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    # The standard streams as Python's start-up makes them (Python/pylifecycle.c create_stdio).
    streams = []
    for fd, (mode, name, error_handler) in enumerate((("r", "<stdin>", errors[0]), ("w", "<stdout>", errors[1]),
                                                      ("w", "<stderr>", errors[2]))):
        buffering = -1 if buffered or mode == "r" else 0
        binary = io.open(fd, mode + "b", buffering, closefd=False)
        raw = binary.raw if buffering else binary
        raw.name = name
        line_buffering = buffered and (raw.isatty() or fd == 2)
        stream = io.TextIOWrapper(binary, encoding, error_handler, "\n", line_buffering, not buffered)
        stream.mode = mode
        streams.append(stream)
    sys.stdin = sys.__stdin__ = streams[0]
    sys.stdout = sys.__stdout__ = streams[1]
    sys.stderr = sys.__stderr__ = streams[2]
    sys.argv = ["-m", *request["args"]]  # runpy puts drafter/__main__.py's path first, as -m does
    sys.orig_argv = [sys.executable, "-m", request["module"], *request["args"]]
    sys.path[0] = os.getcwd()  # -m puts the current folder first
    import builtins
    import types

    main = types.ModuleType("__main__")  # a clean __main__, not this script's
    main.__builtins__ = builtins
    main.__annotations__ = {}
    sys.modules["__main__"] = main


def run_as_main(module: str) -> int:
    """`python -m drafter` from here on, and Python's exit: the exit code as Py_RunMain would
    give it. Python's exit here leaves out what costs a child of this server more than its
    whole run (~16 ms: clearing every module touches, and so copies, each page the server
    filled); what a program can observe of it is kept: threads joined, atexit handlers run,
    garbage collected (finalizers), the standard streams flushed."""
    import atexit
    import gc
    import runpy

    interrupted = False
    try:
        runpy._run_module_as_main(module)  # what `python -m drafter` calls
        code = 0
    except SystemExit as stop:  # Python/pythonrun.c, _Py_HandleSystemExit
        code = stop.code
        if code is None:
            code = 0
        elif not isinstance(code, int):
            if sys.stderr is not None:
                print(code, file=sys.stderr)
            code = 1
    except BaseException:
        interrupted = isinstance(sys.exc_info()[1], KeyboardInterrupt)
        sys.excepthook(*sys.exc_info())
        code = 1
    # Py_FinalizeEx, in its order
    if "threading" in sys.modules:
        sys.modules["threading"]._shutdown()
    atexit._run_exitfuncs()
    gc.collect()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            if stream is sys.stdout:
                code = 120
    if interrupted:  # Python ends itself by SIGINT, for the shell to see
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        code = 130
    return code


if __name__ == "__main__":
    _request, _fds = serve(socket.socket(fileno=int(sys.argv[1])), sys.argv[2])
    become(_request, _fds)
    _module = _request["module"]
    del _request, _fds
    os._exit(run_as_main(_module) & 0xFF)


# -- the client ---------------------------------------------------------------------------------

SHARED: list = []  # this test process's one CliServer (conftest.cli_server), or None where none can run


class CliServer:
    """One server for this test process, started at the first run, ended with the process."""

    def __init__(self, repo: str, env: dict[str, str]):
        import subprocess
        import threading

        self.lock = threading.Lock()
        self.env = env
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # Its stderr is read only when it has ended (what it says then: a traceback, small).
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), str(theirs.fileno()), repo],
            pass_fds=[theirs.fileno()], env=env, cwd=repo, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        theirs.close()
        self.sock = ours
        self.cpu = 0.0
        ready = self.reply("ready")
        if ready["warnings"]:
            raise RuntimeError(f"importing drafter warned (a child would not warn again): {ready['warnings']}")

    def reply(self, key: str) -> dict:
        message, _ = receive(self.sock)
        if message is None or key not in message:
            self.process.wait()
            said = self.process.stderr.read().decode("utf-8", "replace")
            raise RuntimeError(f"cli server ended (exit {self.process.returncode}):\n{said}")
        return message

    def can_run(self, env: dict[str, str], args: list[str] = ()) -> bool:
        size = sum(len(name) + len(value) for name, value in env.items()) + sum(len(arg) for arg in args)
        return start_up_variables(env) == start_up_variables(self.env) and size * 2 < MAX_REQUEST

    def run(self, args: list[str], cwd: str, env: dict[str, str], input: str | None, timeout: float,
            module: str = "drafter"):
        """As subprocess.run([python, -m, drafter, *args], cwd, env, input, capture_output=True,
        text=True, timeout) does; None when another thread of this process is running one."""
        if not os.path.isdir(cwd) or not self.lock.acquire(blocking=False):
            return None  # (a missing folder: subprocess's own error, from a fresh run)
        try:
            return self._run(module, args, cwd, env, input, timeout)
        finally:
            self.lock.release()

    def _fork(self, module, args, cwd, env, fds) -> int:
        """Have the server fork a child with *fds* as its stdin, stdout and stderr; its pid."""
        umask = os.umask(0)
        os.umask(umask)
        ignored = [int(number) for number in signal.valid_signals()
                   if number not in (signal.SIGKILL, signal.SIGSTOP) and signal.getsignal(number) == signal.SIG_IGN]
        request = {"module": module, "args": list(args), "cwd": os.path.abspath(cwd), "env": env, "umask": umask,
                   "ignored_signals": ignored}
        try:
            send(self.sock, request, fds)
        finally:
            for fd in fds:
                os.close(fd)
        return self.reply("pid")["pid"]

    def _status(self) -> int:
        reply = self.reply("status")
        self.cpu += reply["cpu"]  # the children are the server's: the test process's rusage misses them
        return reply["status"]

    def start(self, args: list[str], cwd: str, env: dict[str, str], module: str = "drafter"):
        """As subprocess.Popen([python, -m, drafter, *args], cwd, env, stdin, stdout and stderr
        DEVNULL): a Started to signal and wait for; None when another run is under way."""
        if not os.path.isdir(cwd) or not self.lock.acquire(blocking=False):
            return None
        try:
            fds = [os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)]
            fds += [os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC) for _ in range(2)]
            return Started(self, self._fork(module, args, cwd, env, fds))
        except BaseException:
            self.lock.release()
            raise

    def _run(self, module, args, cwd, env, input, timeout):
        import io
        import selectors
        import subprocess
        import time

        command = [sys.executable, "-m", module, *args]
        # subprocess's text mode: the locale's encoding, strict, universal newlines on reading
        encoding = io.TextIOWrapper(io.BytesIO()).encoding
        if input is None:
            stdin_child, stdin_ours = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC), None
        else:
            stdin_child, stdin_ours = os.pipe()
        out_ours, out_child = os.pipe()
        err_ours, err_child = os.pipe()
        self._fork(module, args, cwd, env, [stdin_child, out_child, err_child])
        chunks = {out_ours: [], err_ours: []}
        pending = memoryview(input.encode(encoding)) if input is not None else None
        deadline = time.monotonic() + timeout
        timed_out = False
        with selectors.DefaultSelector() as selector:
            for fd in chunks:
                selector.register(fd, selectors.EVENT_READ)
            if stdin_ours is not None:
                if pending:
                    os.set_blocking(stdin_ours, False)
                    selector.register(stdin_ours, selectors.EVENT_WRITE)
                else:
                    os.close(stdin_ours)
            while selector.get_map():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    timed_out = True
                    break
                for key, _ in selector.select(remaining):
                    fd = key.fd
                    if fd == stdin_ours:
                        try:
                            written = os.write(fd, pending[:select_pipe_buf()])
                        except BrokenPipeError:
                            written = len(pending)
                        pending = pending[written:]
                        if not pending:
                            selector.unregister(fd)
                            os.close(fd)
                    else:
                        data = os.read(fd, 32768)
                        if data:
                            chunks[fd].append(data)
                        else:
                            selector.unregister(fd)
                            os.close(fd)
            for key in list(selector.get_map().values()):  # a timeout: what is still open
                os.close(key.fd)
        if timed_out:
            send(self.sock, {"signal": int(signal.SIGKILL)})
        status = self._status()
        stdout, stderr = (b"".join(chunks[fd]) for fd in (out_ours, err_ours))
        if timed_out:
            raise subprocess.TimeoutExpired(command, timeout, output=stdout, stderr=stderr)

        def text(data: bytes) -> str:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")

        return subprocess.CompletedProcess(command, status, text(stdout), text(stderr))

    def close(self) -> None:
        """End the server (it reads the end of its socket) and wait for it."""
        if self.sock.fileno() != -1:
            self.sock.close()
            self.process.wait()
            self.process.stderr.close()


class Started:
    """A run started by CliServer.start, as much of subprocess.Popen as the tests use."""

    def __init__(self, server: CliServer, pid: int):
        self.server = server
        self.pid = pid
        self.returncode = None

    def send_signal(self, number: int) -> None:
        if self.returncode is None:
            send(self.server.sock, {"signal": int(number)})

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        """Its exit code (negative: the signal that ended it)."""
        if self.returncode is None:
            import subprocess

            if timeout is not None and not _readable(self.server.sock, timeout):
                raise subprocess.TimeoutExpired([sys.executable, "-m", "drafter"], timeout)
            self.returncode = self.server._status()
            self.server.lock.release()
        return self.returncode

    def poll(self) -> int | None:
        return self.wait(0) if _readable(self.server.sock, 0) else None


def _readable(sock: socket.socket, timeout: float) -> bool:
    import select

    return bool(select.select([sock], [], [], timeout)[0])


def select_pipe_buf() -> int:
    import select

    return select.PIPE_BUF
