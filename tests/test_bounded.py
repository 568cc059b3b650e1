"""Bounded everywhere (issue 29): each attack of the adversarial run, as a row of a table.

Every row runs drafter as a real process under a memory cap (RLIMIT_AS), so an attack that
would once fill memory now ends in MemoryError at the cap instead of the OOM killer, and
the row fails unless drafter held: a Danish message, or the outcome it should have. The CPU
time of each run is measured and printed (run with -s to see it); nothing is asserted on
it, the CPU budgets inside drafter are what bound it.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

from conftest import ADHOC_EXAMPLE, FULL_LAYOUT_TEMPLATE, REPO, TEMPLATES_DIR
from drafter import privcache, tplcache

MEMORY_CAP = 2 * 1024**3  # address space; drafter with python-docx and lxml needs well under 1 GB
CPU_BACKSTOP = 120  # seconds of CPU, so a row that regresses fails instead of running for hours


class Run:
    def __init__(self, returncode: int, stdout: str, stderr: str, cpu: float, peak_mb: float):
        self.returncode, self.stdout, self.stderr, self.cpu, self.peak_mb = returncode, stdout, stderr, cpu, peak_mb

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_BACKSTOP, CPU_BACKSTOP))


PEAK_MARK = "drafter-peak-kb="
# `python -m drafter`, reporting its own peak memory as the last line of stderr: VmHWM, which
# starts afresh at exec (getrusage's ru_maxrss keeps the forking test process's peak).
_PEAK_REPORTING_DRAFTER = (
    "import atexit, runpy, sys\n"
    "def peak():\n"
    "    with open('/proc/self/status') as f:\n"
    "        kb = next(int(l.split()[1]) for l in f if l.startswith('VmHWM:'))\n"
    f"    sys.stderr.write('{PEAK_MARK}%d' % kb)\n"
    "atexit.register(peak)\n"
    "sys.argv[0] = 'drafter'\n"
    "runpy.run_module('drafter', run_name='__main__', alter_sys=True)\n"
)


def run_capped(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120, label: str = "") -> Run:
    """`python -m drafter ARGS` under the memory cap; its CPU time (user + system) and peak memory measured."""
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(REPO), **(env or {})}
    full_env.pop("DRAFTER_DEBUG", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, "-c", _PEAK_REPORTING_DRAFTER, *map(str, args)], cwd=cwd, env=full_env,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err, preexec_fn=_limits)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)  # the child's own rusage, not the whole test run's
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if process.returncode == -9:
        raise AssertionError(f"drafter {' '.join(map(str, args))}: hangs (stopped after {timeout} s)\n{stdout}{stderr}")
    stderr, _, peak = stderr.rpartition(PEAK_MARK)
    peak_mb = int(peak.strip() or 0) / 1024  # drafter's own, not git's or LibreOffice's
    cpu = usage.ru_utime + usage.ru_stime  # drafter's and every child's it waited for
    print(f"[{label or ' '.join(map(str, args))}] exit {process.returncode}, {cpu:.2f} s CPU, {peak_mb:.0f} MB peak")
    return Run(process.returncode, stdout, stderr, cpu, peak_mb)


def held(run: Run) -> None:
    """No traceback, no internal error, no death by the memory cap."""
    assert "Traceback" not in run.output and "intern fejl" not in run.output, run.output
    assert run.returncode in (0, 1, 2), run.output


# -- the status verdict cache -------------------------------------------------------------

BROKEN = "ødelagt"


@pytest.fixture
def status_work(workdir):
    cache = workdir / "cache"
    broken = workdir / "answers" / f"{BROKEN}.yaml"
    broken.write_text(ADHOC_EXAMPLE.read_text(encoding="utf-8").replace("kind: adhoc", "kind: adhoc\nukendt: 1"),
                      encoding="utf-8")
    return workdir, cache


def _status(work: Path, cache: Path, label: str) -> Run:
    return run_capped("status", "--json", cwd=work, env={"DRAFTER_CACHE_DIR": str(cache)}, timeout=60, label=label)


def _verdicts(run: Run) -> dict[str, dict]:
    assert run.returncode == 0, run.output
    return {Path(e["file"]).stem: e for e in json.loads(run.stdout)}


def _rewrite_cache(cache: Path, monkeypatch, change) -> Path:
    """The status cache's stored verdicts changed by *change*, written back with a valid digest."""
    from drafter.status import StatusCache

    monkeypatch.setenv("DRAFTER_CACHE_DIR", str(cache))
    stored = privcache.load(StatusCache.NAME, StatusCache.MAGIC, StatusCache.MAX_BYTES, json.loads, lambda v: True)
    assert stored, "the first status run should have stored its verdicts"
    change(stored["entries"])
    path = cache / StatusCache.NAME
    path.unlink()
    path.write_bytes(privcache.envelope(StatusCache.MAGIC, json.dumps(stored).encode()))
    os.chmod(path, 0o600)
    return path


