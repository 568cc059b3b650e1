"""Drafts are kept apart from finished commissions, and `drafter status` shows every state.

One workspace (the examples plus a draft) is rendered once with the real `drafter render
answers/`; then one answer is changed (an outdated document), one document is edited as
Word would (a new paragraph), and one document is removed, and `drafter status` must tell
each of them apart.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import ANSWERS_DIR, assert_clean_failure, run_cli

DRAFT = """\
# En kladde fra et afbrudt 'drafter new'
kind: adhoc
schema_version: 1
complete: false

gruppe:
  navn: Ad-hoc gruppe om hjemmedialyse
"""
OUTDATED = "udskrivelse-af-skroebelige-aeldre"
EDITED = "klyngestyregruppe-midtklyngen"
REMOVED = "temagruppe-boern-unge-og-familie"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> tuple[Path, object]:
    work = tmp_path_factory.mktemp("drafts")
    shutil.copytree(ANSWERS_DIR, work / "answers")
    (work / "answers" / "hjemmedialyse.yaml").write_text(DRAFT, encoding="utf-8")
    rendered = run_cli("render", "answers/", cwd=work)
    return work, rendered


def test_render_of_a_folder_skips_the_draft_and_names_it(workspace):
    work, rendered = workspace
    assert rendered.returncode == 0, rendered.stderr
    assert "kladde, springes over: answers/hjemmedialyse.yaml" in rendered.stdout
    assert "drafter new adhoc --resume answers/hjemmedialyse.yaml" in rendered.stdout
    assert "1 kladde sprunget over" in rendered.stdout
    assert not (work / "out" / "hjemmedialyse.docx").exists()
    assert len(list((work / "out").glob("*.docx"))) == len(list(ANSWERS_DIR.glob("*.yaml")))


def test_a_draft_named_alone_is_still_refused(workspace):
    work, _ = workspace
    result = run_cli("render", "answers/hjemmedialyse.yaml", cwd=work)
    assert_clean_failure(result, "kladde", "--resume answers/hjemmedialyse.yaml")


def test_check_of_a_draft_lists_what_is_missing_and_fails(workspace):
    work, _ = workspace
    result = run_cli("check", "answers/hjemmedialyse.yaml", cwd=work)
    assert_clean_failure(result, "er en kladde (complete: false)", "svar mangler", "--draft-ok")
    for missing in ("gruppe.type: mangler", "tidsplan.slut: mangler", "formandskab.formaend: mangler"):
        assert missing in result.stderr
    accepted = run_cli("check", "--draft-ok", "answers/hjemmedialyse.yaml", cwd=work)
    assert accepted.returncode == 0, accepted.stderr
    assert "kladde, godtaget med --draft-ok" in accepted.stdout
    assert "tidsplan.slut: mangler" in accepted.stdout


def _edit_in_word(document: Path) -> None:
    """What a save in Word amounts to for drafter: the package's parts change."""
    with zipfile.ZipFile(document) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"</w:body>", "<w:p><w:r><w:t>Tilføjet i Word</w:t></w:r></w:p></w:body>".encode()
    )
    with zipfile.ZipFile(document, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_status_shows_each_state(workspace):
    work, _ = workspace
    answers = work / "answers" / f"{OUTDATED}.yaml"
    # A comment changes nothing; a changed date makes the document outdated.
    text = answers.read_text(encoding="utf-8").replace("  slut: 2027-12-17", "  slut: 2027-12-20  # forlænget")
    answers.write_text("# kommentar\n" + text, encoding="utf-8")
    _edit_in_word(work / "out" / f"{EDITED}.docx")
    (work / "out" / f"{REMOVED}.docx").unlink()
    commented = work / "answers" / "temagruppe-voksentemagruppen-for-somatik.yaml"
    commented.write_text("# bare en kommentar\n" + commented.read_text(encoding="utf-8"), encoding="utf-8")

    result = run_cli("status", "--json", cwd=work)
    assert result.returncode == 0, result.stderr
    entries = {Path(e["file"]).stem: e for e in json.loads(result.stdout)}
    assert entries["hjemmedialyse"]["state"] == "draft"
    assert entries["hjemmedialyse"]["document_state"] == "missing"
    assert entries[OUTDATED]["document_state"] == "outdated"
    assert entries[EDITED]["document_state"] == "edited"
    assert entries[REMOVED]["document_state"] == "missing"
    assert entries["temagruppe-voksentemagruppen-for-somatik"]["document_state"] == "current"
    assert entries[OUTDATED]["name"] == "Ad-hoc gruppe om udskrivelse af skrøbelige ældre"
    assert entries[OUTDATED]["kind"] == "adhoc"
    assert all(e["state"] == "complete" for stem, e in entries.items() if stem != "hjemmedialyse")
    assert all(e["errors"] == 0 for e in entries.values())

    lines = run_cli("status", cwd=work).stdout.splitlines()
    assert len(lines) == len(entries)
    line = {Path(line.split()[-1]).stem: line for line in lines}
    assert "kladde" in line["hjemmedialyse"] and "intet dokument" in line["hjemmedialyse"]
    assert "forældet" in line[OUTDATED]
    assert "rettet i Word" in line[EDITED]
    assert "intet dokument" in line[REMOVED]
    assert "aktuelt" in line["temagruppe-voksentemagruppen-for-somatik"]


def test_status_of_a_folder_that_is_not_there(tmp_path):
    assert_clean_failure(run_cli("status", "nowhere", cwd=tmp_path), "nowhere", "ikke en mappe")


def test_status_sees_a_file_change_after_an_earlier_run(workspace):
    """Verdicts kept between runs belong to a file's bytes: a changed file is checked again."""
    work, _ = workspace
    draft = work / "answers" / "hjemmedialyse.yaml"
    before = draft.read_text(encoding="utf-8")
    first = {Path(e["file"]).stem: e for e in json.loads(run_cli("status", "--json", cwd=work).stdout)}
    assert first["hjemmedialyse"]["state"] == "draft"
    try:
        draft.write_text(before.replace("complete: false\n", "complete: false\nukendt: 1\n"), encoding="utf-8")
        second = {Path(e["file"]).stem: e for e in json.loads(run_cli("status", "--json", cwd=work).stdout)}
        assert second["hjemmedialyse"]["state"] == "invalid"
        assert second["hjemmedialyse"]["problems"] == 1
    finally:
        draft.write_text(before, encoding="utf-8")


def test_a_document_from_an_older_drafter_is_told_apart(workspace, tmp_path):
    """Before documents recorded their parts and answers: edited still shows; otherwise unknown."""
    import re

    from drafter.stamp import PACKAGE_PROPERTY
    from drafter.status import DOC_EDITED, DOC_UNKNOWN, document_state

    work, _ = workspace
    old = tmp_path / "old.docx"
    with zipfile.ZipFile(work / "out" / "projektgruppe-digital-opfoelgning-kol.docx") as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    custom = parts["docProps/custom.xml"].decode()
    parts["docProps/custom.xml"] = re.sub(rf'<property [^>]*name="{PACKAGE_PROPERTY}">.*?</property>', "", custom).encode()
    with zipfile.ZipFile(old, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert document_state(old, "any digest") == DOC_UNKNOWN
    _edit_in_word(old)
    assert document_state(old, "any digest") == DOC_EDITED


def test_a_recovery_file_is_listed_as_one_everywhere_and_restore_puts_it_back(tmp_path, monkeypatch):
    # A failed save (edit --set on a full disk) leaves a recovery file in answers/. Every
    # list says what it is and the command; none renders it as a commission; that command,
    # typed as printed, puts the answer back (comments kept) and makes the document again.
    from drafter import api
    from drafter.session import AutosaveFailed

    from conftest import ADHOC_EXAMPLE, REPO

    (tmp_path / "answers").mkdir()
    shutil.copy(REPO / "drafter.yaml", tmp_path / "drafter.yaml")
    path = tmp_path / "answers" / ADHOC_EXAMPLE.name
    shutil.copy(ADHOC_EXAMPLE, path)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("drafter.yamlio.atomic_write", full_disk)
    with pytest.raises(AutosaveFailed) as failed:
        api.set_answers(path, ["dokument.version=2.0"], out_dir=tmp_path / "out")
    monkeypatch.undo()
    recovery = failed.value.recovery
    shown = f"answers/{recovery.name}"
    status = run_cli("status", cwd=tmp_path)
    line = next(row for row in status.stdout.splitlines() if row.endswith(shown))
    assert "gendannelsesfil" in line and f"svar til answers/{path.name}" in line and f"drafter restore {shown}" in line
    render = run_cli("render", "answers", cwd=tmp_path)
    assert render.returncode == 0, render.stderr
    assert f"gendannelsesfil, springes over: {shown} (svar til answers/{path.name}" in render.stdout
    assert "1 gendannelsesfil sprunget over" in render.stdout and "kladde" not in render.stdout
    assert sorted(p.name for p in (tmp_path / "out").glob("*.docx")) == [f"{path.stem}.docx"]
    check = run_cli("check", "answers", cwd=tmp_path)
    assert check.returncode == 1 and f"{shown}: er en gendannelsesfil" in check.stderr
    assert f"læg dem tilbage med: drafter restore {shown}" in check.stderr
    restore = run_cli(*failed.value.args[0].splitlines()[-1].split()[1:], cwd=tmp_path)  # as the message prints it
    assert restore.returncode == 0, restore.stderr
    assert f"Dokument: out/{path.stem}.docx" in restore.stdout and not recovery.exists()
    assert path.read_text(encoding="utf-8") == ADHOC_EXAMPLE.read_text(encoding="utf-8").replace(
        'version: "1.0"', 'version: "2.0"')
