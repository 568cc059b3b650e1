#!/usr/bin/env python3
"""How fast is drafter next to what a user would write with docxtpl alone?

Run it with the Python of the drafter to measure, from the repository root:

    .venv-bench/bin/python bench/bench_render.py          # full run (several minutes)
    .venv-bench/bin/python bench/bench_render.py --quick  # fewer repetitions, for a quick look

where .venv-bench holds a non-editable install (`python -m venv .venv-bench &&
.venv-bench/bin/pip install .`), as a user gets it: the `drafter` command of that
environment is measured, with the bytecode pip compiled at install. Run with a Python
whose drafter is this checkout (an editable install), it measures `python -m drafter`
from the checkout instead, and says so. Everything runs as cold processes (a new Python
each time), as a user's shell would run them; each ratio is the median of paired runs
(ours, theirs, ours, theirs ...), so that both sides of a ratio ran under the same load.
The ratios and their targets:

  (a) `drafter render ONE.yaml`  ÷  a bare docxtpl script, same template and data   ≤ 0.75
      (the answer file read before, as after a `check`; shown too: the file just
      edited, and no private cache at all)
  (b) `drafter --help`, `drafter --version` and `drafter check ONE.yaml`,
      each ÷ `python -c pass`                                                       ≤ 3.0
      (the check of a file checked before and unchanged since: its kept verdict is
      replayed; shown too: the check of a file just edited, which is checked afresh
      and its verdict kept, and beside it the floor of such a check, PyYAML imported
      and the same file loaded with its C loader, which has no target of its own)
  (c) `drafter render DIR` of N answer files  ÷  one docxtpl process that loads the
      template, renders and saves each of the same N documents                      ≤ 0.40
  (d) 20 documents to PDF  ÷  1 document to PDF (`drafter render --pdf`)            ≤ 3
  (e) `drafter serve`: page to page (send a section's form, get the next section),
      median in milliseconds, driven through HTTP only, as a browser does (the token
      from the printed address into a cookie, the links and forms of the pages as they
      are, autosave as app.js sends it, the "Næste" button)                          < 100 ms
      (in the browser the answers typed are already saved by then: autosave sends each
      change as it is made; the autosave of one changed field is measured too)
      and start-up (a cold `drafter serve` until its first page answers)             < 1 s
  (f) `drafter status DIR` of N rendered answer files, in seconds (not a ratio)      < 2 s
  (g) a warm render in a batch, per document (drafter's own per-file step: read and
      check the answers, the rules, render, fit the tables, zip, write safely)  ÷  the
      stdlib floor for the same document: its parts filled by one str.replace, every
      part deflated and zipped with zipfile, the file written safely (temporary
      file, fsync, rename, fsync of the folder)                                      ≤ 3
  (h) `drafter render DIR`: peak memory of the parent process (ru_maxrss of the
      process itself, workers not included) at 1,000 and at 5,000 answer files      < 60 MiB
  (i) the interview in a pseudo-terminal: a key pressed until the next prompt is drawn
      (scripts/measure_latency.py)                                      median ≤ 25 ms, p95 ≤ 60 ms
  (j) with --suite PYTHON: the test suite (PYTHON -m pytest -q in this checkout),
      wall and CPU time (user + sys, workers included)               ≤ 90 s and ≤ 150 s

Beside each ratio of cold processes it prints the ratio of their CPU time (user + sys,
children included): on a busy machine wall time measures the wait for a CPU as much as
the program, CPU time much less. Plus the peak memory of (c): the largest single process (ru_maxrss of the children) and
the whole process tree summed (sampled from /proc every 20 ms).

The bare docxtpl scripts get their data ready-made: the contexts are built with
drafter.render.build_context beforehand and pickled, so they measure docxtpl only. They
render a copy of the same template whose document description (docProps/core.xml) no
longer contains "{{ }}": docxtpl renders the core properties as Jinja too and fails on
it; drafter fills those properties from the kind's data instead. The body, headers and
footers, which is where the work is, are the same bytes.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pickle
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _installed_drafter() -> Path | None:
    """The package folder of a drafter installed by pip (not this checkout's own source, as an
    editable install has it), if this Python has one. A venv inside the checkout counts: the
    README makes `.venv-bench` there."""
    spec = importlib.util.find_spec("drafter")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).resolve().parent
    return None if folder == REPO / "drafter" else folder


INSTALLED = _installed_drafter()
if INSTALLED is None:
    sys.path.insert(0, str(REPO))

# What a user would write with docxtpl alone: the same commission laid out by hand in a Word
# template with docxtpl tags (the tests' full-layout template), fed the answers.
TEMPLATE = REPO / "tests" / "data" / "fulllayout" / "adhoc.docx"
# The examples of one kind, so that one template serves them all (as in the bare scripts).
EXAMPLES = sorted(p for p in (REPO / "answers").glob("*.yaml") if "\nkind: adhoc\n" in p.read_text(encoding="utf-8"))
CACHE_ENV = "DRAFTER_CACHE_DIR"
TARGETS = {"a": 0.75, "b": 3.0, "c": 0.40, "d": 3.0, "g": 3.0}
WEB_TARGETS = {"page": 0.100, "start": 1.0}  # seconds, absolute (not ratios)
STATUS_TARGET_SECONDS = 2.0  # (f), for 1000 files on the 2-core machine this was written on
MEMORY_TARGET_MIB = 60  # (h)
MEMORY_FILES = (1000, 5000)  # (h)
LATENCY_TARGETS_MS = {"median": 25.0, "p95": 60.0}  # (i)
SUITE_TARGETS_S = {"wall": 90.0, "cpu": 150.0}  # (j)

BARE_ONE = """\
import pickle, sys
from docxtpl import DocxTemplate
with open(sys.argv[2], "rb") as f:
    context = pickle.load(f)
