"""Shared test helpers: the real CLI as a subprocess, and .docx files opened again."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Some machines set PYTHONDONTWRITEBYTECODE=1; then every `python -m drafter` the tests start
# (some 500) compiled drafter from source again, and each worker re-did pytest's assertion
# rewriting of every test file. Bytecode in __pycache__ (ignored by git) is what a user's
# Python writes anyway. Measured: about 0.06 s CPU less per CLI run, some 30 s per suite.
sys.dont_write_bytecode = False
ANSWERS_DIR = REPO / "answers"
TEMPLATES_DIR = REPO / "templates" / "docx"
# A template that lays the whole commission out in Word (docxtpl tags), as a secretariat may
# still bring one of its own; built by templates/build_templates.py. No built-in kind names one.
FULL_LAYOUT_TEMPLATE = REPO / "tests" / "data" / "fulllayout" / "adhoc.docx"
# Every Word template the project builds: the built-in ones and that fixture.
BUILT_TEMPLATES = [*sorted(TEMPLATES_DIR.glob("*.docx")), FULL_LAYOUT_TEMPLATE]
EXAMPLES = sorted(ANSWERS_DIR.glob("*.yaml"))
ADHOC_EXAMPLE = ANSWERS_DIR / "udskrivelse-af-skroebelige-aeldre.yaml"


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None,
            timeout: float = 120, fresh: bool = False) -> subprocess.CompletedProcess:
    """Run `python -m drafter ARGS` as a real process, as a user's shell would.

    The process is forked from a server that has imported drafter already (tests/cli_server.py:
    the same run, ~60 ms of CPU less each); *fresh* starts a new Python instead, for the tests
    of what start-up does (imports, encodings, signals, the installed command)."""
    full_env, args, server = _cli_call(args, env, fresh)
    if server is not None:
        result = server.run(args, str(cwd or REPO), full_env, input, timeout)
        if result is not None:
            return result
    return subprocess.run(
        [sys.executable, "-m", "drafter", *args],
        cwd=cwd or REPO,
        env=full_env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=None if input is not None else subprocess.DEVNULL,
    )


def start_cli(*args: str, cwd: Path | None = None, env: dict | None = None, fresh: bool = False):
    """Start `python -m drafter ARGS` (stdin, stdout and stderr /dev/null) and return at once:
    a subprocess.Popen, or its like from the CLI server (pid, send_signal, kill, poll, wait)."""
    full_env, args, server = _cli_call(args, env, fresh)
    if server is not None:
        started = server.start(args, str(cwd or REPO), full_env)
        if started is not None:
            return started
    return subprocess.Popen([sys.executable, "-m", "drafter", *args], cwd=cwd or REPO, env=full_env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _cli_call(args, env: dict | None, fresh: bool):
    """(environment, argv, the CLI server to fork the run from or None for a fresh Python)."""
    # PYTHONPATH: the drafter of this checkout, whatever else is installed.
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(REPO), **(env or {})}
    full_env.pop("DRAFTER_DEBUG", None)
    args = [str(arg) for arg in args]
    server = None
    if not fresh and os.environ.get("DRAFTER_TESTS_FRESH") != "1":
        server = cli_server()
        if server is not None and not server.can_run(full_env, args):
            server = None
    return full_env, args, server


def cli_server():
    """This test process's CLI server (tests/cli_server.py), started at its first use; None
    where it cannot run (no fork, no passing of descriptors). It starts in the environment
    run_cli gives, without the settings of whichever test happens to start it (DRAFTER_*).
    Kept in cli_server's module: some test files import this one a second time, as
    tests.conftest, and there must still be one server per process, ended at the end."""
    import cli_server

    if not cli_server.SHARED:
        if not (hasattr(os, "fork") and hasattr(os, "pidfd_open") and hasattr(__import__("socket"), "send_fds")):
            cli_server.SHARED.append(None)
        else:
            env = {name: value for name, value in os.environ.items() if not name.startswith("DRAFTER_")}
            env.update({"PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(REPO)})  # as run_cli's
            cli_server.SHARED.append(cli_server.CliServer(str(REPO), env))
    return cli_server.SHARED[0]


@contextlib.contextmanager
def ended(process: subprocess.Popen):
    """*process* (a `drafter serve`, say) is gone after the block, however the block ends: a
    failed assert, a browser's timeout, a stop that took too long. Started with
    start_new_session=True, what it started (LibreOffice) goes with it: its whole group."""
    own_group = os.getpgid(process.pid) == process.pid  # a leader: start_new_session=True
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            if own_group:
                os.killpg(process.pid, signal.SIGKILL)
            elif process.poll() is None:
                process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None:  # a grandchild may hold the other end: no read to its end
                pipe.close()


def assert_clean_failure(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """Non-zero exit, a message with every fragment, and never a traceback."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    for fragment in fragments:
        assert fragment in output, f"{fragment!r} not in:\n{output}"


