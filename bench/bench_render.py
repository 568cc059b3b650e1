#!/usr/bin/env python3
"""How fast is drafter next to what a user would write with docxtpl alone?

Run from the repository root:

    python bench/bench_render.py            # full run (a few minutes)
    python bench/bench_render.py --quick    # fewer repetitions, for a quick look

Everything runs as cold processes (a new Python each time), as a user's shell would run
them, and each figure is the median of repeated runs. The ratios and their targets:

  (a) `drafter render ONE.yaml`  ÷  a bare docxtpl script, same template and data   ≤ 1.10
  (b) `drafter --help`           ÷  `python -c pass`                                ≤ 4
  (c) `drafter render DIR` of N answer files  ÷  one docxtpl process that loads the
      template, renders and saves each of the same N documents                      ≤ 0.40
  (d) 20 documents to PDF  ÷  1 document to PDF (`drafter render --pdf`)            ≤ 3
  (e) `drafter serve`: page to page (send a section's form, get the next section),
      median in milliseconds                                                          < 100 ms
      (in the browser the answers typed are already saved by then: autosave sends each
      change as it is made; the autosave of one changed field is measured too)
      and start-up (a cold `drafter serve` until its first page answers)             < 1 s
  (f) `drafter status DIR` of N rendered answer files, in seconds (not a ratio)      < 2 s

plus the peak memory of (c): the largest single process (ru_maxrss of the children) and
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
import json
import os
import pickle
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TEMPLATE = REPO / "templates" / "docx" / "adhoc.docx"
# The examples of one kind, so that one template serves them all (as in the bare scripts).
EXAMPLES = sorted(p for p in (REPO / "answers").glob("*.yaml") if "\nkind: adhoc\n" in p.read_text(encoding="utf-8"))
CACHE_ENV = "DRAFTER_CACHE_DIR"
TARGETS = {"a": 1.10, "b": 4.0, "c": 0.40, "d": 3.0}
WEB_TARGETS = {"page": 0.100, "start": 1.0}  # seconds, absolute (not ratios)
STATUS_TARGET_SECONDS = 2.0  # (f), for 1000 files on the 2-core machine this was written on

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

def env() -> dict[str, str]:
    # Bytecode as a pip install has it: compiled once (kept in the scratch folder, so the
    # checkout stays clean), even where PYTHONDONTWRITEBYTECODE is set for development.
    full = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    if "DRAFTER_BENCH_NO_PYC" not in os.environ:
        full.pop("PYTHONDONTWRITEBYTECODE", None)
        full["PYTHONPYCACHEPREFIX"] = os.environ["DRAFTER_BENCH_PYCACHE"]
    return full


def run(command: list[str], cwd: Path, fresh: Path | None = None) -> float:
    """Seconds one cold process takes; *fresh* is emptied first (so every run writes)."""
    if fresh is not None:
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr.decode()}")
    return elapsed


def compare(name: str, ours: list[str], theirs: list[str], cwd: Path, repeat: int,
            ours_out: Path | None = None, theirs_out: Path | None = None) -> tuple[float, float, float]:
    """Median seconds of both commands, and the median of their ratio run by run.

    The two run in turns (after one untimed warm-up each), so that each ratio compares
    runs made under the same load; the median of these ratios is the figure reported.
    """
    run(ours, cwd, ours_out)
    run(theirs, cwd, theirs_out)
    a, b = [], []
    for i in range(repeat):
        a.append(run(ours, cwd, ours_out))
        b.append(run(theirs, cwd, theirs_out))
        print(f"  {name} {i + 1}/{repeat}: {a[-1]:.3f} s ÷ {b[-1]:.3f} s = {a[-1] / b[-1]:.2f}", file=sys.stderr)
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


def peak_memory(command: list[str], cwd: Path, fresh: Path) -> tuple[int, int]:
    """(largest single process, whole tree sampled) peak RSS in KiB of one run."""
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    # A middle process of our own, so ru_maxrss of its children is this run's alone.
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", probe, *command], cwd=cwd, env=env(), stdout=subprocess.PIPE)
    peak = 0
    if Path("/proc").is_dir():
        while process.poll() is None:
            peak = max(peak, tree_rss_kib(process.pid))
            time.sleep(0.02)
    out, _ = process.communicate()
    return int(out.decode().strip().splitlines()[-1]), peak


# -- report ----------------------------------------------------------------------------

# -- (e) drafter serve -------------------------------------------------------------------

class _FormReader:
    """The fields a browser would send for the section form of a page (stdlib HTML parser)."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        fields: list[tuple[str, str]] = []
        state = {"select": None, "textarea": None, "text": ""}

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                if tag == "input" and a.get("name") and a.get("type") != "date":
                    if a.get("type") == "radio" and "checked" not in a:
                        return
                    fields.append((a["name"], a.get("value") or ""))
                elif tag == "select":
                    state["select"] = a.get("name")
                elif tag == "option" and state["select"] and "selected" in a:
                    fields.append((state["select"], a.get("value", "")))
                    state["pending"] = "selected" in a and "value" not in a
                elif tag == "textarea":
                    state["textarea"], state["text"] = a.get("name"), ""

            def handle_data(self, data):
                if state["textarea"]:
                    state["text"] += data
                elif state.get("pending"):
                    fields[-1] = (fields[-1][0], fields[-1][1] + data)

            def handle_endtag(self, tag):
                if tag == "textarea" and state["textarea"]:
                    fields.append((state["textarea"], state["text"]))
                    state["textarea"] = None
                elif tag == "select":
                    state["select"] = None
                elif tag == "option":
                    state["pending"] = False

        Parser().feed(html)
        self.fields = fields


