"""Parsed YAML kept between runs (drafter.yamlread.parse_file_bytes): faster, never different."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ADHOC_EXAMPLE, EXAMPLES, REPO, run_cli
from drafter import privcache, yamlread
from drafter.errors import AnswerFileError
from drafter.questionnaire import BUILTIN_KINDS_DIR
from drafter.workspace import PROFILES_DIR

FILES = [*EXAMPLES, *sorted(BUILTIN_KINDS_DIR.glob("*.yaml")), *sorted(PROFILES_DIR.glob("*.yaml"))]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(privcache.CACHE_ENV, str(folder))
    monkeypatch.setattr(yamlread, "_parsed_stores", 0)
    monkeypatch.setattr(yamlread, "_PARSED_STORES_PER_PROCESS", 10_000)
    return folder


def _entries(folder):
    return sorted(folder.glob("yaml-*.parsed"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_kept_parse_is_the_fresh_parse_and_needs_no_yaml(path, cache, monkeypatch):
    raw = path.read_bytes()
    fresh = yamlread.parse_answer_text(raw, str(path))
    first = yamlread.parse_file_bytes(raw, str(path))  # parsed, and kept
    assert len(_entries(cache)) == 1

    def no_parsing(*args, **kwargs):
        raise AssertionError("a kept file is not parsed again")

    monkeypatch.setattr(yamlread, "parse_answer_text", no_parsing)
    kept = yamlread.parse_file_bytes(raw, "another/name.yaml")
    for parsed in (first, kept):
        assert parsed.data == fresh.data and parsed.lines == fresh.lines and parsed.raw == raw
    assert kept.path == "another/name.yaml"  # the name is the reader's, not the cache's


def test_a_damaged_or_foreign_entry_is_never_decoded(cache):
    raw = ADHOC_EXAMPLE.read_bytes()
    expected = yamlread.parse_answer_text(raw, "x").data
    yamlread.parse_file_bytes(raw, "x")
    (entry,) = _entries(cache)
    # marshal of "(" repeated asks for gigabytes: the digest stops it before marshal sees it.
    entry.write_bytes(yamlread._PARSED_MAGIC + b"\0" * 32 + b"(" * 1000)
    assert yamlread.parse_file_bytes(raw, "x").data == expected
    # Right digest, wrong shape (another cache's content): not used either.
    entry.write_bytes(privcache.envelope(yamlread._PARSED_MAGIC, __import__("marshal").dumps(["not", "a", "parse"])))
    assert yamlread.parse_file_bytes(raw, "x").data == expected


def test_a_file_with_a_problem_is_not_kept_and_fails_every_time(cache):
    raw = b"kind: adhoc\nkind: adhoc\n"
    for _ in range(2):
        with pytest.raises(AnswerFileError, match="står to gange"):
            yamlread.parse_file_bytes(raw, "dobbelt.yaml")
    assert _entries(cache) == []


def test_a_process_keeps_only_a_few_new_parses(cache, monkeypatch):
    # A batch of thousands writes no more than this; a command on one file, all it reads.
    monkeypatch.setattr(yamlread, "_PARSED_STORES_PER_PROCESS", 3)
    for i in range(6):
        yamlread.parse_file_bytes(f"kind: adhoc\nnr: {i}\n".encode(), f"{i}.yaml")
    assert len(_entries(cache)) == 3


def test_cache_off_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(privcache.CACHE_ENV, "off")
    assert yamlread.parse_file_bytes(ADHOC_EXAMPLE.read_bytes(), "x").data["kind"] == "adhoc"
    assert not list(tmp_path.rglob("*.parsed"))


def test_a_second_check_of_an_unchanged_file_loads_no_yaml(workdir, tmp_path):
    """The cold `drafter check` and `render` of files read before: no PyYAML, same verdict."""
    probe = (
        "import sys\n"
        "from drafter.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print('YAML', 'yaml' in sys.modules, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8",
           privcache.CACHE_ENV: str(tmp_path / "cache")}
    answers = f"answers/{ADHOC_EXAMPLE.name}"
    runs = [subprocess.run([sys.executable, "-c", probe, "check", answers], cwd=workdir, env=env,
                           capture_output=True, text=True, timeout=120) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert "YAML True" in runs[0].stderr and "YAML False" in runs[1].stderr
    assert runs[0].stdout == runs[1].stdout and "i orden" in runs[1].stdout
    # An edit is a new file: parsed (and reported) afresh.
    path = workdir / answers
    path.write_text(path.read_text(encoding="utf-8").replace("kind: adhoc\n", "kind: adhoc\nkind: adhoc\n"), encoding="utf-8")
    edited = run_cli("check", answers, cwd=workdir, env={privcache.CACHE_ENV: str(tmp_path / "cache")})
    assert edited.returncode != 0 and "står to gange" in edited.stderr + edited.stdout