def _claim_complete(entries: dict) -> None:
    for part in entries.values():
        if part["state"] == "invalid":
            part.update(state="complete", problems=0, name="Alt OK")


@pytest.mark.parametrize("owner", ["mine", "someone-else", "group-writable"])
def test_a_status_verdict_is_believed_only_from_the_users_own_private_entry(status_work, monkeypatch, owner):
    work, cache = status_work
    assert _verdicts(_status(work, cache, "status, first run"))[BROKEN]["state"] == "invalid"
    entry = _rewrite_cache(cache, monkeypatch, _claim_complete)
    if owner == "someone-else":
        os.chown(entry, os.geteuid() + 4242, -1)  # tests run as root, so this works
    elif owner == "group-writable":
        os.chmod(entry, 0o620)
    verdict = _verdicts(_status(work, cache, f"status, entry {owner}"))[BROKEN]
    # The user's own entry is believed (that is what a cache is); anyone else's never.
    assert verdict["state"] == ("complete" if owner == "mine" else "invalid")


def _wrong_types(entries: dict) -> None:
    for part in entries.values():
        part.update(problems="mange", errors=[1], state="ukendt", name={"x": 1})


def test_verdicts_of_the_wrong_shape_are_not_verdicts(status_work, monkeypatch):
    work, cache = status_work
    first = _verdicts(_status(work, cache, "status, first run"))
    _rewrite_cache(cache, monkeypatch, _wrong_types)
    run = _status(work, cache, "status, wrong types")
    held(run)
    assert _verdicts(run) == first


def _deep_json(path: Path) -> None:
    from drafter.status import StatusCache

    path.write_bytes(privcache.envelope(StatusCache.MAGIC, b"[" * 100_000 + b"]" * 100_000))


def _sparse(path: Path) -> None:
    with open(path, "wb") as handle:
        handle.truncate(558 * 1024 * 1024)


def _dev_zero(path: Path) -> None:
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    except OSError:
        pytest.skip("this kernel/container does not allow device nodes")


@pytest.mark.parametrize("attack, plant", [
    ("fifo", lambda path: os.mkfifo(path, 0o600)),
    ("dev-zero", _dev_zero),
    ("558 MB", _sparse),
    ("json nested 100,000 deep, digest valid", _deep_json),
    ("json nested 100,000 deep, no digest", lambda path: path.write_bytes(b"[" * 100_000 + b"]" * 100_000)),
])
def test_a_status_cache_entry_that_cannot_be_read_is_not_used(status_work, attack, plant):
    from drafter.status import StatusCache

    work, cache = status_work
    cache.mkdir(mode=0o700)
    plant(cache / StatusCache.NAME)
    run = _status(work, cache, f"status, cache entry: {attack}")
    held(run)
    assert _verdicts(run)[BROKEN]["state"] == "invalid"


# -- the prepared-template cache ------------------------------------------------------------