def web_timings(tmp: Path, repeat: int) -> dict[str, float]:
    """Medians of (e): one step from a section to the next, and a cold start-up."""
    import http.client
    import signal
    import threading
    from urllib.parse import urlencode

    from drafter.web.run import make_server

    root = tmp / "web"
    (root / "answers").mkdir(parents=True)
    shutil.copy(REPO / "answers" / "udskrivelse-af-skroebelige-aeldre.yaml", root / "answers" / "x.yaml")
    server, guard = make_server(root, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    headers = {"Cookie": f"drafter_token={guard.token}", "Host": f"127.0.0.1:{guard.port}"}
    conn = http.client.HTTPConnection("127.0.0.1", guard.port, timeout=30)  # keep-alive, as a browser

    def call(method: str, path: str, body: bytes | None = None) -> tuple[int, str, str]:
        extra = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        conn.request(method, path, body=body, headers={**headers, **extra})
        reply = conn.getresponse()
        return reply.status, reply.getheader("Location") or "", reply.read().decode("utf-8")

    questionnaire = server.app.open("x").questionnaire
    sections = [s.key for s in questionnaire.sections]

    def is_text(name: str) -> bool:
        parts = name.split(".")
        question = questionnaire.question(".".join(parts[:2]))
        if question is None:
            return False
        if len(parts) == 4 and question.field_named(parts[3]) is not None:
            return question.field_named(parts[3]).type == "text"
        return len(parts) == 2 and question.type in ("text", "paragraphs") or len(parts) == 3 and question.type == "list"

    steps: list[float] = []
    saves: list[float] = []
    try:
        for _ in range(repeat):
            status, _, page = call("GET", f"/k/x/afsnit/{sections[0]}")
            for key in sections:
                fields = [f for f in _FormReader(page).fields if f[0] != "action"]
                # Autosave of one changed field (one more character in the first text), as typing sends it.
                first = next(i for i, (n, v) in enumerate(fields) if v and is_text(n))
                fields[first] = (fields[first][0], fields[first][1] + "!")
                started = time.perf_counter()
                conn.request("POST", f"/k/x/afsnit/{key}", body=urlencode(fields + [("action", "autosave")]).encode(),
                             headers={**headers, "Content-Type": "application/x-www-form-urlencoded",
                                      "Accept": "application/json"})
                reply = conn.getresponse()
                answer = json.loads(reply.read())
                saves.append(time.perf_counter() - started)
                assert answer["saved"] and answer["version"] != dict(fields)["version"], answer
                # Then the button: the same form (its answers are saved already), and the next page.
                fields = [(n, answer["version"]) if n == "version" else (n, v) for n, v in fields]
                fields += [("action", "naeste")]
                started = time.perf_counter()
                status, location, _ = call("POST", f"/k/x/afsnit/{key}", urlencode(fields).encode())
                assert status == 303, (key, status)
                status, _, page = call("GET", location)
                steps.append(time.perf_counter() - started)
                assert status == 200, (location, status)
    finally:
        conn.close()
        server.shutdown()
        server.server_close()

    starts: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "drafter", "serve", "--no-browser", "--port", "0"],
                                   cwd=root, env=env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        url = ""
        for _ in range(5):
            line = process.stdout.readline()
            if line.startswith("Åbn "):
                url = line.split()[1]
                break
        port = int(url.split(":")[2].split("/")[0])
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        probe.request("GET", url.split(str(port), 1)[1])
        probe.getresponse().read()
        probe.close()
        starts.append(time.perf_counter() - started)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
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