tpl = DocxTemplate(sys.argv[1])
tpl.render(context, autoescape=True)
tpl.save(sys.argv[3])
"""

BARE_MANY = """\
import os, pickle, sys
from docxtpl import DocxTemplate
with open(sys.argv[2], "rb") as f:
    jobs = pickle.load(f)
for name, context in jobs:
    tpl = DocxTemplate(sys.argv[1])
    tpl.render(context, autoescape=True)
    tpl.save(os.path.join(sys.argv[3], name + ".docx"))
"""

# (b)'s floor: what any check of an answer file read with PyYAML pays before it checks
# anything (PyYAML imported, the file parsed by its C loader).
YAML_FLOOR = "import sys, yaml; yaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader)"

# drafter's own command in this process, with its peak memory: ru_maxrss of the process
# itself (the parent of a batch; its workers are children and not counted) and of the
# largest child. The installed `drafter` command runs the same function.
PEAK_PROBE = """\
import resource, sys
from drafter.cli import main
try:
    code = main(sys.argv[1:])
finally:
    sys.stdout.flush()
    print("PEAK", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
          resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""

# (g): drafter's per-file step of a batch, warm, against the stdlib floor for the same
# documents, in turns (a round of drafter, then a round of the floor on the documents
# that round wrote), in one process.
WARM = """\
import io, json, os, statistics, sys, tempfile, time, zipfile
from pathlib import Path
from drafter.batch import WRITTEN, render_one

files = sorted(Path(sys.argv[1]).glob("*.yaml"))
out, floor_out = Path(sys.argv[2]), Path(sys.argv[3])
rounds, per_round = int(sys.argv[4]), int(sys.argv[5])
PLACEHOLDER = b"\\0navn\\0"


def group_name(path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("  navn: "):
            value = line[8:].strip()
            return value[1:-1] if value[:1] in "'\\"" else value
    return ""


def floor_job(docx, name):
    # Made before timing: the document's parts with its group's name as a placeholder.
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")
    with zipfile.ZipFile(docx) as archive:
        parts = [(info.filename, archive.read(info)) for info in archive.infolist()]
    return [(n, d.replace(escaped, PLACEHOLDER) if escaped else d) for n, d in parts], escaped


def floor_write(parts, escaped, target):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)),
                             data.replace(PLACEHOLDER, escaped), compress_type=zipfile.ZIP_DEFLATED)
    fd, tmp = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".tmp", dir=target.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(buffer.getvalue())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


warm_up, files = files[:10], files[10:]
for path in warm_up:  # the template prepared, the kind read, the modules loaded
    render_one(path, out / (path.stem + ".docx"), False)
ours, floor, ours_cpu, floor_cpu = [], [], [], []
for r in range(rounds):
    batch = files[r * per_round:(r + 1) * per_round]
    started, cpu = time.perf_counter(), time.process_time()
    for path in batch:
        outcome = render_one(path, out / (path.stem + ".docx"), False)
        assert outcome.status == WRITTEN, outcome
    ours.append((time.perf_counter() - started) / len(batch))
    ours_cpu.append((time.process_time() - cpu) / len(batch))
    jobs = [floor_job(out / (p.stem + ".docx"), group_name(p)) for p in batch]
    started, cpu = time.perf_counter(), time.process_time()
    for path, (parts, escaped) in zip(batch, jobs):
        floor_write(parts, escaped, floor_out / (path.stem + ".docx"))
    floor.append((time.perf_counter() - started) / len(batch))
    floor_cpu.append((time.process_time() - cpu) / len(batch))
print(json.dumps({"ours": ours, "floor": floor, "ours_cpu": ours_cpu, "floor_cpu": floor_cpu}))
"""


# -- set-up ----------------------------------------------------------------------------

def plain_template(target: Path) -> None:
    """The template with "{{ }}" taken out of its description, for docxtpl alone."""
    with zipfile.ZipFile(TEMPLATE) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = data.replace(b"{{ }}", b"")
            dst.writestr(info, data)


def make_answer_files(folder: Path, count: int) -> list[Path]:
    """count answer files, the examples in turn, each group with its own name."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = [p.read_text(encoding="utf-8") for p in EXAMPLES]
    paths = []
    for i in range(count):
        lines = sources[i % len(sources)].splitlines(keepends=True)
        for n, line in enumerate(lines):
            if line.startswith("  navn: "):
                lines[n] = line.rstrip("\n") + f" (nr. {i + 1})\n"
                break
        path = folder / f"kommissorium-{i + 1:04d}.yaml"
        path.write_text("".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def contexts_for(paths: list[Path]) -> list[tuple[str, dict]]:
    from drafter.answers import load_answers
    from drafter.render import build_context

    return [(p.stem, build_context(load_answers(p))) for p in paths]


# -- measuring -------------------------------------------------------------------------

def editor(path: Path):
    """A function that edits *path* as a person would (one more comment line each time): the
    next command reads a file it has never seen."""
    original = path.read_text(encoding="utf-8")
    count = [0]

    def edit() -> None:
        count[0] += 1
        path.write_text(original + f"# rettet {count[0]}\n", encoding="utf-8")

    edit.restore = lambda: path.write_text(original, encoding="utf-8")  # type: ignore[attr-defined]
    return edit


def env() -> dict[str, str]:
    full = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    if INSTALLED is not None:
        return full  # the install as pip left it, its bytecode included
    # The checkout: bytecode as a pip install has it, compiled once (kept in the scratch
    # folder, so the checkout stays clean), even where PYTHONDONTWRITEBYTECODE is set.
    full["PYTHONPATH"] = str(REPO)
    if "DRAFTER_BENCH_NO_PYC" not in os.environ:
        full.pop("PYTHONDONTWRITEBYTECODE", None)
        full["PYTHONPYCACHEPREFIX"] = os.environ["DRAFTER_BENCH_PYCACHE"]
    return full


# CPU seconds (user + sys) of the last process run() ran, its children included: on a busy
# machine, wall time measures the queue for the CPU as much as the program.
_last_cpu = [0.0]
# The median CPU-time ratio of each comparison, by its name (printed beside the wall-time ratio).
CPU_RATIOS: dict[str, float] = {}


def run(command: list[str], cwd: Path, fresh: Path | None = None) -> float:
    """Seconds one cold process takes; *fresh* is emptied first (so every run writes)."""
    import resource

    if fresh is not None:
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    _last_cpu[0] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr.decode()}")
    return elapsed


def compare(name: str, ours: list[str], theirs: list[str], cwd: Path, repeat: int,
            ours_out: Path | None = None, theirs_out: Path | None = None,
            before_ours: "Callable[[], None] | None" = None) -> tuple[float, float, float]:
    """Median seconds of both commands, and the median of their ratio run by run.

    The two run in turns (after one untimed warm-up each), so that each ratio compares
    runs made under the same load; the median of these ratios is the figure reported.
    The median ratio of their CPU times goes to CPU_RATIOS[name]. *before_ours* runs
    (untimed) before each run of ours: an edit of the answer file, say.
    """
    prepare = before_ours or (lambda: None)
    prepare()
    run(ours, cwd, ours_out)
    run(theirs, cwd, theirs_out)
    a, b, cpu = [], [], []
    for i in range(repeat):
        prepare()
        a.append(run(ours, cwd, ours_out))
        ours_cpu = _last_cpu[0]
        b.append(run(theirs, cwd, theirs_out))
        cpu.append(ours_cpu / max(_last_cpu[0], 1e-6))
        print(f"  {name} {i + 1}/{repeat}: {a[-1]:.3f} s ÷ {b[-1]:.3f} s = {a[-1] / b[-1]:.2f} "
              f"(CPU {ours_cpu:.3f} s ÷ {_last_cpu[0]:.3f} s = {cpu[-1]:.2f})", file=sys.stderr)
    CPU_RATIOS[name] = statistics.median(cpu)
    return statistics.median(a), statistics.median(b), statistics.median(x / y for x, y in zip(a, b))


def tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants, in KiB, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                status = f.read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry)] = int(fields.get("PPid", "0").strip())
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total = 0
    for pid in rss:
        p = pid
        while p and p != root:
            p = parents.get(p, 0)
        if p == root:
            total += rss[pid]
    return total


def peak_memory(args: list[str], cwd: Path, fresh: Path, sample_tree: bool = True) -> tuple[int, int, int]:
    """(the process itself, its largest child, the whole tree sampled) peak RSS in KiB of
    one run of `drafter ARGS`."""
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    process = subprocess.Popen([sys.executable, "-c", PEAK_PROBE, *args], cwd=cwd, env=env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree = 0
    if sample_tree and Path("/proc").is_dir():
        while process.poll() is None:
            tree = max(tree, tree_rss_kib(process.pid))
            time.sleep(0.02)
    _, err = process.communicate()
    peak = [line for line in err.decode("utf-8", "replace").splitlines() if line.startswith("PEAK ")]
    if process.returncode != 0 or not peak:
        raise SystemExit(f"failed ({process.returncode}): drafter {' '.join(args)}\n{err.decode()}")
    own, child = (int(x) for x in peak[-1].split()[1:])
    return own, child, tree


def bare_peak_memory(command: list[str], cwd: Path, fresh: Path) -> int:
    """Peak RSS in KiB of one run of *command* (ru_maxrss of a middle process's children)."""
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, *command], cwd=cwd, env=env(), stdout=subprocess.PIPE, check=True)
    return int(out.stdout.decode().strip().splitlines()[-1])