def docx_text(path: Path) -> str:
    """All text of a .docx: body paragraphs, tables, headers and footers, one per line."""
    from docx import Document

    return "\n".join(docx_paragraphs(Document(str(path))))


def docx_paragraphs(doc) -> list[str]:
    """The text of every paragraph of an open Document: body, tables, headers, footers."""
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    for section in doc.sections:
        for part in (section.header, section.footer):
            lines.extend(p.text for p in part.paragraphs)
    return lines


def render_examples(work: Path, stems: list[str]) -> dict[str, Path]:
    """Copy answers/ into *work* and render the named examples with one real `drafter render`."""
    shutil.copytree(ANSWERS_DIR, work / "answers")
    result = run_cli("render", *[f"answers/{stem}.yaml" for stem in stems], cwd=work)
    assert result.returncode == 0, result.stderr
    return {stem: work / "out" / f"{stem}.docx" for stem in stems}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A scratch folder with a copy of the example answers and their workspace (drafter.yaml:
    the profile they were written for), as a user's checkout would have."""
    shutil.copytree(ANSWERS_DIR, tmp_path / "answers")
    shutil.copy(REPO / "drafter.yaml", tmp_path / "drafter.yaml")
    return tmp_path


@pytest.fixture
def adhoc_example(workdir: Path) -> Path:
    return workdir / "answers" / ADHOC_EXAMPLE.name


def has_soffice() -> bool:
    return shutil.which("soffice") is not None or shutil.which("libreoffice") is not None


