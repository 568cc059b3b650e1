"""The prepared-template cache and the hand-written zip: faster, never different."""

from __future__ import annotations

import zipfile

import pytest

from conftest import ADHOC_EXAMPLE, TEMPLATES_DIR, docx_text, run_cli
from drafter import privcache, tplcache
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


# -- the cache runs what it loads, so it is private (issue 10 item 5) --------------------

import marshal
import os
import stat
import sys

ADHOC_TEMPLATE = TEMPLATES_DIR / "adhoc.docx"


def _plant(cache, marker):
    """Replace the adhoc template's entry by code that leaves *marker* behind; return the entry."""
    DocxRenderer(ADHOC_TEMPLATE)  # a real entry first: its parts are the ones the renderer wants
    key = tplcache.cache_key(ADHOC_TEMPLATE.read_bytes())
    parts = tplcache.load(key)
    assert parts, "the real entry should load"
    evil = compile(f"open({str(marker)!r}, 'w').write('kørt')", "planted", "exec")
    entry = cache / f"{key}.bin"
    entry.unlink()
    entry.write_bytes(tplcache.entry_bytes({part: evil for part in parts}))
    os.chmod(entry, 0o600)
    return entry


def _prepare_ran_planted_code(marker) -> bool:
    try:
        DocxRenderer(ADHOC_TEMPLATE)
    except Exception:
        pass  # the planted code is no template; what matters is whether it ran
    return marker.exists()


def test_the_cache_folder_is_created_private_and_entries_are_the_users_alone(cache):
    DocxRenderer(ADHOC_TEMPLATE)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    (entry,) = cache.glob("*.bin")
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_a_planted_entry_of_the_users_own_runs_which_is_why_the_checks_below_matter(cache, tmp_path):
    marker = tmp_path / "ran"
    _plant(cache, marker)
    assert _prepare_ran_planted_code(marker)


@pytest.mark.parametrize("how", ["other-owner", "group-writable", "folder-open-to-all", "symlink", "too-big"])
def test_an_entry_that_is_not_private_is_never_run(cache, tmp_path, monkeypatch, how):
    marker = tmp_path / "ran"
    entry = _plant(cache, marker)
    if how == "other-owner":
        os.chown(entry, os.geteuid() + 4242, -1)  # tests run as root, so this works
    elif how == "group-writable":
        os.chmod(entry, 0o620)
    elif how == "folder-open-to-all":
        os.chmod(cache, 0o777)
    elif how == "symlink":  # a link to an entry that would pass every check
        real = tmp_path / "elsewhere.bin"
        entry.rename(real)
        entry.symlink_to(real)
    elif how == "too-big":
        monkeypatch.setattr(tplcache, "MAX_ENTRY_BYTES", entry.stat().st_size - 1)
    assert not _prepare_ran_planted_code(marker)
    # and the document is still rendered as always
    answers = load_answers(ADHOC_EXAMPLE)
    assert render_document(answers, DocxRenderer(ADHOC_TEMPLATE))


@pytest.mark.parametrize("special", ["fifo", "dev-zero"])
def test_a_fifo_or_device_entry_neither_hangs_nor_fills_memory(workdir, special):
    cache = workdir / "cache"
    cache.mkdir(mode=0o700)
    entry = cache / f"{tplcache.cache_key(ADHOC_TEMPLATE.read_bytes())}.bin"
    if special == "fifo":
        os.mkfifo(entry, 0o600)
    else:
        try:
            os.mknod(entry, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # what /dev/zero is
        except OSError:
            pytest.skip("this kernel/container does not allow device nodes")
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", cwd=workdir,
                     env={tplcache.CACHE_ENV: str(cache)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Kommissorium for" in docx_text(workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx")


def test_platform_cache_folders(monkeypatch, tmp_path):
    monkeypatch.delenv(tplcache.CACHE_ENV, raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "AppData" / "Local"))
    assert tplcache.cache_dir() == tmp_path / "AppData" / "Local" / "drafter" / "Cache"
    # Windows cannot tell who owns a file: a folder named in the environment is not trusted.
    monkeypatch.setattr(privcache, "_CAN_CHECK_OWNER", False)
    monkeypatch.setenv(tplcache.CACHE_ENV, str(tmp_path / "delt"))
    assert tplcache.cache_dir() is None
    monkeypatch.delenv(tplcache.CACHE_ENV)
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert tplcache.cache_dir() == tmp_path / "Library" / "Caches" / "drafter"
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert tplcache.cache_dir() == tmp_path / "xdg" / "drafter"