def warm_render(tmp: Path, folder: Path, rounds: int, per_round: int) -> tuple[float, float, float]:
    """(g): medians of drafter's warm per-document step and of the floor (seconds), and of
    their ratio round by round."""
    out, floor_out = tmp / "out-g", tmp / "out-g-floor"
    for fresh in (out, floor_out):
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
    result = subprocess.run([sys.executable, "-c", WARM, str(folder), str(out), str(floor_out), str(rounds), str(per_round)],
                            cwd=tmp, env=env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"(g) failed ({result.returncode}):\n{result.stderr}")
    times = json.loads(result.stdout.strip().splitlines()[-1])
    for i, (a, b) in enumerate(zip(times["ours"], times["floor"])):
        print(f"  g {i + 1}/{rounds}: {a * 1000:.2f} ms ÷ {b * 1000:.2f} ms = {a / b:.2f}", file=sys.stderr)
    CPU_RATIOS["g"] = statistics.median(a / max(b, 1e-9) for a, b in zip(times["ours_cpu"], times["floor_cpu"]))
    return (statistics.median(times["ours"]), statistics.median(times["floor"]),
            statistics.median(a / b for a, b in zip(times["ours"], times["floor"])))


def interview_latency(runs: int) -> dict[str, float]:
    """(i): scripts/measure_latency.py's figures (milliseconds)."""
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "measure_latency.py"), "--json", str(runs)],
                            cwd=REPO, env=env(), capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise SystemExit(f"(i) failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_suite(python: str) -> tuple[float, float]:
    """(j): wall and CPU seconds (user + sys of every process it started) of the test suite."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print("  " + (result.stdout.strip().splitlines() or ["(no output)"])[-1], file=sys.stderr)
    if result.returncode != 0:
        raise SystemExit(f"(j) the suite failed:\n{result.stdout[-3000:]}")
    return wall, cpu


# -- report ----------------------------------------------------------------------------

# -- (e) drafter serve -------------------------------------------------------------------

class _Page:
    """What a browser sees of an HTML page: its links, and its forms with the fields they send."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        self.links: list[str] = []
        self.forms: list[dict] = []
        self.refresh = ""
        page = self

        class Parser(HTMLParser):
            form: dict | None = None
            select: str | None = None
            option: list | None = None
            textarea: list | None = None

            def handle_starttag(self, tag, attrs):
                a = {k: (v if v is not None else "") for k, v in attrs}
                if tag == "a" and a.get("href"):
                    page.links.append(a["href"])
                elif tag == "meta" and a.get("http-equiv", "").lower() == "refresh" and "url=" in a.get("content", ""):
                    page.refresh = a["content"].split("url=", 1)[1]
                elif tag == "form":
                    self.form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                                 "autosave": "data-autosave" in a, "fields": [], "buttons": [], "texts": []}
                    page.forms.append(self.form)
                elif self.form is None or "disabled" in a:
                    return
                elif tag == "input":
                    kind = a.get("type", "text").lower()
                    if kind in ("submit", "image"):
                        self.form["buttons"].append((a.get("name", ""), a.get("value", ""), a.get("value", "")))
                    elif kind in ("checkbox", "radio") and "checked" not in a:
                        return
                    elif a.get("name") and kind not in ("button", "reset", "file"):
                        self.form["fields"].append([a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")])
                        if kind in ("text", "search") and _is_prose(a.get("value", "")):
                            self.form["texts"].append(len(self.form["fields"]) - 1)
                elif tag == "button" and a.get("type", "submit").lower() == "submit" and "hidden" not in a:
                    self.form["buttons"].append((a.get("name", ""), a.get("value", ""), ""))
                    self.option = None
                elif tag == "select":
                    self.select = a.get("name")
                    self.form["fields"].append([self.select, None])  # the selected option, or the first
                elif tag == "option" and self.select:
                    self.option = [a.get("value"), "", "selected" in a]
                elif tag == "textarea" and a.get("name"):
                    self.textarea = [a["name"], ""]

            def handle_data(self, data):
                if self.textarea is not None:
                    self.textarea[1] += data
                elif self.option is not None:
                    self.option[1] += data
                elif self.form is not None and self.form["buttons"] and self.form["buttons"][-1][2] == "" and data.strip():
                    name, value, _ = self.form["buttons"][-1]
                    self.form["buttons"][-1] = (name, value, data.strip())

            def handle_endtag(self, tag):
                if tag == "textarea" and self.textarea is not None:
                    self.form["fields"].append(self.textarea)
                    if _is_prose(self.textarea[1]):
                        self.form["texts"].append(len(self.form["fields"]) - 1)
                    self.textarea = None
                elif tag == "option" and self.option is not None:
                    value = self.option[0] if self.option[0] is not None else self.option[1]
                    field = self.form["fields"][-1]
                    if self.option[2] or field[1] is None:
                        field[1] = value
                    self.option = None
                elif tag == "select":
                    self.select = None
                elif tag == "form":
                    self.form = None

        Parser(convert_charrefs=True).feed(html)

    def section_form(self) -> dict | None:
        """The form of a section: the one that saves as you type and has a button to the next section."""
        for form in self.forms:
            if form["autosave"] and _next_button(form) is not None:
                return form
        return None


def _is_prose(value: str) -> bool:
    """A text a person wrote (words, no digits: not a date or a number): one more "!" keeps it valid."""
    return re.search(r"[^\W\d_]{3}", value) is not None and not re.search(r"\d", value)


def _next_button(form: dict) -> tuple[str, str] | None:
    for name, value, label in form["buttons"]:
        if label.startswith("Næste"):
            return name, value
    return None


class _Browser:
    """One tab: keep-alive, cookies, and the headers a browser sends with a form (stdlib only)."""

    def __init__(self, port: int):
        import http.client

        self.origin = f"http://127.0.0.1:{port}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: list | None = None, json_reply: bool = False) -> tuple[int, str, str]:
        from urllib.parse import urlencode

        headers = {"Host": self.origin[len("http://"):], "Accept": "application/json" if json_reply else "text/html",
                   "Sec-Fetch-Site": "same-origin"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode("utf-8")
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin})
        self.conn.request(method, path, body=body, headers=headers)
        reply = self.conn.getresponse()
        for header, value in reply.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return reply.status, reply.getheader("Location") or "", reply.read().decode("utf-8", "replace")

    def get(self, path: str) -> tuple[str, str]:
        """(final path, page) after following redirects and a meta refresh, as a browser does."""
        for _ in range(10):
            status, location, page = self.request("GET", path)
            if status in (301, 302, 303, 307, 308):
                path = location
                continue
            assert status == 200, (path, status)
            refresh = _Page(page).refresh
            if refresh and refresh != path:
                path = refresh
                continue
            return path, page
        raise AssertionError(f"too many redirects from {path}")

    def close(self) -> None:
        self.conn.close()


def _start_server(root: Path) -> tuple[subprocess.Popen, str]:
    """A cold `drafter serve` (the command being measured) and the address it prints."""
    process = subprocess.Popen([*drafter_command(), "serve", "--no-browser", "--port", "0"], cwd=root, env=env(),
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for _ in range(10):
        line = process.stdout.readline()
        if not line:
            break
        found = re.search(r"https?://\S+", line)
        if found and "token=" in found.group(0):
            return process, found.group(0)
    process.kill()
    raise AssertionError("drafter serve printed no address with a token")


def _stop_server(process: subprocess.Popen) -> None:
    import signal

    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


def web_timings(tmp: Path, repeat: int) -> dict[str, float]:
    """Medians of (e), driven through HTTP only, as a browser drives it: one step from a
    section to the next (the form sent with its "Næste" button, and the next page fetched),
    the autosave of one changed field before it (as app.js sends it), and a cold start-up."""
    from urllib.parse import urlsplit

    root = tmp / "web"
    shutil.rmtree(root, ignore_errors=True)
    (root / "answers").mkdir(parents=True)
    shutil.copy(REPO / "answers" / "udskrivelse-af-skroebelige-aeldre.yaml", root / "answers" / "x.yaml")

    starts: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        process, url = _start_server(root)
        try:
            parts = urlsplit(url)
            browser = _Browser(parts.port)
            browser.get(f"{parts.path}?{parts.query}")  # the first page, the token taken into a cookie
            starts.append(time.perf_counter() - started)
            browser.close()
        finally:
            _stop_server(process)

    steps: list[float] = []
    saves: list[float] = []
    process, url = _start_server(root)
    try:
        parts = urlsplit(url)
        browser = _Browser(parts.port)
        _, front = browser.get(f"{parts.path}?{parts.query}")
        # The commission's link on the front page, then its first section with a form.
        commission = next(link for link in _Page(front).links if "/x" in link and link.startswith("/"))
        where, page = browser.get(commission)
        prefix = where.rstrip("/").rsplit("/", 1)[0] if _Page(page).section_form() is None else where
        first = where
        if _Page(page).section_form() is None:
            first = next(link for link in _Page(page).links
                         if link.startswith(prefix) and link != where and _Page(browser.get(link)[1]).section_form() is not None)
        for _ in range(repeat):
            where, page = browser.get(first)
            while True:
                form = _Page(page).section_form()
                if form is None:
                    break
                fields = [(name, value) for name, value in form["fields"]]
                # Autosave of one changed field (one more character in the first text), as typing sends it.
                if form["texts"]:
                    i = form["texts"][0]
                    fields[i] = (fields[i][0], fields[i][1] + "!")
                started = time.perf_counter()
                status, _, reply = browser.request("POST", form["action"], fields + [("action", "autosave")], json_reply=True)
                saves.append(time.perf_counter() - started)
                answer = json.loads(reply)
                assert status == 200 and answer.get("saved") and not answer.get("errors"), (status, reply[:300])
                if answer.get("version"):
                    fields = [(n, answer["version"]) if n == "version" else (n, v) for n, v in fields]
                # Then the button: the same form (its answers saved already), and the next page.
                started = time.perf_counter()
                status, location, _ = browser.request("POST", form["action"], fields + [_next_button(form)])
                assert status == 303, (form["action"], status)
                where, page = browser.get(location)
                steps.append(time.perf_counter() - started)
        browser.close()
    finally:
        _stop_server(process)
    assert steps, "no section form with a Næste button was found"
    return {"page": statistics.median(steps), "start": statistics.median(starts), "steps": len(steps),
            "save": statistics.median(saves)}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} cores ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def cpu_note(name: str) -> str:
    """The CPU-time ratio beside a wall-time one (what the load does not change as much)."""
    return f"; CPU-time ratio {CPU_RATIOS[name]:.2f}" if name in CPU_RATIOS else ""


def verdict(key: str, ratio: float) -> str:
    return met_or_missed(ratio, TARGETS[key], "≤")


def met_or_missed(value: float, target: float, sign: str, unit: str = "") -> str:
    met = value <= target if sign == "≤" else value < target
    if met:
        return f"target {sign} {target:g}{unit}: met"
    return f"target {sign} {target:g}{unit}: MISSED by {value / target - 1:.0%}"


def install_mode() -> str:
    if INSTALLED is None:
        bytecode = ("without bytecode files" if "DRAFTER_BENCH_NO_PYC" in os.environ
                    else "bytecode compiled once and kept, as after a pip install")
        return f"this checkout on PYTHONPATH (not an install), run as `python -m drafter`, {bytecode}"
    tag = sys.implementation.cache_tag
    modules = sorted(p.stem for p in INSTALLED.glob("*.py"))
    compiled = [m for m in modules if (INSTALLED / "__pycache__" / f"{m}.{tag}.pyc").is_file()]
    return (f"non-editable install (pip install .) in {Path(sys.prefix).name}/, its `drafter` command; "
            f"bytecode: {len(compiled)} of {len(modules)} drafter modules have a .pyc compiled by pip "
            f"(PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '(not set)')})")


def drafter_command() -> list[str]:
    if INSTALLED is not None:
        script = Path(sys.executable).parent / ("drafter.exe" if os.name == "nt" else "drafter")
        if script.is_file():
            return [str(script)]
    return [sys.executable, "-m", "drafter"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--files", type=int, default=1000, help="answer files for (c) and (f) (default 1000)")
    parser.add_argument("--repeat", type=int, help="repetitions of each measurement (default 7; 3 with --quick)")
    parser.add_argument("--only", default="abcdefghi", help="which measurements, e.g. --only ab (default abcdefghi)")
    parser.add_argument("--suite", metavar="PYTHON", help="(j): also time the test suite run by PYTHON (with the test extras)")
    args = parser.parse_args()
    repeat = args.repeat or (3 if args.quick else 7)
    repeat_c = max(1, repeat // 2) if args.quick else max(3, repeat // 2)
    repeat_d = max(1, repeat // 2)
    py = sys.executable
    drafter = drafter_command()
    load_before = f"{os.getloadavg()[0]:.2f}"
    results: dict[str, tuple[float, float, float]] = {}
    extra: dict[str, tuple[float, float, float]] = {}
    memory: dict[str, tuple[int, int, int]] = {}
    bare_memory = 0
    batch_memory: dict[int, int] = {}
    web: dict[str, float] = {}
    web_failed = ""
    latency: dict[str, float] = {}
    suite: tuple[float, float] | None = None
    status_times: list[float] = []
    kept_verdicts = 0

    with tempfile.TemporaryDirectory(prefix="drafter-bench-") as scratch:
        tmp = Path(scratch)
        # A cache of prepared templates of the benchmark's own, warmed by the first run.
        os.environ[CACHE_ENV] = str(tmp / "cache")
        os.environ["DRAFTER_BENCH_PYCACHE"] = str(tmp / "pycache")
        plain = tmp / "adhoc-plain.docx"
        plain_template(plain)
        (tmp / "bare_one.py").write_text(BARE_ONE)
        (tmp / "bare_many.py").write_text(BARE_MANY)

        print("setting up …", file=sys.stderr)
        one = make_answer_files(tmp / "one", 1)[0]
        with open(tmp / "one.pickle", "wb") as f:
            pickle.dump(contexts_for([one])[0][1], f)
        many = make_answer_files(tmp / "many", args.files if any(k in args.only for k in "cfg") else 20)
        if "c" in args.only:
            with open(tmp / "many.pickle", "wb") as f:
                pickle.dump(contexts_for(many), f)

        if "a" in args.only:
            print("(a) one document, cold process", file=sys.stderr)
            ours = [*drafter, "render", str(one), "--out-dir", str(tmp / "out-a")]
            bare = [py, str(tmp / "bare_one.py"), str(plain), str(tmp / "one.pickle"), str(tmp / "out-a-bare" / "x.docx")]
            results["a"] = compare("a", ours, bare, tmp, repeat, tmp / "out-a", tmp / "out-a-bare")
            # An answer file just edited (a comment added): read afresh, the template from the cache.
            edit = editor(one)
            extra["a-edited"] = compare("a, edited", ours, bare, tmp, repeat, tmp / "out-a", tmp / "out-a-bare",
                                        before_ours=edit)
            edit.restore()
            # The same without the private cache: a template's very first render.
            os.environ[CACHE_ENV] = "off"
            try:
                extra["a0"] = compare("a, no cache", ours, bare, tmp, repeat, tmp / "out-a", tmp / "out-a-bare")
            finally:
                os.environ[CACHE_ENV] = str(tmp / "cache")

        if "b" in args.only:
            print("(b) --help, --version, check of one file; cold processes", file=sys.stderr)
            baseline = [py, "-c", "pass"]
            results["b"] = compare("b", [*drafter, "--help"], baseline, tmp, repeat)
            extra["b-version"] = compare("b, --version", [*drafter, "--version"], baseline, tmp, repeat)
            extra["b-check"] = compare("b, check", [*drafter, "check", str(one)], baseline, tmp, repeat)
            kept_verdicts = len(list((tmp / "cache").glob("check-*.verdict")))
            edit = editor(one)
            extra["b-edited"] = compare("b, check edited", [*drafter, "check", str(one)], baseline, tmp, repeat,
                                        before_ours=edit)
            edit.restore()
            # The floor of a fresh check: PyYAML imported and the same answer file parsed with
            # its C loader, nothing else. No check that reads the file with PyYAML can be faster.
            extra["b-yaml"] = compare("b, YAML floor", [py, "-c", YAML_FLOOR, str(one)], baseline, tmp, repeat)

        if "c" in args.only:
            print(f"(c) {args.files} documents", file=sys.stderr)
            ours = [*drafter, "render", str(tmp / "many"), "--out-dir", str(tmp / "out-c")]
            bare = [py, str(tmp / "bare_many.py"), str(plain), str(tmp / "many.pickle"), str(tmp / "out-c-bare")]
            results["c"] = compare("c", ours, bare, tmp, repeat_c, tmp / "out-c", tmp / "out-c-bare")
            memory["drafter"] = peak_memory(["render", str(tmp / "many"), "--out-dir", str(tmp / "out-c")], tmp, tmp / "out-c")
            bare_memory = bare_peak_memory(bare, tmp, tmp / "out-c-bare")

        if "d" in args.only:
            if shutil.which("soffice") or shutil.which("libreoffice"):
                print("(d) PDF: 20 documents ÷ 1", file=sys.stderr)
                twenty = tmp / "twenty"
                twenty.mkdir()
                for path in many[:20]:
                    shutil.copy(path, twenty / path.name)
                results["d"] = compare(
                    "d",
                    [*drafter, "render", str(twenty), "--pdf", "--out-dir", str(tmp / "out-d20")],
                    [*drafter, "render", str(one), "--pdf", "--out-dir", str(tmp / "out-d1")],
                    tmp, repeat_d, tmp / "out-d20", tmp / "out-d1",
                )
            else:
                print("(d) skipped: LibreOffice is not installed", file=sys.stderr)

        if "e" in args.only:
            print("(e) drafter serve: page to page, start-up", file=sys.stderr)
            try:
                web = web_timings(tmp, repeat)
            except (AssertionError, StopIteration, OSError) as exc:  # the form changed under the benchmark
                web_failed = f"{type(exc).__name__}: {exc}"

        if "f" in args.only:
            print(f"(f) drafter status of {args.files} answer files", file=sys.stderr)
            run([*drafter, "render", str(tmp / "many"), "--out-dir", str(tmp / "out-f")], tmp, tmp / "out-f")
            status = [*drafter, "status", str(tmp / "many"), "--out-dir", str(tmp / "out-f")]
            run(status, tmp)  # warm-up
            for i in range(repeat_c):
                status_times.append(run(status, tmp))
                print(f"  f {i + 1}/{repeat_c}: {status_times[-1]:.3f} s", file=sys.stderr)

        if "g" in args.only:
            per_round = 30
            rounds = max(3, min(repeat, (len(many) - 10) // per_round))
            print(f"(g) warm render per document ÷ the stdlib floor, {rounds} rounds of {per_round}", file=sys.stderr)
            results["g"] = warm_render(tmp, tmp / "many", rounds, per_round)

        if "h" in args.only:
            for count in MEMORY_FILES:
                print(f"(h) peak memory of the parent of `drafter render DIR`, {count} files", file=sys.stderr)
                folder = tmp / f"mem-{count}"
                make_answer_files(folder, count)
                batch_memory[count] = peak_memory(["render", str(folder), "--out-dir", str(tmp / "out-h")],
                                                  tmp, tmp / "out-h", sample_tree=False)[0]
                shutil.rmtree(folder)
                shutil.rmtree(tmp / "out-h")

        if "i" in args.only:
            print("(i) the interview in a pseudo-terminal: key to next prompt", file=sys.stderr)
            latency = interview_latency(max(1, repeat // 3))

        if args.suite:
            print(f"(j) the test suite: {args.suite} -m pytest -q", file=sys.stderr)
            suite = test_suite(args.suite)

    labels = {
        "a": "(a) drafter render, 1 document ÷ bare docxtpl",
        "b": "(b) drafter --help ÷ python -c pass",
        "c": f"(c) drafter render DIR, {args.files} documents ÷ docxtpl loop",
        "d": "(d) PDF, 20 documents ÷ 1 document",
        "g": "(g) warm render per document in a batch ÷ the stdlib floor (fill, deflate, zip, safe write)",
    }
    print(f"\nMachine: {machine()}")
    print(f"Medians of {repeat} runs ((c), (f): {repeat_c}, (d): {repeat_d})")
    print(f"Load average before / after: {load_before} / {os.getloadavg()[0]:.2f}")
    print(f"Install mode: {install_mode()}\n")
    missed: list[str] = []
    for key, (ours, theirs, ratio) in results.items():
        if ratio > TARGETS[key]:
            missed.append(key)
        if key == "g":
            print(f"{labels[key]}: {ratio:.2f}  ({verdict(key, ratio)}); medians {ours * 1000:.2f} ms and {theirs * 1000:.2f} ms"
                  f"{cpu_note('g')}")
            continue
        print(f"{labels[key]}: {ratio:.2f}  ({verdict(key, ratio)}); medians {ours:.3f} s and {theirs:.3f} s{cpu_note(key)}")
        if key == "a" and "a-edited" in extra:
            ours0, theirs0, ratio0 = extra["a-edited"]
            print(f"    the answer file just edited (read afresh; the template from the cache): "
                  f"{ratio0:.2f}; medians {ours0:.3f} s and {theirs0:.3f} s{cpu_note('a, edited')}")
        if key == "a" and "a0" in extra:
            ours0, theirs0, ratio0 = extra["a0"]
            print(f"    without the private cache (a template's first render, the files read afresh): "
                  f"{ratio0:.2f}; medians {ours0:.3f} s and {theirs0:.3f} s{cpu_note('a, no cache')}")
        if key == "b":
            for name, label, compared in (("b-version", "drafter --version", "b, --version"),
                                          ("b-check", "drafter check ONE.yaml, unchanged since it was last checked "
                                           + ("(its kept verdict replayed)" if kept_verdicts else
                                              "(NO kept verdict found: checked afresh)"), "b, check"),
                                          ("b-edited", "drafter check ONE.yaml just edited (checked afresh, its "
                                           "verdict kept)", "b, check edited")):
                ours1, theirs1, ratio1 = extra[name]
                missed += [name] if ratio1 > TARGETS["b"] else []
                print(f"(b) {label} ÷ python -c pass: {ratio1:.2f}  ({verdict('b', ratio1)}); "
                      f"medians {ours1:.3f} s and {theirs1:.3f} s{cpu_note(compared)}")
            if "b-yaml" in extra:  # a floor, not a target: never counted as missed
                ours1, theirs1, ratio1 = extra["b-yaml"]
                print(f"    the floor no check that reads YAML can beat: python -c \"import yaml; yaml.load(ONE.yaml, "
                      f"Loader=yaml.CSafeLoader)\" ÷ python -c pass: {ratio1:.2f}  (no target); "
                      f"medians {ours1:.3f} s and {theirs1:.3f} s{cpu_note('b, YAML floor')}")
    if status_times:
        median = statistics.median(status_times)
        missed += [] if median < STATUS_TARGET_SECONDS else ["f"]
        print(f"(f) drafter status DIR, {args.files} answer files and their documents: median {median:.3f} s "
              f"({met_or_missed(median, STATUS_TARGET_SECONDS, '<', ' s')})")
    if memory:
        own, largest, tree = memory["drafter"]
        print(f"Peak memory of (c): drafter {own / 1024:.0f} MiB in the parent, {largest / 1024:.0f} MiB in its "
              f"largest worker, {tree / 1024:.0f} MiB all processes together; docxtpl loop {bare_memory / 1024:.0f} MiB")
    for count, kib in batch_memory.items():
        mib = kib / 1024
        missed += [] if mib < MEMORY_TARGET_MIB else [f"h{count}"]
        print(f"(h) drafter render DIR, {count} files: the parent's peak memory {mib:.0f} MiB "
              f"({met_or_missed(mib, MEMORY_TARGET_MIB, '<', ' MiB')})")
    if web:
        for key, label in (("page", "page to page (send a section, get the next), median"),
                           ("start", "start-up of a cold `drafter serve` until its first page answers, median")):
            met = web[key] < WEB_TARGETS[key]
            missed += [] if met else [key]
            print(f"(e) drafter serve, {label}: {web[key] * 1000:.0f} ms "
                  f"(target < {WEB_TARGETS[key] * 1000:.0f} ms: {'met' if met else 'MISSED'})"
                  + (f"; {web['steps']} steps" if key == "page" else ""))
        print(f"(e) drafter serve, autosave of one changed field (check, write the answer file), median: "
              f"{web['save'] * 1000:.0f} ms")
    if web_failed:
        missed.append("e")
        print(f"(e) drafter serve: NOT MEASURED; the benchmark's form driver failed ({web_failed})")
    if latency:
        for key in ("median", "p95"):
            missed += [] if latency[key] <= LATENCY_TARGETS_MS[key] else [f"i-{key}"]
        print(f"(i) interview in a pseudo-terminal, a key pressed until the next prompt is drawn "
              f"({latency['count']} prompts): median {latency['median']:.1f} ms "
              f"({met_or_missed(latency['median'], LATENCY_TARGETS_MS['median'], '≤', ' ms')}), "
              f"p95 {latency['p95']:.1f} ms ({met_or_missed(latency['p95'], LATENCY_TARGETS_MS['p95'], '≤', ' ms')}), "
              f"max {latency['max']:.1f} ms")
    if suite is not None:
        wall, cpu = suite
        missed += [] if wall <= SUITE_TARGETS_S["wall"] and cpu <= SUITE_TARGETS_S["cpu"] else ["j"]
        print(f"(j) test suite: {wall:.1f} s wall ({met_or_missed(wall, SUITE_TARGETS_S['wall'], '≤', ' s')}), "
              f"{cpu:.1f} s CPU ({met_or_missed(cpu, SUITE_TARGETS_S['cpu'], '≤', ' s')})")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
