"""The prepared-template cache and the hand-written zip: faster, never different."""

from __future__ import annotations

import zipfile

import pytest

from conftest import ADHOC_EXAMPLE, FULL_LAYOUT_TEMPLATE, docx_text, run_cli
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
    template = FULL_LAYOUT_TEMPLATE
    fresh = render_document(answers, DocxRenderer(template))
    from drafter.render import _property_cache_key

    # One entry for the template (and one for the compiled document properties, if new).
    assert len({entry.stem for entry in cache.glob("*.bin")} - {_property_cache_key()}) == 1
    cached = render_document(answers, DocxRenderer(template))
    assert cached == fresh


def test_a_damaged_cache_file_is_ignored_and_replaced(cache):
    answers = load_answers(ADHOC_EXAMPLE)
    template = FULL_LAYOUT_TEMPLATE
    expected = render_document(answers, DocxRenderer(template))
    from drafter.render import _property_cache_key

    (entry,) = (entry for entry in cache.glob("*.bin") if entry.stem != _property_cache_key())
    entry.write_bytes(tplcache._MAGIC + b"\x00garbage")
    assert render_document(answers, DocxRenderer(template)) == expected
    assert tplcache.load(entry.stem) is not None  # written again, whole


def test_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv(tplcache.CACHE_ENV, "off")
    assert tplcache.cache_dir() is None
    DocxRenderer(FULL_LAYOUT_TEMPLATE)
    assert not list(tmp_path.rglob("*.bin"))


def test_cli_renders_with_an_unwritable_cache_folder(workdir):
    blocker = workdir / "ikke-en-mappe"
    blocker.write_text("x")
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", cwd=workdir,
                     env={tplcache.CACHE_ENV: str(blocker / "cache")})
    assert result.returncode == 0, result.stderr
    assert "Kommissorium for" in docx_text(workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx")


def test_hand_written_zip_is_byte_for_byte_what_zipfile_writes():
    with zipfile.ZipFile(FULL_LAYOUT_TEMPLATE) as archive:
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
    DocxRenderer(FULL_LAYOUT_TEMPLATE)
    left = list(cache.glob("*.bin"))
    assert len(left) == tplcache.MAX_ENTRIES
    assert not (cache / f"{0:064x}.bin").exists()


# -- the cache runs what it loads, so it is private (issue 10 item 5) --------------------

import marshal
import os
import stat
import sys

ADHOC_TEMPLATE = FULL_LAYOUT_TEMPLATE


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


# -- docxtpl's post-processing, done by drafter ---------------------------------------------

class DocxtplPathRenderer(DocxRenderer):
    """drafter's renderer as it was: docxtpl's own resolve_listing, fix_tables and
    fix_docpr_ids after Jinja (the reference the faster path must equal, byte for byte)."""

    def _finish_xml(self, xml: str) -> str:
        return self._docxtpl.resolve_listing(super()._finish_xml(xml))

    def _body_tree(self, body_xml: str):
        from drafter.tablefit import fit_tables

        self._check_xml(self._main_part, body_xml)
        tree = self._docxtpl.fix_tables(body_xml)
        fit_tables(tree)
        self._docxtpl.docx_ids_index = 1000
        self._docxtpl.fix_docpr_ids(tree)
        return tree

    @property
    def _docxtpl(self):
        from docxtpl import DocxTemplate

        if not hasattr(self, "_reference"):
            self._reference = DocxTemplate(self.template_path)
        return self._reference


def _every_example():
    from conftest import REPO

    return sorted((REPO / "answers").glob("*.yaml"))


@pytest.mark.parametrize("example", _every_example(), ids=lambda p: p.stem)
def test_drafters_post_processing_writes_what_docxtpls_writes(example, cache, monkeypatch):
    from drafter import render

    answers = load_answers(example)
    template = answers.questionnaire.template_path
    # The reference gets the text before drafter's listing: resolve_listing is made the identity.
    reference = DocxtplPathRenderer(template)
    with monkeypatch.context() as patched:
        patched.setattr(render, "resolve_listing", lambda xml: xml)
        expected = render_document(answers, reference)
    assert render_document(answers, DocxRenderer(template)) == expected


LISTING_CASES = [
    "<w:p><w:r><w:t>plain</w:t></w:r></w:p>",
    '<w:p><w:pPr><w:pStyle w:val="Liste"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">a\tb\x07c\nd\x0ce</w:t></w:r></w:p>',
    "<w:p><w:r><w:t>one</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>two\nlines</w:t><w:tab/><w:t>x\ty</w:t></w:r></w:p>"
    "<w:p><w:r><w:t>untouched\x07</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>in\x07cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
    "\n<w:p>\n</w:p><w:p><w:r><w:t>\t</w:t></w:r></w:p>",
]


@pytest.mark.parametrize("xml", LISTING_CASES)
def test_resolve_listing_is_docxtpls(xml):
    from docxtpl import DocxTemplate

    from drafter.render import resolve_listing

    assert resolve_listing(xml) == DocxTemplate(FULL_LAYOUT_TEMPLATE).resolve_listing(xml)


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
WP_NS = 'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'


def _table(grid: list[int], rows: list[list[int]]) -> str:
    """A table with *grid* column widths and rows of cells (each cell's gridSpan)."""
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid)
    body = "".join(
        "<w:tr>" + "".join(
            "<w:tc>" + (f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else "") + "<w:p/></w:tc>"
            for span in row) + "</w:tr>"
        for row in rows)
    return f"<w:tbl><w:tblGrid>{cols}</w:tblGrid>{body}</w:tbl>"