@pytest.mark.parametrize("digest", ["valid", "none"])
def test_a_corrupt_template_cache_entry_is_not_used(workdir, digest):
    """marshal.loads of "(" repeated asks for gigabytes: never decoded, or stopped at the cap."""
    cache = workdir / "cache"
    cache.mkdir(mode=0o700)
    entry = cache / f"{tplcache.cache_key((TEMPLATES_DIR / 'letterhead.docx').read_bytes())}.bin"  # the one adhoc is laid out in
    payload = b"(" * (3 * 1024 * 1024)
    entry.write_bytes(privcache.envelope(tplcache._MAGIC, payload) if digest == "valid" else tplcache._MAGIC + payload)
    os.chmod(entry, 0o600)
    run = run_capped("render", f"answers/{ADHOC_EXAMPLE.name}", cwd=workdir, env={"DRAFTER_CACHE_DIR": str(cache)},
                     label=f"render, template cache of '(' x 3 MB, digest {digest}")
    held(run)
    assert run.returncode == 0, run.output
    assert (workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx").is_file()
    good = entry.read_bytes()  # replaced by a good entry
    assert good.startswith(tplcache._MAGIC) and b"((((((((" not in good


# -- git show ---------------------------------------------------------------------------------

def _git_repo(folder: Path) -> list[str]:
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    return git


def test_git_show_of_a_huge_blob_stops_at_the_answer_file_limit(tmp_path):
    """A 64 MB file (64 KB in .git): read no further than an answer file may be (1 MB)."""
    repo = tmp_path / "repo"
    git = _git_repo(repo)
    with open(repo / "x.yaml", "wb") as handle:
        for _ in range(64):
            handle.write(b"a: 1\n" * (1024 * 1024 // 5))
    subprocess.run([*git, "add", "x.yaml"], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    (repo / "x.yaml").unlink()
    shutil.copy(ADHOC_EXAMPLE, repo / "y.yaml")
    run = run_capped("diff", "x.yaml@HEAD", "y.yaml", cwd=repo, label="diff of a 64 MB blob at HEAD")
    held(run)
    assert run.returncode == 2 and "x.yaml@HEAD: filen er for stor til at være en svarfil" in run.stderr
    assert run.peak_mb < 60, "read far past the limit"  # drafter itself needs about 20 MB here


def test_a_repository_git_refuses_as_unsafe_is_named_as_such(tmp_path):
    repo = tmp_path / "repo"
    git = _git_repo(repo)
    shutil.copy(ADHOC_EXAMPLE, repo / "x.yaml")
    subprocess.run([*git, "add", "x.yaml"], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    os.chown(repo, os.geteuid() + 4242, -1)  # another user's repository (tests run as root)
    home = tmp_path / "home"  # no safe.directory from the machine's own git config
    home.mkdir()
    run = run_capped("diff", "x.yaml@HEAD", "x.yaml", cwd=repo, env={"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1"},
                     label="diff in a repository of another user")
    held(run)
    assert run.returncode == 2
    assert "git kender ikke versionen" not in run.stderr
    assert "git nægter at læse depotet" in run.stderr and "en anden bruger ejer det" in run.stderr
    assert "safe.directory" in run.stderr


# -- templates that cost CPU time ---------------------------------------------------------------

SORTS = "{% set xs = range(100000)|list %}{% for i in range(2000) %}{{ xs|sort|first }}{% endfor %}"
REPLACES = "{% set s = 'x' * 4000000 %}{% for i in range(100000) %}{{ (s|replace('y', 'z'))[:1] }}{% endfor %}"
METHOD_REPLACES = "{% set s = 'x' * 4000000 %}{% for i in range(100000) %}{{ s.replace('y', 'z')[:1] }}{% endfor %}"
JOINS = "{% set xs = range(100000)|list %}{% for i in range(2000) %}{{ (xs|join(','))[:1] }}{% endfor %}"


@pytest.mark.parametrize("attack, source", [
    ("2,000 sorts of a 100,000-item list", SORTS),
    ("100,000 replace filters on 4 MB", REPLACES),
    ("100,000 replace methods on 4 MB", METHOD_REPLACES),
    ("2,000 joins of a 100,000-item list", JOINS),
])
def test_a_template_step_costs_by_the_size_it_touches(workdir, attack, source):
    from untrusted_docx import docx_bytes

    template = workdir / "dyr.docx"
    template.write_bytes(docx_bytes([source]))
    shutil.copy(ADHOC_EXAMPLE, workdir / "answers" / "a.yaml")
    run = run_capped("render", "answers/a.yaml", "--template", template, cwd=workdir, label=f"render: {attack}")
    held(run)
    # render checks a template named with --template first: the check's trial refuses it
    assert run.returncode != 0 and "dyr.docx: brødtekst: fejl: skabelonen" in run.stderr, run.stderr
    assert "løkketrin" in run.stderr or "CPU-tid" in run.stderr or "for meget" in run.stderr, run.stderr
    assert not (workdir / "out" / "a.docx").exists()
    check = run_capped("template", "check", template, "--kind", "adhoc", cwd=workdir, label=f"template check: {attack}")
    held(check)
    assert check.returncode != 0 and "prøvet uden svar" in check.output, check.output


def test_the_cpu_budget_is_set_in_the_workspace_and_named_in_the_message(workdir):
    from untrusted_docx import docx_bytes

    (workdir / "drafter.yaml").write_text(
        (REPO / "drafter" / "profiles" / "neutral.yaml").read_text(encoding="utf-8")
        + "graenser:\n  skabelon_cpu_sekunder: 0.2\n", encoding="utf-8")
    (workdir / "templates").mkdir()
    template = workdir / "templates" / "adhoc.docx"  # the workspace's own: rendered without a check first
    # Costly only with answers, so the check's trial without answers lets it through to the render.
    template.write_bytes(docx_bytes(["{% for m in formandskab.medlemmer %}{% for i in range(10000) %}"
                                     "{{ (range(1000)|list|sort|first) }}{% endfor %}{% endfor %}"]))
    shutil.copy(ADHOC_EXAMPLE, workdir / "answers" / "a.yaml")
    for files in (["answers/a.yaml"], ["answers/a.yaml", "answers/b.yaml", "answers/c.yaml"]):  # in-process, workers
        for name in ("b", "c"):
            shutil.copy(ADHOC_EXAMPLE, workdir / "answers" / f"{name}.yaml")
        run = run_capped("render", *files, cwd=workdir, env={"DRAFTER_JOBS": "2"},
                         label=f"render {len(files)} file(s) with a 0.2 s budget")
        held(run)
        assert run.returncode != 0 and "intet er skrevet" in run.stderr, run.stderr
        assert run.stderr.count("adhoc.docx: brødtekst: skabelonen brugte mere end 0,2 sekunders CPU-tid") == len(files)
        assert "skabelon_cpu_sekunder" in run.stderr
    template.write_bytes(docx_bytes(["{% for i in range(100000) %}{{ (range(1000)|list|sort|first) }}{% endfor %}"]))
    check = run_capped("template", "check", template, "--kind", "adhoc", cwd=workdir, label="template check, 0.2 s budget")
    assert check.returncode != 0 and "brugte mere end 0,2 sekunders CPU-tid" in check.output
    bad = (workdir / "drafter.yaml").read_text(encoding="utf-8").replace("0.2", "nej")
    (workdir / "drafter.yaml").write_text(bad, encoding="utf-8")
    run = run_capped("render", "answers/a.yaml", cwd=workdir, label="render, a budget that is no number")
    held(run)
    assert run.returncode != 0 and "graenser.skabelon_cpu_sekunder" in run.stderr and "sekunder" in run.stderr


# -- nothing outlives drafter -------------------------------------------------------------------

def _processes_of(marker: str) -> list[tuple[int, str]]:
    """(pid, name) of every live process whose environment carries *marker* (children inherit it)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if marker.encode() not in handle.read():
                    continue
            with open(f"/proc/{entry}/stat") as handle:
                head, _, tail = handle.read().rpartition(")")
            name, state = head.split("(", 1)[1], tail.split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):  # a zombie has ended; only its parent's wait is missing
            found.append((int(entry), name))
    return found


def _start(args: list[str], cwd: Path, marker: str, env: dict | None = None) -> subprocess.Popen:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8", "DRAFTER_TEST_RUN": marker,
                **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "drafter", *args], cwd=cwd, env=full_env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for(condition, what: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


def _kill_and_look(process: subprocess.Popen, marker: str) -> list[tuple[int, str]]:
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(1)  # the issue's own measure: one second after the kill
    return _processes_of(marker)


def test_kill_9_of_a_batch_leaves_no_worker_writing(workdir):
    for n in range(4):  # 45 documents: the workers are busy when the kill comes
        for example in list((workdir / "answers").glob("*.yaml"))[:9]:
            shutil.copy(example, workdir / "answers" / f"{example.stem}-{n}.yaml")
    marker = f"batch-{uuid.uuid4().hex}"
    process = _start(["render", "answers"], workdir, marker, {"DRAFTER_JOBS": "2"})
    out = workdir / "out"
    _wait_for(lambda: out.is_dir() and any(out.glob("*.docx")), "a first document")
    survivors = _kill_and_look(process, marker)
    assert not survivors, survivors
    written = sorted(out.glob("*.docx"))
    time.sleep(1)
    assert sorted(out.glob("*.docx")) == written  # nobody went on writing


needs_soffice = pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")


@needs_soffice
def test_kill_9_during_pdf_stops_libreoffice_and_the_next_run_removes_its_scratch(workdir, tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    marker = f"pdf-{uuid.uuid4().hex}"
    process = _start(["render", f"answers/{ADHOC_EXAMPLE.name}", "--pdf"], workdir, marker, {"TMPDIR": str(temp)})
    _wait_for(lambda: any("soffice" in name for _, name in _processes_of(marker)), "LibreOffice at work")
    scratch = list(temp.glob("drafter-pdf-*"))
    assert scratch
    survivors = _kill_and_look(process, marker)
    assert not survivors, survivors
    assert all(folder.exists() for folder in scratch)  # kill -9 runs no clean-up
    # The next run (any LibreOffice will do: here one that makes nothing) removes it.
    run = run_capped("render", f"answers/{ADHOC_EXAMPLE.name}", "--pdf", cwd=workdir,
                     env={"TMPDIR": str(temp), "DRAFTER_SOFFICE": shutil.which("true")}, label="the run after a kill -9")
    held(run)
    assert not any(folder.exists() for folder in scratch)
    assert not list(temp.glob("drafter-pdf-*"))


# -- a closed terminal ends the interview ---------------------------------------------------------

TERMINAL_KIND = """
kind: luk
schema_version: 1
name: Lukket terminal
description: En lille type til testen af en terminal, der lukkes.
sections:
  - key: s
    title: Spørgsmål
    questions:
""" + "".join(f"""      - key: q{i}
        type: text
        prompt: Spørgsmål nummer {i}?
        required: true
""" for i in range(5))


# Every kind of moment at which a terminal can be closed: before any answer or after 1-5 taken
# ones (5: the questions are done), each with text half typed into the prompt, or at once after
# the last Enter (while that answer may be being saved; then it may or may not be kept, but
# every answer before it must be). That is 11 moments. The Enter-and-close ones are run twice,
# with different waits before the close, as the save is the one place a close can race with.
# (This replaces 30 runs at random moments drawn from the same cases: a fixed seed drew them,
# so they were as fixed as these, and these leave none of the cases out.)
CLOSE_MOMENTS = [(answers, "half typed") for answers in range(6)] + [
    (answers, "at once after Enter") for answers in range(1, 6) for _ in range(2)]


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_closing_the_terminal_of_an_interview_at_every_kind_of_moment(tmp_path):
    """kill-session closes the pane's terminal: drafter gets SIGHUP with no terminal left."""
    import random

    kinds = tmp_path / "kinds"
    kinds.mkdir()
    (kinds / "luk.yaml").write_text(TERMINAL_KIND, encoding="utf-8")
    rng = random.Random(29)  # the waits before a close: fixed, so that a failure can be re-run
    server = f"drafter-hup-{uuid.uuid4().hex[:8]}"
    tmux = ["tmux", "-L", server]  # one private server for all the runs

    def call(*args: str) -> str:
        return subprocess.run([*tmux, *args], capture_output=True, text=True, check=True).stdout

    def wait_for(session: str, text: str) -> None:
        _wait_for(lambda: text in call("capture-pane", "-p", "-t", session), f"{text!r} on the screen", limit=60)

    call("new-session", "-d", "-s", "holder", "sleep 3600")  # keeps the server up between runs
    try:
        for run, (answers, moment) in enumerate(CLOSE_MOMENTS):
            work = tmp_path / f"run{run}"
            work.mkdir()
            marker = f"hup-{uuid.uuid4().hex}"
            env = (f"PYTHONPATH={REPO} PYTHONIOENCODING=utf-8 LANG=C.UTF-8 TERM=xterm-256color "
                   f"DRAFTER_KINDS_PATH={kinds} DRAFTER_CACHE_DIR=off DRAFTER_TEST_RUN={marker}")
            session = f"run{run}"
            call("new-session", "-d", "-s", session, "-x", "100", "-y", "30", "-c", str(work),
                 f"env {env} {sys.executable} -m drafter new luk")
            confirmed: list[str] = []  # answers drafter took: the next question was on the screen
            wait_for(session, "Spørgsmål nummer 0?")
            for i in range(answers):
                text = f"Svar {i} i kørsel {run}"
                call("send-keys", "-t", session, "-l", text)
                call("send-keys", "-t", session, "Enter")
                if i == answers - 1 and moment == "at once after Enter":
                    break  # maybe while the answer is being saved: it is not counted as taken
                wait_for(session, f"Spørgsmål nummer {i + 1}?" if i < 4 else "Hvad vil du nu?")  # the review
                confirmed.append(text)
            if moment == "half typed":
                call("send-keys", "-t", session, "-l", "halvt skrevet")
                time.sleep(rng.uniform(0, 0.1))
            else:
                time.sleep(rng.choice([0, rng.uniform(0, 0.05)]))
            call("kill-session", "-t", session)
            _wait_for(lambda: not _processes_of(marker), f"run {run}: every process ended", limit=3)
            drafts = list((work / "answers").glob("*.yaml"))
            if confirmed:
                assert len(drafts) == 1, (run, answers, moment, drafts)
                text = drafts[0].read_text(encoding="utf-8")
                for answer in confirmed:
                    assert answer in text, (run, answers, moment, answer, text)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)  # this test's own private server only


# -- misleading messages -------------------------------------------------------------------------

def test_text_after_a_finished_value_is_named_in_danish(workdir):
    (workdir / "answers" / "x.yaml").write_text("{kind: adhoc, schema_version: 1}\nformaal: noget\n", encoding="utf-8")
    run = run_capped("check", "answers/x.yaml", cwd=workdir, label="check, text after a {…} document")
    held(run)
    assert run.returncode != 0 and "answers/x.yaml" in run.stderr and "der står mere efter en afsluttet værdi" in run.stderr
    assert "did not find" not in run.stderr


def test_a_fifo_among_the_kinds_is_no_kind(workdir):
    kinds = workdir / "typer"
    kinds.mkdir()
    os.mkfifo(kinds / "fifo.yaml")
    run = run_capped("kinds", cwd=workdir, env={"DRAFTER_KINDS_PATH": str(kinds)}, timeout=60, label="kinds with a FIFO")
    held(run)
    assert run.returncode == 0, run.output
    assert "fifo" not in run.stdout and "adhoc" in run.stdout