@pytest.fixture(autouse=True, scope="session")
def _private_template_cache(tmp_path_factory):
    """Keep the prepared-template cache of test runs out of the user's ~/.cache."""
    old = os.environ.get("DRAFTER_CACHE_DIR")
    os.environ["DRAFTER_CACHE_DIR"] = str(tmp_path_factory.mktemp("drafter-cache"))
    yield
    if old is None:
        os.environ.pop("DRAFTER_CACHE_DIR", None)
    else:
        os.environ["DRAFTER_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def example_pdfs(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Every example rendered by one real `drafter render --pdf` (one LibreOffice start):
    stem -> (the .docx, its PDF). Shared by every test that reads the examples' PDFs."""
    if not has_soffice():
        pytest.skip("LibreOffice is not installed")
    work = tmp_path_factory.mktemp("example-pdfs")
    shutil.copytree(ANSWERS_DIR, work / "answers")
    result = run_cli("render", "answers", "--pdf", cwd=work, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return {p.stem: (work / "out" / f"{p.stem}.docx", work / "out" / f"{p.stem}.pdf") for p in EXAMPLES}


# The signals whose handling the tests' processes inherit or that drafter's own code, run in
# a test's process (cli.main), takes over.
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@pytest.fixture(autouse=True)
def _signal_handlers_put_back():
    """Each test starts with the signal handling the one before it found: cli.main run in
    the test's process installs drafter's handlers, and an ignored SIGINT would be inherited
    by every drafter a later test starts (its Ctrl-C test would fail for a reason not its own)."""
    before = [signal.getsignal(number) for number in SIGNALS]
    yield
    for number, handler in zip(SIGNALS, before):
        if signal.getsignal(number) is not handler and handler is not None:
            signal.signal(number, handler)


def pytest_unconfigure(config) -> None:
    """The CLI server ends with its test process (xdist's workers run no atexit handlers; and
    without this it would end anyway, at the end of its socket, but unwaited for)."""
    shared = getattr(sys.modules.get("cli_server"), "SHARED", None)
    if shared and shared[0] is not None:
        shared[0].close()


def pytest_configure(config) -> None:
    # A shell without job control starts a background command with SIGINT ignored, and every
    # process the tests start would inherit that: Ctrl-C as the tests send it must work.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if not hasattr(config, "workerinput"):  # once, in the process that starts the workers
        config.pluginmanager.register(DurationRecorder(config), "drafter-durations")
        import compileall

        compileall.compile_dir(REPO / "drafter", quiet=1)  # see sys.dont_write_bytecode above
        rewrite_test_files_once(config)


def rewrite_test_files_once(config) -> None:
    """On a fresh clone every worker rewrote the asserts of every test file at once (about
    1.7 s of CPU each, measured): done here first, before the workers start, they find
    pytest's cached result. Only a cache: with another pytest (its internals) it is skipped."""
    try:
        from _pytest.assertion import rewrite

        state = config.stash[rewrite.assertstate_key]
        for path in [*sorted((REPO / "tests").glob("test_*.py")), REPO / "tests" / "conftest.py"]:
            folder = rewrite.get_cache_dir(path)
            pyc = folder / (path.name[:-3] + rewrite.PYC_TAIL)
            if rewrite._read_pyc(path, pyc, state.trace) is None and rewrite.try_makedirs(folder):
                source_hash, code = rewrite._rewrite_test(path, config)
                rewrite._write_pyc(state, code, source_hash, pyc)
    except Exception:  # noqa: BLE001 - a cache that could not be warmed changes nothing
        pass


@pytest.hookimpl(optionalhook=True)  # the hook is xdist's: -p no:xdist still works
def pytest_xdist_auto_num_workers(config):
    """`-n auto` starts one worker more than there are cores: much of the suite waits on
    LibreOffice, Chromium and tmux, and the extra worker fills that wait. On the 2-core
    machine, quiet, on one fresh clone: 2 workers 107.8 s wall, 3 workers 94.2 s, 4 workers
    91.8 s, all at 140-146 s CPU. PYTEST_XDIST_AUTO_NUM_WORKERS, when set, still decides."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores + 1


@pytest.hookimpl(optionalhook=True)  # the hook is xdist's: -p no:xdist still works
def pytest_xdist_make_scheduler(config, log):
    """--dist load, except that the tests of a file with a module fixture stay together (the
    fixture is computed once per worker that runs one of them), and so do the tests that use
    a costly session fixture. Every other test goes to whichever worker is free, so no
    worker idles at the end while the other finishes a long file (as with --dist loadfile).

    The groups are handed out longest first (by the times in tests/durations.json), so that
    the run ends with short tests on every worker rather than one long test on one of them.

    xdist's own --dist loadgroup would do this with marks, but with pytest 9.2 it silently
    groups nothing (it renames Item._nodeid, which pytest no longer reads); and the process
    that schedules never imports the test files, so the rule reads their source.
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    groups = _shared_fixture_groups(config.rootpath)
    durations = {**read_durations(DURATIONS_FILE), **cached_durations(config)}
    typical = median(durations.values())

    class SharedFixtureScheduling(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return groups.get(nodeid.split("::", 1)[0], nodeid)

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:  # the first call: the queue of groups is complete
                longest_first = sorted(self.workqueue.items(), key=lambda unit: -estimate(unit[1], durations, typical))
                self.workqueue.clear()
                self.workqueue.update(longest_first)
                self.ordered = True
            super()._assign_work_unit(node)

    return SharedFixtureScheduling(config, log)


# Each test's recent time in seconds (setup + call + teardown), by node id: the order in
# which the scheduler hands out work on a fresh clone. Refresh with `pytest --store-durations`
# (a full run); every run also keeps its times in pytest's cache folder (CACHED_DURATIONS).
DURATIONS_FILE = REPO / "tests" / "durations.json"


def read_durations(path: Path) -> dict[str, float]:
    """The recorded times; empty (every test alike: today's order) if the file is missing,
    unreadable or not what it should be. The order of the run is all that depends on it."""
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(nodeid): float(seconds) for nodeid, seconds in data.items()}
    except (OSError, ValueError, TypeError, AttributeError, RecursionError):
        return {}


def estimate(nodeids, durations: dict[str, float], typical: float) -> float:
    """The expected time of a group of tests; a test not yet recorded counts as a *typical* one."""
    return sum(durations.get(nodeid, typical) for nodeid in nodeids)


def median(values) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 1.0


def pytest_addoption(parser) -> None:
    parser.addoption("--store-durations", action="store_true",
                     help="write each test's time to tests/durations.json (the order of later runs)")


# This machine's own recent times, over DURATIONS_FILE's: a test added since the file was
# refreshed is scheduled by its time from the next run on, with no one to update the file.
CACHED_DURATIONS = "drafter/durations"


def cached_durations(config) -> dict[str, float]:
    cache = getattr(config, "cache", None)  # none with -p no:cacheprovider
    try:
        data = cache.get(CACHED_DURATIONS, {}) if cache is not None else {}
        return {str(nodeid): float(seconds) for nodeid, seconds in data.items()}
    except (ValueError, TypeError, AttributeError):
        return {}


class DurationRecorder:
    """In the process that schedules (the workers' reports arrive there too): each test's
    time, kept in pytest's cache folder, and with --store-durations in DURATIONS_FILE, over
    the times of the tests not run."""

    def __init__(self, config):
        self.config = config
        self.measured: dict[str, float] = {}

    def pytest_runtest_logreport(self, report) -> None:
        self.measured[report.nodeid] = self.measured.get(report.nodeid, 0.0) + report.duration

    def merged(self, earlier: dict[str, float]) -> dict[str, float]:
        root = self.config.rootpath
        kept = {nodeid: seconds for nodeid, seconds in earlier.items()
                if (root / nodeid.split("::", 1)[0]).exists()}  # a file removed: its tests go
        kept.update({nodeid: round(seconds, 2) for nodeid, seconds in self.measured.items()})
        return dict(sorted(kept.items()))

    def pytest_sessionfinish(self) -> None:
        import json

        if not self.measured:
            return
        cache = getattr(self.config, "cache", None)
        if cache is not None:
            cache.set(CACHED_DURATIONS, self.merged(cached_durations(self.config)))
        if self.config.getoption("store_durations"):
            DURATIONS_FILE.write_text(json.dumps(self.merged(read_durations(DURATIONS_FILE)), indent=0,
                                                 ensure_ascii=False) + "\n", encoding="utf-8")


# The session fixtures worth computing once per run rather than once per worker (seconds of
# LibreOffice); the others (a cache folder, axe's script) cost next to nothing.
COSTLY_SESSION_FIXTURES = ("example_pdfs",)


def _shared_fixture_groups(root: Path) -> dict[str, str]:
    """Test file (as in a node id) -> the name of the group its tests run in."""
    groups = {}
    for path in sorted((REPO / "tests").glob("test_*.py")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(root).as_posix()
        used = [fixture for fixture in COSTLY_SESSION_FIXTURES if re.search(rf"\b{fixture}\b", source)]
        if used:
            groups[name] = used[0]
        elif re.search(r"""@pytest\.fixture\([^)]*scope=["'](module|package|session)["']""", source):
            groups[name] = name
    return groups