GRID_CASES = [
    _table([3000, 3000], [[1, 1], [1, 1]]),  # as it should be
    _table([3000, 3000], [[1, 1, 1], [1, 1]]),  # a column loop added a cell
    _table([2000, 2000, 2000, 2000], [[1, 1], [2, 1]]),  # ... or took cells away
    _table([1000, 1000, 1000], [[1, 1, 1, 1, 1]]) + _table([5000], [[1]]),
    f'<w:p><w:r><w:drawing><wp:inline><wp:docPr id="7" name="a"/></wp:inline></w:drawing></w:r></w:p>'
    f'<w:p><w:r><w:drawing><wp:anchor><wp:docPr id="7" name="b"/></wp:anchor></w:drawing></w:r></w:p>',
]


@pytest.mark.parametrize("inner", GRID_CASES)
def test_table_grids_and_drawing_ids_are_docxtpls(inner):
    from docxtpl import DocxTemplate
    from lxml import etree

    from drafter.render import fix_table_grids, number_drawings

    xml = f"<w:body {W_NS} {WP_NS}>{inner}</w:body>"
    tpl = DocxTemplate(FULL_LAYOUT_TEMPLATE)
    expected = tpl.fix_tables(xml)
    tpl.docx_ids_index = 1000
    tpl.fix_docpr_ids(expected)
    ours = etree.fromstring(xml)
    fix_table_grids(ours)
    number_drawings(ours)
    assert etree.tostring(ours) == etree.tostring(expected)


def test_a_cache_hit_renders_without_docxtpl_or_python_docx_and_writes_the_same_bytes(workdir, tmp_path):
    """The cold `drafter render` of a prepared template: Jinja on the cached code, drafter's
    own post-processing and zip; docxtpl (and python-docx beneath it) only prepare. Neither
    loads dataclasses (drafter's data classes are plain: drafter.plain)."""
    probe = (
        "import sys\n"
        "from drafter.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in ('docx', 'docxtpl')), file=sys.stderr)\n"
        "print('DATACLASSES', 'dataclasses' in sys.modules, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = {tplcache.CACHE_ENV: str(tmp_path / "cache")}
    outputs = []
    for run in ("miss", "hit"):
        result = _run_probe(probe, ["render", f"answers/{ADHOC_EXAMPLE.name}", "--out-dir", run], workdir, env)
        assert result.returncode == 0, result.stderr
        outputs.append((result.stderr, (workdir / run / f"{ADHOC_EXAMPLE.stem}.docx").read_bytes()))
    (miss_log, miss_bytes), (hit_log, hit_bytes) = outputs
    assert "'docxtpl'" in miss_log  # preparing: docxtpl's tag clean-up
    assert "LOADED []" in hit_log
    assert "DATACLASSES False" in miss_log and "DATACLASSES False" in hit_log
    assert hit_bytes == miss_bytes


def _run_probe(probe: str, args: list[str], cwd, env: dict[str, str]):
    import os
    import subprocess
    import sys

    from conftest import REPO

    full = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8", **env}
    return subprocess.run([sys.executable, "-c", probe, *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=120)
