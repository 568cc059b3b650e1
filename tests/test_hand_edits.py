"""Hand edits are never lost: a document edited after drafter wrote it is not overwritten.

drafter records a hash of each document's content in a custom document property. These
tests edit real documents the way a chair would (python-docx, as Word does: open, change,
save; and LibreOffice where it is installed) and render again through the real CLI.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from conftest import ADHOC_EXAMPLE, EXAMPLES, assert_clean_failure, docx_text, has_soffice, run_cli
from drafter.stamp import HASH_PROPERTY, read_recorded_hash

ANSWERS = f"answers/{ADHOC_EXAMPLE.name}"


@pytest.fixture
def rendered(workdir) -> tuple[Path, Path]:
    result = run_cli("render", ANSWERS, cwd=workdir)
    assert result.returncode == 0, result.stderr
    return workdir, workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx"


def edit_like_word(path: Path, text: str = "Tilføjet af formanden efter mødet.") -> None:
    doc = Document(str(path))
    doc.add_paragraph(text)
    doc.paragraphs[0].runs[0].text = doc.paragraphs[0].runs[0].text + " (rettet)"
    doc.save(str(path))


def fresh_render(workdir: Path, name: str = "fresh.docx") -> bytes:
    result = run_cli("render", ANSWERS, "-o", f"elsewhere/{name}", cwd=workdir)
    assert result.returncode == 0, result.stderr
    return (workdir / "elsewhere" / name).read_bytes()


def test_a_rendered_document_carries_its_content_hash(rendered):
    _, out = rendered
    recorded, actual = read_recorded_hash(out.read_bytes())
    assert recorded is not None and recorded == actual
    assert Document(str(out)).paragraphs[0].text.startswith("Kommissorium for")
    import zipfile

    custom = zipfile.ZipFile(out).read("docProps/custom.xml").decode("utf-8")
    assert f'name="{HASH_PROPERTY}"' in custom


def test_an_edited_document_is_not_overwritten(rendered):
    workdir, out = rendered
    edit_like_word(out)
    edited = out.read_bytes()
    recorded, actual = read_recorded_hash(edited)
    assert recorded is not None and recorded != actual, "python-docx should keep the custom property and change the content"

    # The answers change too: the new document would differ, and still the edit wins.
    source = workdir / ANSWERS
    source.write_text(source.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "1.1"'), encoding="utf-8")
    result = run_cli("render", ANSWERS, cwd=workdir)
    assert_clean_failure(
        result,
        f"out/{out.name}: er ændret, efter drafter lavede den (fx redigeret i Word); den overskrives ikke",
        "--force",
    )
    assert result.returncode == 1
    assert out.read_bytes() == edited
    assert "Tilføjet af formanden efter mødet." in docx_text(out)
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name], "no temporary or extra files"


def test_force_replaces_an_edited_document(rendered):
    workdir, out = rendered
    edit_like_word(out)
    result = run_cli("render", ANSWERS, "--force", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"out/{out.name}"
    assert out.read_bytes() == fresh_render(workdir)
    assert "Tilføjet af formanden" not in docx_text(out)


def test_an_unchanged_earlier_output_is_kept_or_replaced(rendered):
    workdir, out = rendered
    first = out.read_bytes()
    again = run_cli("render", ANSWERS, cwd=workdir)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"out/{out.name} (uændret)"
    assert out.read_bytes() == first

    source = workdir / ANSWERS
    source.write_text(source.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "1.1"'), encoding="utf-8")
    changed = run_cli("render", ANSWERS, cwd=workdir)
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.strip() == f"out/{out.name}"
    assert out.read_bytes() != first
    assert out.read_bytes() == fresh_render(workdir)
    assert "1.1" in docx_text(out)


@pytest.mark.parametrize(
    "foreign",
    ["word-document", "text-file", "empty-file"],
)
def test_a_foreign_file_at_the_output_path_is_refused(workdir, foreign):
    out = workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx"
    out.parent.mkdir()
    if foreign == "word-document":
        doc = Document()
        doc.add_paragraph("Et dokument, som drafter ikke har lavet.")
        doc.save(str(out))
    elif foreign == "text-file":
        out.write_text("ikke et Word-dokument")
    else:
        out.write_bytes(b"")
    before = out.read_bytes()
    result = run_cli("render", ANSWERS, cwd=workdir)
    assert_clean_failure(result, f"out/{out.name}: findes allerede og er ikke lavet af drafter; den overskrives ikke")
    assert out.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]

    forced = run_cli("render", ANSWERS, "--force", cwd=workdir)
    assert forced.returncode == 0, forced.stderr
    assert read_recorded_hash(out.read_bytes())[0] is not None


def test_one_edited_document_does_not_stop_the_others(workdir):
    names = [f"answers/{p.name}" for p in EXAMPLES]
    assert len(names) >= 2
    first = run_cli("render", *names, cwd=workdir)
    assert first.returncode == 0, first.stderr
    edited_path = workdir / "out" / f"{EXAMPLES[0].stem}.docx"
    edit_like_word(edited_path)
    edited = edited_path.read_bytes()
    for path in EXAMPLES[1:]:
        (workdir / "out" / f"{path.stem}.docx").unlink()

    result = run_cli("render", *names, cwd=workdir)
    assert_clean_failure(result, f"out/{edited_path.name}: er ændret")
    assert edited_path.read_bytes() == edited
    for path in EXAMPLES[1:]:
        assert (workdir / "out" / f"{path.stem}.docx").is_file(), result.stderr


@pytest.mark.skipif(not has_soffice(), reason="LibreOffice is not installed")
def test_a_document_saved_by_libreoffice_is_not_overwritten(rendered, tmp_path):
    workdir, out = rendered
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    converted = tmp_path / "lo"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "docx:MS Word 2007 XML",
         "--outdir", str(converted), str(out)],
        capture_output=True, text=True, timeout=180,
    )
    saved = converted / out.name
    if done.returncode != 0 or not saved.is_file():
        pytest.skip(f"LibreOffice could not convert here: {done.stderr[-300:]}")
    shutil.copy(saved, out)
    before = out.read_bytes()
    result = run_cli("render", ANSWERS, cwd=workdir)
    # LibreOffice keeps the custom property (edited) or drops it (foreign): refused either way.
    assert_clean_failure(result, f"out/{out.name}:", "den overskrives ikke")
    assert out.read_bytes() == before
