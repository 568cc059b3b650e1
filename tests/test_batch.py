"""Many answer files at once, PDFs and previews, and what `drafter --help` imports."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drafter.pdf import OWN_FILES

from conftest import ADHOC_EXAMPLE, REPO, assert_clean_failure, docx_text, has_soffice, run_cli
from drafter.batch import FAILED, UNCHANGED, WRITTEN, expand_paths, render_batch
from drafter.progress import ProgressBar

BAD_YAML = "kind: adhoc\nschema_version: 1\ngruppe:\n  navn: [\n"


def _many(workdir: Path, count: int) -> list[Path]:
    """count copies of the example, each with its own group name, in workdir/answers."""
    source = ADHOC_EXAMPLE.read_text(encoding="utf-8")
    paths = []
    for i in range(count):
        path = workdir / "answers" / f"gruppe-{i:02d}.yaml"
        path.write_text(source.replace("udskrivelse af skrøbelige ældre", f"udskrivelse nr. {i}", 1), encoding="utf-8")
        paths.append(path)
    return paths


def test_folder_with_one_bad_file_renders_the_others_and_names_the_bad_one(workdir):
    _many(workdir, 6)
    (workdir / "answers" / "ødelagt.yaml").write_text(BAD_YAML, encoding="utf-8")
    (workdir / "answers" / "noter.txt").write_text("ikke en svarfil", encoding="utf-8")

    good = len(list((workdir / "answers").glob("*.yaml"))) - 1

    result = run_cli("render", "answers", cwd=workdir)

    assert_clean_failure(result, "fejlet: answers/ødelagt.yaml", "answers/ødelagt.yaml:5: YAML-fejl")
    assert result.returncode == 1
    assert f"Færdig: {good} skrevet, 0 uændret, 1 fejlet i out." in result.stdout
    written = sorted(p.name for p in (workdir / "out").iterdir())
    assert len(written) == good and "ødelagt.docx" not in written and "noter.docx" not in written
    assert "udskrivelse nr. 3" in docx_text(workdir / "out" / "gruppe-03.docx")
    assert "\r" not in result.stderr  # no progress bar when stderr is not a terminal

    again = run_cli("render", "answers", cwd=workdir)
    assert again.returncode == 1
    assert f"Færdig: 0 skrevet, {good} uændret, 1 fejlet i out." in again.stdout


def test_two_files_one_bad_without_a_pool(workdir):
    (workdir / "answers" / "ødelagt.yaml").write_text(BAD_YAML, encoding="utf-8")
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "answers/ødelagt.yaml", "--out-dir", "ud", cwd=workdir)
    assert_clean_failure(result, "fejlet: answers/ødelagt.yaml", "1 skrevet, 0 uændret, 1 fejlet i ud.")
    assert (workdir / "ud" / f"{ADHOC_EXAMPLE.stem}.docx").is_file()


def test_render_batch_in_a_pool_keeps_order_and_isolates_failures(workdir):
    paths = _many(workdir, 5)
    bad = workdir / "answers" / "ødelagt.yaml"
    bad.write_text(BAD_YAML, encoding="utf-8")
    paths.insert(2, bad)
    paths.append(workdir / "answers" / "findes-ikke.yaml")
    outputs = [workdir / "out" / f"{p.stem}.docx" for p in paths]
    seen = []

    outcomes = render_batch(paths, outputs, progress=lambda done, total: seen.append((done, total)), workers=2)

    assert [o.answers_path for o in outcomes] == paths
    assert [o.status for o in outcomes] == [WRITTEN] * 2 + [FAILED] + [WRITTEN] * 3 + [FAILED]
    # An outcome carries the lines that are printed (file, line, message), not the file's line map.
    assert outcomes[2].lines[0].startswith(f"{bad}:") and "YAML-fejl" in outcomes[2].lines[0]
    assert "filen findes ikke" in outcomes[-1].lines[0]
    assert all(isinstance(line, str) for o in outcomes for line in (*o.lines, *o.warnings))
    assert seen[-1] == (7, 7)
    assert all(o.output.is_file() for o in outcomes if o.status == WRITTEN)
    again = render_batch(paths[:2], outputs[:2], workers=2)
    assert [o.status for o in again] == [UNCHANGED, UNCHANGED]


def test_a_draft_passed_over_is_read_once_and_said_as_check_says_it(workdir, monkeypatch, capsys):
    """The line for a draft comes from the one read that found it a draft, and its command
    is quoted to be typed, as `drafter check` quotes it."""
    import drafter.yamlread
    from drafter import cli
    from drafter.batch import SKIPPED, draft_lines
    from drafter.shellquote import quote

    draft = workdir / "answers" / "kladde om søvn.yaml"
    draft.write_text(ADHOC_EXAMPLE.read_text(encoding="utf-8").replace("schema_version: 1\n", "schema_version: 1\ncomplete: false\n"),
                     encoding="utf-8")
    reads = []  # every open of a YAML file drafter reads (answer files, kinds, profiles)
    opener = drafter.yamlread._nonblocking
    monkeypatch.setattr(drafter.yamlread, "_nonblocking", lambda path, flags: reads.append(path) or opener(path, flags))
    outcomes = render_batch([draft], [workdir / "out" / "kladde.docx"], workers=1, skip_drafts=True)
    assert [o.status for o in outcomes] == [SKIPPED]
    assert draft_lines(outcomes) == [
        f"kladde, springes over: {draft} (gør den færdig med: drafter new adhoc --resume {quote(draft)})"
    ]
    assert reads.count(str(draft)) == 1
    assert not (workdir / "out").exists()
    monkeypatch.setattr(cli.gc, "set_threshold", lambda *thresholds: None)  # a command's, not a test run's
    assert cli.main(["check", "--draft-ok", str(draft)]) == 0
    assert f"gør den færdig med: drafter new adhoc --resume {quote(draft)})" in capsys.readouterr().out


def test_two_answer_files_for_the_same_document_do_not_overwrite_each_other(workdir):
    other = workdir / "andre"
    other.mkdir()
    shutil.copy(ADHOC_EXAMPLE, other / ADHOC_EXAMPLE.name)
    result = run_cli("render", "answers", "andre", cwd=workdir)
    assert_clean_failure(result, f"fejlet: andre/{ADHOC_EXAMPLE.name}", "giver samme dokument")


def test_same_file_twice_is_rendered_once(workdir):
    paths = expand_paths([workdir / "answers", workdir / "answers" / ADHOC_EXAMPLE.name])
    assert len(paths) == len(list((workdir / "answers").glob("*.yaml")))


def test_empty_folder_is_a_usage_error(workdir):
    (workdir / "tom").mkdir()
    result = run_cli("render", "tom", cwd=workdir)
    assert_clean_failure(result, "tom: mappen indeholder ingen svarfiler")
    assert result.returncode == 2


def test_progress_bar_draws_on_a_terminal_and_clears_its_line():
    stream = io.StringIO()
    bar = ProgressBar(stream, "Word", enabled=True)
    bar(0, 3)
    bar(3, 3)
    bar.close()
    text = stream.getvalue()
    assert "3/3" in text and text.endswith("\r" + " " * len("Word " + "█" * 30 + " 3/3") + "\r")
    assert "\033" not in text  # plain text: Windows' classic console shows no ANSI escapes
    quiet = io.StringIO()
    ProgressBar(quiet, "Word")(1, 2)  # a StringIO is not a terminal
    assert quiet.getvalue() == ""


# -- PDF and preview -------------------------------------------------------------------

needs_soffice = pytest.mark.skipif(not has_soffice(), reason="LibreOffice (soffice) is not installed")
needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")


@needs_soffice
def test_pdf_beside_every_document_with_one_bad_file(workdir):
    shutil.rmtree(workdir / "answers")
    (workdir / "answers").mkdir()
    _many(workdir, 5)
    (workdir / "answers" / "ødelagt.yaml").write_text(BAD_YAML, encoding="utf-8")
    result = run_cli("render", "answers", "--pdf", cwd=workdir, timeout=600)
    assert result.returncode == 1, result.stderr
    docs = sorted((workdir / "out").glob("*.docx"))
    assert len(docs) == 5
    for doc in docs:
        pdf = doc.with_suffix(".pdf")
        assert pdf.read_bytes().startswith(b"%PDF-"), pdf
    # No temporary files left behind; only drafter's record of the PDFs it wrote.
    assert [p.name for p in (workdir / "out").glob(".*")] == [OWN_FILES]
    assert "PDF: 5 lavet." in result.stdout

    again = run_cli("render", "answers", "--pdf", cwd=workdir, timeout=600)
    assert "0 skrevet, 5 uændret, 1 fejlet i out. PDF: 0 lavet, 5 allerede aktuelle." in again.stdout


@needs_soffice
@needs_pdftoppm
def test_preview_png_of_page_one(workdir):
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--preview", cwd=workdir, timeout=600)
    assert result.returncode == 0, result.stderr
    png = workdir / "out" / f"{ADHOC_EXAMPLE.stem}.png"
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert str(png.relative_to(workdir)) in result.stdout
    assert (workdir / "out" / f"{ADHOC_EXAMPLE.stem}.pdf").is_file()


def test_without_libreoffice_the_documents_are_written_and_the_package_is_named(workdir, tmp_path):
    # A PATH with no soffice on it (the CLI runs as sys.executable, so it needs no PATH).
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {"PATH": str(empty_bin)}
    result = run_cli("render", "answers", "--pdf", cwd=workdir, env=env)
    assert_clean_failure(result, "LibreOffice findes ikke", "sudo apt install libreoffice-writer")
    assert ", 0 fejlet i out." in result.stdout
    assert result.returncode == 69
    for example in (workdir / "answers").glob("*.yaml"):
        assert (workdir / "out" / f"{example.stem}.docx").is_file()
    assert not list((workdir / "out").glob("*.pdf"))


def test_drafter_soffice_empty_means_not_installed(workdir):
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--pdf", cwd=workdir, env={"DRAFTER_SOFFICE": ""})
    assert_clean_failure(result, "libreoffice-writer")
    assert (workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx").is_file()


@pytest.mark.skipif(shutil.which("false") is None, reason="no false(1)")
def test_a_libreoffice_that_fails_is_reported_per_document(workdir):
    result = run_cli("render", "answers", "--pdf", cwd=workdir, env={"DRAFTER_SOFFICE": shutil.which("false")})
    assert_clean_failure(result, "PDF fejlet: answers/", "LibreOffice lavede ingen PDF (LibreOffice fejlede: afslutningskode 1)")
    assert result.returncode == 1
    assert len(list((workdir / "out").glob("*.docx"))) == len(list((workdir / "answers").glob("*.yaml")))


@needs_soffice
def test_without_pdftoppm_the_pdf_is_still_made(workdir):
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--preview", cwd=workdir,
                     env={"DRAFTER_PDFTOPPM": ""}, timeout=600)
    assert_clean_failure(result, "pdftoppm findes ikke", "poppler-utils")
    assert result.returncode == 69
    assert (workdir / "out" / f"{ADHOC_EXAMPLE.stem}.pdf").is_file()


# -- start-up --------------------------------------------------------------------------

HEAVY = ("docxtpl", "docx", "questionary", "prompt_toolkit")


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--version"], ["kinds"], ["check", str(ADHOC_EXAMPLE)], ["render", "--help"]],
    ids=["help", "version", "kinds", "check", "render-help"],
)
def test_light_commands_do_not_import_heavy_libraries(argv):
    probe = (
        "import sys\n"
        "from drafter.cli import main\n"
        "try:\n"
        f"    code = main({argv!r})\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "print('HEAVY', heavy, 'CODE', code, file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert "HEAVY [] CODE 0" in result.stderr, result.stderr


# What `drafter --help` and `--version` must not load: every one of these is milliseconds of
# start-up (the benchmark's (b)). Only argparse and drafter's own few lines are needed.
NOT_FOR_HELP = ("docx", "docxtpl", "jinja2", "yaml", "questionary", "prompt_toolkit",
                "dataclasses", "typing", "pathlib", "shutil", "drafter.errors", "drafter.problems")


@pytest.mark.parametrize("argv", [["--help"], ["--version"]], ids=["help", "version"])
def test_help_and_version_load_nothing_but_argparse(argv):
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "from drafter.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "loaded = set(sys.modules) - before\n"
        f"print('LOADED', sorted(m for m in loaded if m in {NOT_FOR_HELP!r} or m.split('.')[0] in {NOT_FOR_HELP!r}),"
        " 'CODE', code, file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert "LOADED [] CODE 0" in result.stderr, result.stderr


# What `drafter check` must not load: the renderer and what only it needs (the benchmark's
# (b) check; batch is imported for its file handling and rule check only), nor dataclasses
# and the inspect module it imports (drafter's data classes are plain, drafter.plain).
NOT_FOR_CHECK = ("jinja2", "lxml", "docx", "docxtpl", "zipfile", "drafter.render", "drafter.body",
                 "drafter.tablefit", "drafter.templates", "drafter.stamp", "drafter.tplcache", "dataclasses", "inspect")


def test_check_loads_no_renderer():
    probe = (
        "import sys\n"
        "from drafter.cli import main\n"
        f"code = main(['check', {str(ADHOC_EXAMPLE)!r}])\n"
        f"print('LOADED', sorted(m for m in sys.modules if m in {NOT_FOR_CHECK!r} or m.split('.')[0] in {NOT_FOR_CHECK!r}),"
        " 'CODE', code, file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert "LOADED [] CODE 0" in result.stderr, result.stderr
