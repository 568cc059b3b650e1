"""The prepared-template cache and the hand-written zip: faster, never different."""

from __future__ import annotations

import zipfile

import pytest

from conftest import ADHOC_EXAMPLE, TEMPLATES_DIR, docx_text, run_cli
from drafter import tplcache
from drafter.answers import load_answers
from drafter.render import DocxRenderer, _zip, _zip_with_zipfile, render_document


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(tplcache.CACHE_ENV, str(folder))
    return folder


def test_cached_and_fresh_preparation_give_the_same_document(cache):
    answers = load_answers(ADHOC_EXAMPLE)
    template = TEMPLATES_DIR / "adhoc.docx"
    fresh = render_document(answers, DocxRenderer(template))
    assert len(list(cache.glob("*.bin"))) == 1
    cached = render_document(answers, DocxRenderer(template))
    assert cached == fresh


def test_a_damaged_cache_file_is_ignored_and_replaced(cache):
    answers = load_answers(ADHOC_EXAMPLE)
    template = TEMPLATES_DIR / "adhoc.docx"
    expected = render_document(answers, DocxRenderer(template))
    (entry,) = cache.glob("*.bin")
    entry.write_bytes(tplcache._MAGIC + b"\x00garbage")
    assert render_document(answers, DocxRenderer(template)) == expected
    assert tplcache.load(entry.stem) is not None  # written again, whole


def test_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv(tplcache.CACHE_ENV, "off")
    assert tplcache.cache_dir() is None
    DocxRenderer(TEMPLATES_DIR / "adhoc.docx")
    assert not list(tmp_path.rglob("*.bin"))


def test_cli_renders_with_an_unwritable_cache_folder(workdir):
    blocker = workdir / "ikke-en-mappe"
    blocker.write_text("x")
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", cwd=workdir,
                     env={tplcache.CACHE_ENV: str(blocker / "cache")})
    assert result.returncode == 0, result.stderr
    assert "Kommissorium for" in docx_text(workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx")


def test_hand_written_zip_is_byte_for_byte_what_zipfile_writes():
    with zipfile.ZipFile(TEMPLATES_DIR / "adhoc.docx") as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    entries["word/bilag-æøå.xml"] = "<x>æøå</x>".encode("utf-8")  # a non-ASCII name too
    assert _zip(entries) == _zip_with_zipfile(entries)


def test_the_cache_keeps_only_the_newest_entries(cache):
    import os

    cache.mkdir()
    for i in range(tplcache.MAX_ENTRIES + 5):
        old = cache / f"{i:064x}.bin"
        old.write_bytes(tplcache._MAGIC)
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    DocxRenderer(TEMPLATES_DIR / "adhoc.docx")
    left = list(cache.glob("*.bin"))
    assert len(left) == tplcache.MAX_ENTRIES
    assert not (cache / f"{0:064x}.bin").exists()
