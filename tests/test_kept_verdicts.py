"""`drafter check` keeps its verdict (drafter/verdicts.py) and replays it only while every
input it read is unchanged (drafter/inputs.py). Mostly in-process: cli.main records,
verdicts.replay replays; one real process shows what a replay does not load."""

from __future__ import annotations

import builtins
import io
import marshal
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ANSWERS_DIR, REPO, run_cli
from drafter import cli, privcache, verdicts, workspace

ADHOC = "answers/udskrivelse-af-skroebelige-aeldre.yaml"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(privcache.CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def here(workdir, cache, monkeypatch) -> Path:
    """The example workspace as the current folder, with a cache of its own."""
    monkeypatch.chdir(workdir)
    yield workdir
    workspace.read_afresh()  # the next test reads its own workspace


def fresh(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["check", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def replayed(capsys, *argv: str) -> tuple[int, str, str] | None:
    code = verdicts.replay(["check", *argv])
    out = capsys.readouterr()
    if code is None:
        assert out.out == out.err == ""
        return None
    return code, out.out, out.err


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("check-*.verdict"))


def test_the_replayed_verdict_is_the_fresh_one_for_every_example(here, capsys):
    bad = here / "answers" / "fejl.yaml"
    bad.write_text((ANSWERS_DIR / Path(ADHOC).name).read_text(encoding="utf-8").replace("kind: adhoc\n", "kind: adhoc\nfoo: 1\n"),
                   encoding="utf-8")
    runs = [[f"answers/{p.name}"] for p in sorted((here / "answers").glob("*.yaml"))]
    runs += [["--strict", ADHOC, "answers/fejl.yaml"], ["answers"], ["--draft-ok", "answers/"]]
    for argv in runs:
        first = fresh(capsys, *argv)
        assert replayed(capsys, *argv) == first, argv
    failed = fresh(capsys, "answers/fejl.yaml")
    assert failed[0] == 1 and "ukendt felt" in failed[1] + failed[2]
    assert replayed(capsys, "answers/fejl.yaml") == failed


def _kind_override(root: Path) -> None:
    (root / "kinds").mkdir(exist_ok=True)
    shutil.copy(REPO / "drafter" / "kinds" / "adhoc.yaml", root / "kinds" / "adhoc.yaml")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# Each change makes the verdict another one; the replay must see it.
CHANGES = {
    "answer file": lambda root: _edit(root / ADHOC, "  dato: ", "  dato: 31-02-2027 #"),
    "kind file in the workspace": lambda root: _edit(root / "kinds" / "adhoc.yaml", "key: nedsat_af", "key: nedsat_aff"),
    "a new kind file hides the built-in one": lambda root: (root / "kinds" / "adhoc.yaml").write_text(
        "kind: adhoc\nname: x\ndescription: x\nschema_version: 1\nsections: []\n", encoding="utf-8"),
    "profile (drafter.yaml)": lambda root: (root / "drafter.yaml").write_text("profil: neutral\n", encoding="utf-8"),
    "no workspace any more": lambda root: (root / "drafter.yaml").unlink(),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_changed_input_means_a_fresh_check_with_the_new_verdict(here, capsys, change):
    # A body the workspace's profile does not let commission groups: an error there, not without it.
    _edit(here / ADHOC, "  nedsat_af: Voksentemagruppen for somatik", "  nedsat_af: Et helt andet udvalg")
    if change == "kind file in the workspace":
        _kind_override(here)
    elif change == "a new kind file hides the built-in one":
        (here / "kinds").mkdir(exist_ok=True)
    before = fresh(capsys, ADHOC)
    assert replayed(capsys, ADHOC) == before
    CHANGES[change](here)
    assert replayed(capsys, ADHOC) is None
    after = fresh(capsys, ADHOC)
    assert after != before
    assert replayed(capsys, ADHOC) == after


def test_a_changed_names_file_means_a_fresh_check(here, capsys, monkeypatch, tmp_path):
    names = tmp_path / "names"
    shutil.copytree(workspace.NAMES_DIR, names)
    monkeypatch.setattr(workspace, "NAMES_DIR", names)
    before = fresh(capsys, ADHOC)
    assert replayed(capsys, ADHOC) == before
    (names / "mere.yaml").write_text("navne:\n  - navn: Voksentemagruppen for somatik\n    til: 2020-01-01\n",
                                     encoding="utf-8")
    assert replayed(capsys, ADHOC) is None
    assert fresh(capsys, ADHOC) != before


def test_other_settings_and_folders_are_other_verdicts(here, capsys, monkeypatch):
    fresh(capsys, ADHOC)
    monkeypatch.setenv("DRAFTER_KINDS_PATH", str(here))
    assert replayed(capsys, ADHOC) is None
    monkeypatch.delenv("DRAFTER_KINDS_PATH")
    monkeypatch.chdir(here / "answers")
    assert replayed(capsys, Path(ADHOC).name) is None


def test_drafters_code_is_part_of_the_key(here, capsys, monkeypatch):
    fresh(capsys, ADHOC)
    stamp = verdicts._code_stamp()
    assert any(name == "rules.py" for _, name, _, _ in stamp) and any(name == "__init__.py" and "yaml" in folder
                                                                      for folder, name, _, _ in stamp)
    changed = tuple((f, n, size + (n == "rules.py"), mtime) for f, n, size, mtime in stamp)
    monkeypatch.setattr(verdicts, "_code_stamp", lambda: changed)
    assert replayed(capsys, ADHOC) is None


def test_what_could_not_be_read_is_never_kept(here, cache, capsys):
    assert fresh(capsys, "answers/findes-ikke.yaml")[0] == 1
    os.mkfifo(here / "answers" / "fifo.yaml")
    code, out, err = fresh(capsys, "answers/fifo.yaml")
    assert code == 1 and "FIFO" in err
    big = here / "answers" / "stor.yaml"
    big.write_bytes(b"kind: adhoc\n" + b"#" * 1_100_000)
    assert fresh(capsys, "answers/stor.yaml")[0] == 1
    assert entries(cache) == []
    for name in ("findes-ikke.yaml", "fifo.yaml", "stor.yaml"):
        assert replayed(capsys, f"answers/{name}") is None


@pytest.mark.parametrize("argv", [["check", ADHOC], ["check", "--strict", "a.yaml", "answers/"],
                                  ["check", "--draft-ok", "a.yaml", "b.yml", "--strict"], ["check", "a", "--strict"]])
def test_a_plain_check_is_read_as_argparse_reads_it(argv):
    assert verdicts.plain_check(argv)
    expected, extra = cli.build_parser().parse_known_args(argv)
    assert not extra and vars(cli.plain_check_arguments(argv)) == vars(expected)


def test_only_the_plain_form_is_kept(here, cache, capsys):
    assert not verdicts.plain_check(["check"])
    assert not verdicts.plain_check(["check", "--fix", ADHOC])
    assert not verdicts.plain_check(["check", "--list-rules"])
    assert not verdicts.plain_check(["check", "--workspace", ".", ADHOC])
    assert not verdicts.plain_check(["check", "--stri", ADHOC])  # argparse's abbreviation: not ours to read
    assert not verdicts.plain_check(["check", "a.yaml", "--strict", "b.yaml"])  # a usage error
    with pytest.raises(SystemExit) as usage:
        cli.main(["check", ADHOC, "--strict", ADHOC])
    assert usage.value.code == 2 and "ukendte argumenter" in capsys.readouterr().err
    assert not verdicts.plain_check(["render", ADHOC])
    assert verdicts.plain_check(["check", ADHOC, "--strict", "--draft-ok"])
    fix = here / "answers" / "fix.yaml"
    shutil.copy(here / ADHOC, fix)
    assert cli.main(["check", "--fix", "answers/fix.yaml"]) in (0, 1)
    capsys.readouterr()
    assert entries(cache) == []


def _damage(entry: Path, how: str) -> None:
    data = entry.read_bytes()
    if how == "a flipped byte":
        entry.write_bytes(data[:-3] + bytes([data[-3] ^ 1]) + data[-2:])
    elif how == "cut short":
        entry.write_bytes(data[: len(data) // 2])
    elif how == "huge":
        with open(entry, "wb") as handle:
            handle.truncate(verdicts._MAX_BYTES + 1)
    elif how == "a FIFO":
        entry.unlink()
        os.mkfifo(entry)
    elif how == "not a verdict":
        entry.write_bytes(privcache.envelope(verdicts._MAGIC, marshal.dumps(("check", ["x"], 0))))
    elif how == "nested too deep":
        entry.write_bytes(privcache.envelope(verdicts._MAGIC, b"(\x01\x00\x00\x00" * 200_000 + b"N"))
    elif how == "a note of another shape":
        notes, writes, code = marshal.loads(privcache.read_entry(entry.name, verdicts._MAGIC, verdicts._MAX_BYTES))
        entry.write_bytes(privcache.envelope(verdicts._MAGIC, marshal.dumps(((("read", "x"),) + notes, writes, code))))


@pytest.mark.parametrize("how", ["a flipped byte", "cut short", "huge", "a FIFO", "not a verdict", "nested too deep",
                                 "a note of another shape"])
def test_a_damaged_entry_is_ignored(here, cache, capsys, how):
    first = fresh(capsys, ADHOC)
    [entry] = entries(cache)
    _damage(entry, how)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(replayed(capsys, ADHOC)), daemon=True)
    worker.start()
    worker.join(30)
    assert result == [None], "a damaged entry was replayed (or the replay hung)"
    if how != "a FIFO":
        assert fresh(capsys, ADHOC) == first


def test_a_cache_that_cannot_be_written_changes_nothing(here, capsys, monkeypatch):
    blocked = here / "not-a-folder"
    blocked.write_text("x")
    monkeypatch.setenv(privcache.CACHE_ENV, str(blocked))
    first = fresh(capsys, ADHOC)
    assert first[0] == 0 and "i orden" in first[1]
    assert replayed(capsys, ADHOC) is None


def test_every_file_a_fresh_check_looks_at_is_noted(tmp_path, cache, capsys, monkeypatch):
    """Watch every stat, listing, open and link resolution of a fresh check (a workspace with
    kinds of its own, DRAFTER_KINDS_PATH, a folder argument, a draft, a kind that extends
    another): each path is one the kept verdict looks at again."""
    root = tmp_path / "ws"
    shutil.copytree(ANSWERS_DIR, root / "answers")
    shutil.copy(REPO / "drafter.yaml", root / "drafter.yaml")
    (root / "kinds").mkdir()
    (root / "kinds" / "egen.yaml").write_text("kind: egen\nextends: adhoc\nname: Egen\ndescription: x\n", encoding="utf-8")
    extra = tmp_path / "flere-typer"
    extra.mkdir()
    (extra / "andet.yaml").write_text("kind: andet\nextends: arbejdsgruppe\nname: Andet\ndescription: x\n", encoding="utf-8")
    monkeypatch.setenv("DRAFTER_KINDS_PATH", str(extra))
    egen = root / "egen.yaml"
    egen.write_text((root / ADHOC).read_text(encoding="utf-8").replace("kind: adhoc", "kind: egen"), encoding="utf-8")
    draft = root / "kladde.yaml"
    draft.write_text("kind: andet\nschema_version: 1\ncomplete: false\n", encoding="utf-8")
    monkeypatch.chdir(root / "answers")
    workspace.read_afresh()

    seen: list[tuple[str, str]] = []
    resolving_now = [0]

    def watch(name, original, resolving=False):
        def watched(path, *args, **kwargs):
            if not resolving_now[0] and not isinstance(path, int):
                seen.append((name, os.path.abspath(os.fsdecode(path))))
            if resolving:  # realpath's own lstats of each step are the resolution itself
                resolving_now[0] += 1
                try:
                    return original(path, *args, **kwargs)
                finally:
                    resolving_now[0] -= 1
            return original(path, *args, **kwargs)
        return watched

    with pytest.MonkeyPatch.context() as watching:
        for name in ("stat", "lstat", "listdir", "scandir", "open"):
            watching.setattr(os, name, watch(name, getattr(os, name)))
        watching.setattr(io, "open", watch("io.open", io.open))
        watching.setattr(builtins, "open", watch("open()", builtins.open))
        watching.setattr(os.path, "realpath", watch("realpath", os.path.realpath, resolving=True))
        # Path.resolve() is realpath and a stat of its result (for a loop): one resolution.
        watching.setattr(Path, "resolve", watch("realpath", Path.resolve, resolving=True))
        code = cli.main(["check", "--draft-ok", ".", "../egen.yaml", "../kladde.yaml"])
    out = capsys.readouterr()
    assert code == 0, out
    assert any(name == "open" and path.endswith("egen.yaml") for name, path in seen)  # the watch saw the reads
    [entry] = entries(cache)
    notes = marshal.loads(privcache.read_entry(entry.name, verdicts._MAGIC, verdicts._MAX_BYTES))[0]
    noted = {(note[0] == "resolved", os.path.abspath(os.path.join(str(root / "answers"), note[1]))) for note in notes}
    code_folders = tuple(folder for folder, _, _, _ in verdicts._code_stamp())
    missed = sorted({
        (name, path) for name, path in seen
        if not path.startswith(str(cache)) and path != str(cache.parent)  # the caches' own files (and their folder's)
        and not (path.startswith(code_folders) and path.endswith((".py", ".pyc", ".so")) or path in code_folders)
        and (name == "realpath", path) not in noted
    })
    assert not missed, "looked at by a fresh check, not noted (drafter.inputs):\n" + "\n".join(map(str, missed))
    assert any(note[0] == "read" and note[1].endswith("andet.yaml") for note in notes)
    assert verdicts.replay(["check", "--draft-ok", ".", "../egen.yaml", "../kladde.yaml"]) == 0
    assert capsys.readouterr().out == out.out
    workspace.read_afresh()


def test_a_replay_loads_neither_argparse_nor_the_checks(workdir, tmp_path):
    """The real command twice: the second prints the same, exits the same, and loads nothing
    of argparse, dataclasses, pathlib, PyYAML or drafter's kinds and rules."""
    probe = (
        "import sys\n"
        "from drafter.__main__ import main\n"
        "code = main()\n"
        "heavy = ('argparse', 'dataclasses', 'pathlib', 'typing', 'hashlib', 'yaml', 'drafter.questionnaire', 'drafter.rules',"
        " 'drafter.cli')\n"
        "print('LOADED', [m for m in heavy if m in sys.modules], file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    bad = workdir / "answers" / "fejl.yaml"
    bad.write_text((workdir / ADHOC).read_text(encoding="utf-8").replace("kind: adhoc\n", "kind: adhoc\nfoo: 1\n"),
                   encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8", privcache.CACHE_ENV: str(tmp_path / "c")}
    runs = [subprocess.run([sys.executable, "-c", probe, "check", ADHOC, "answers/fejl.yaml"], cwd=workdir, env=env,
                           capture_output=True, text=True, timeout=120) for _ in range(2)]
    first, second = runs
    assert first.returncode == second.returncode == 1, first.stderr
    assert "ukendt felt" in first.stdout + first.stderr and "drafter.rules" in first.stderr
    assert second.stdout == first.stdout
    assert "LOADED []" in second.stderr and second.stderr.split("LOADED")[0] == first.stderr.split("LOADED")[0], second.stderr
    # And the `drafter` command's own way in, as a user runs it (python -m drafter).
    again = run_cli("check", ADHOC, cwd=workdir, env={privcache.CACHE_ENV: str(tmp_path / "c")}, fresh=True)
    assert again.returncode == 0 and again.stdout == f"{ADHOC}: i orden\n"
