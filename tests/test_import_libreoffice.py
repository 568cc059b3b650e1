"""A chair in LibreOffice Writer, driven headless through UNO as a person would edit (one
soffice process for the whole module, every edit in one session): each saved .docx is
imported with the real CLI and the answer file compared with what it must be."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import ADHOC_EXAMPLE, ANSWERS_DIR, REPO, has_soffice, run_cli

SYSTEM_PYTHON = "/usr/bin/python3"
EDITS = ["no_edit", "bullets_cut_and_paste", "row_added_with_tab", "row_deleted_tracked", "date_in_facts"]


def _has_uno() -> bool:
    if not has_soffice() or not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not _has_uno(), reason="LibreOffice med python3-uno er ikke installeret")


@pytest.fixture(scope="module")
def saved_by_writer(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    """(the rendered document, {edit: the .docx Writer saved after it})."""
    folder = tmp_path_factory.mktemp("writer")
    shutil.copytree(ANSWERS_DIR, folder / "answers")
    shutil.copy(REPO / "drafter.yaml", folder / "drafter.yaml")  # the examples' workspace, as in workdir
    assert run_cli("render", folder / "answers" / ADHOC_EXAMPLE.name, cwd=folder).returncode == 0
    rendered = folder / "out" / f"{ADHOC_EXAMPLE.stem}.docx"
    targets = {edit: folder / "saved" / f"{edit}.docx" for edit in EDITS}
    targets[EDITS[0]].parent.mkdir()
    jobs = folder / "jobs.json"
    jobs.write_text(json.dumps([{"source": str(rendered), "target": str(target), "edit": edit}
                                for edit, target in targets.items()]), encoding="utf-8")
    done = subprocess.run([SYSTEM_PYTHON, str(REPO / "tests" / "lo_person.py"), str(folder / "profile"), str(jobs)],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    return rendered, targets


def _import(workdir: Path, document: Path) -> tuple[subprocess.CompletedProcess, dict, dict]:
    answers = workdir / "answers" / ADHOC_EXAMPLE.name
    before = yaml.safe_load(answers.read_text(encoding="utf-8"))
    result = run_cli("import", document, "--into", answers, "--yes", "--out-dir", workdir / "out", cwd=workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    return result, before, yaml.safe_load(answers.read_text(encoding="utf-8"))


def test_opened_and_saved_without_an_edit_is_no_change(saved_by_writer, workdir):
    rendered, saved = saved_by_writer
    result, before, after = _import(workdir, saved["no_edit"])
    assert "Ingen ændrede svar" in result.stdout and after == before
    assert "ældre drafter" not in result.stdout  # Writer kept the answers the document was made from
    assert "Kan ikke placeres" not in result.stdout and "Formatering" not in result.stdout
    diff = run_cli("diff", rendered, saved["no_edit"], cwd=workdir)
    assert diff.returncode == 0 and "Ingen ændringer i teksten" in diff.stdout, diff.stdout + diff.stderr


def test_bullets_reordered_by_cut_and_paste_are_an_order_change(saved_by_writer, workdir):
    result, before, after = _import(workdir, saved_by_writer[1]["bullets_cut_and_paste"])
    tasks = before["opgaver"]["opgaver"]
    assert after["opgaver"]["opgaver"] == [tasks[1], tasks[0], *tasks[2:]]
    assert "rækkefølgen er ændret" in result.stdout
    after["opgaver"]["opgaver"] = tasks
    assert after == before


def test_a_row_added_with_tab_is_a_new_member(saved_by_writer, workdir):
    result, before, after = _import(workdir, saved_by_writer[1]["row_added_with_tab"])
    new = {"navn": "Ida Lund", "titel": "Fysioterapeut", "organisation": "Skive Kommune", "rolle": "Genoptræning"}
    assert after["formandskab"]["medlemmer"] == [*before["formandskab"]["medlemmer"], new]
    assert "Medlem tilføjet: Ida Lund" in result.stdout


def test_a_row_deleted_with_track_changes_on_removes_that_member(saved_by_writer, workdir):
    result, before, after = _import(workdir, saved_by_writer[1]["row_deleted_tracked"])
    assert "registrerede ændringer" in result.stdout
    assert [m["navn"] for m in after["formandskab"]["medlemmer"]] == [
        m["navn"] for m in before["formandskab"]["medlemmer"] if m["navn"] != "Jens Møller"]
    after["formandskab"]["medlemmer"] = before["formandskab"]["medlemmer"]
    assert after == before


def test_the_date_changed_in_the_facts_block_is_taken(saved_by_writer, workdir):
    result, before, after = _import(workdir, saved_by_writer[1]["date_in_facts"])
    assert str(after["dokument"]["dato"]) == "2026-12-01"
    after["dokument"]["dato"] = before["dokument"]["dato"]
    assert after == before