def verdict(key: str, ratio: float) -> str:
    target = TARGETS[key]
    if ratio <= target:
        return f"target ≤ {target:g}: met"
    return f"target ≤ {target:g}: MISSED by {ratio / target - 1:.0%}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--files", type=int, default=1000, help="answer files for (c) (default 1000)")
    parser.add_argument("--repeat", type=int, help="repetitions of each measurement (default 7; 3 with --quick)")
    parser.add_argument("--only", default="abcdef", help="which measurements, e.g. --only ab (default abcdef)")
    args = parser.parse_args()
    repeat = args.repeat or (3 if args.quick else 7)
    repeat_c = max(1, repeat // 2) if args.quick else max(3, repeat // 2)
    py = sys.executable
    drafter = [py, "-m", "drafter"]
    repeat_d = max(1, repeat // 2)
    load_before = f"{os.getloadavg()[0]:.2f}"
    results: dict[str, tuple[float, float, float]] = {}
    extra: dict[str, tuple[float, float, float]] = {}
    memory: dict[str, tuple[int, int]] = {}

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
        many = make_answer_files(tmp / "many", args.files if ("c" in args.only or "f" in args.only) else 20)
        if "c" in args.only:
            with open(tmp / "many.pickle", "wb") as f:
                pickle.dump(contexts_for(many), f)

        if "a" in args.only:
            print("(a) one document, cold process", file=sys.stderr)
            ours = [*drafter, "render", str(one), "--out-dir", str(tmp / "out-a")]
            bare = [py, str(tmp / "bare_one.py"), str(plain), str(tmp / "one.pickle"), str(tmp / "out-a-bare" / "x.docx")]
            results["a"] = compare("a", ours, bare, tmp, repeat, tmp / "out-a", tmp / "out-a-bare")
            # The same without the prepared-template cache: a template's very first render.
            os.environ[CACHE_ENV] = "off"
            try:
                extra["a0"] = compare("a, no cache", ours, bare, tmp, repeat, tmp / "out-a", tmp / "out-a-bare")
            finally:
                os.environ[CACHE_ENV] = str(tmp / "cache")

        if "b" in args.only:
            print("(b) --help, cold process", file=sys.stderr)
            results["b"] = compare("b", [*drafter, "--help"], [py, "-c", "pass"], tmp, repeat)

        if "c" in args.only:
            print(f"(c) {args.files} documents", file=sys.stderr)
            ours = [*drafter, "render", str(tmp / "many"), "--out-dir", str(tmp / "out-c")]
            bare = [py, str(tmp / "bare_many.py"), str(plain), str(tmp / "many.pickle"), str(tmp / "out-c-bare")]
            results["c"] = compare("c", ours, bare, tmp, repeat_c, tmp / "out-c", tmp / "out-c-bare")
            memory["drafter"] = peak_memory(ours, tmp, tmp / "out-c")
            memory["docxtpl"] = peak_memory(bare, tmp, tmp / "out-c-bare")

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
            web = web_timings(tmp, repeat)
        status_times: list[float] = []
        if "f" in args.only:
            print(f"(f) drafter status of {args.files} answer files", file=sys.stderr)
            run([*drafter, "render", str(tmp / "many"), "--out-dir", str(tmp / "out-f")], tmp, tmp / "out-f")
            status = [*drafter, "status", str(tmp / "many"), "--out-dir", str(tmp / "out-f")]
            run(status, tmp)  # warm-up
            for i in range(repeat_c):
                status_times.append(run(status, tmp))
                print(f"  f {i + 1}/{repeat_c}: {status_times[-1]:.3f} s", file=sys.stderr)

    labels = {
        "a": "(a) drafter render, 1 document ÷ bare docxtpl",
        "b": "(b) drafter --help ÷ python -c pass",
        "c": f"(c) drafter render DIR, {args.files} documents ÷ docxtpl loop",
        "d": "(d) PDF, 20 documents ÷ 1 document",
    }
    print(f"\nMachine: {machine()}")
    print(f"Medians of {repeat} runs ((c): {repeat_c}, (d): {repeat_d})")
    print(f"Load average before / after: {load_before} / {os.getloadavg()[0]:.2f}")
    bytecode = ("without bytecode files" if "DRAFTER_BENCH_NO_PYC" in os.environ
                else "bytecode compiled once and kept, as after a pip install")
    print(f"Install mode: this checkout on PYTHONPATH, run as `python -m drafter`, {bytecode}\n")
    for key, (ours, theirs, ratio) in results.items():
        print(f"{labels[key]}: {ratio:.2f}  ({verdict(key, ratio)}); medians {ours:.3f} s and {theirs:.3f} s")
        if key == "a" and "a0" in extra:
            ours0, theirs0, ratio0 = extra["a0"]
            print(f"    without the prepared-template cache (a template's first render): "
                  f"{ratio0:.2f}; medians {ours0:.3f} s and {theirs0:.3f} s")
    if status_times:
        median = statistics.median(status_times)
        met = "met" if median < STATUS_TARGET_SECONDS else f"MISSED by {median / STATUS_TARGET_SECONDS - 1:.0%}"
        print(f"(f) drafter status DIR, {args.files} answer files and their documents: median {median:.3f} s "
              f"(target < {STATUS_TARGET_SECONDS:g} s: {met})")
    if memory:
        (largest, tree), (bare_largest, _) = memory["drafter"], memory["docxtpl"]
        print(f"Peak memory of (c): drafter {largest / 1024:.0f} MiB in its largest process, "
              f"{tree / 1024:.0f} MiB all processes together; docxtpl loop {bare_largest / 1024:.0f} MiB")
    web_missed = []
    if "e" in args.only:
        for key, label in (("page", "page to page (send a section, get the next), median"),
                           ("start", "start-up of a cold `drafter serve` until its first page answers, median")):
            met = web[key] < WEB_TARGETS[key]
            web_missed += [] if met else [key]
            print(f"(e) drafter serve, {label}: {web[key] * 1000:.0f} ms "
                  f"(target < {WEB_TARGETS[key] * 1000:.0f} ms: {'met' if met else 'MISSED'})"
                  + (f"; {web['steps']} steps" if key == "page" else ""))
        print(f"(e) drafter serve, autosave of one changed field (check, write the answer file), median: "
              f"{web['save'] * 1000:.0f} ms")
    missed = [k for k, (_, _, ratio) in results.items() if ratio > TARGETS[k]] + web_missed
    if status_times and statistics.median(status_times) >= STATUS_TARGET_SECONDS:
        missed.append("f")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
