"""The committed Word templates and templates/build_templates.py agree on text, styles and tags."""

from __future__ import annotations

import importlib.util
import re

import pytest
from docx import Document

from conftest import REPO, TEMPLATES_DIR

spec = importlib.util.spec_from_file_location("build_templates", REPO / "templates" / "build_templates.py")
build_templates = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_templates)


def outline(path) -> list[tuple[str, str, str]]:
    """(where, style, text) for every paragraph of body, tables, headers and footers."""
    doc = Document(str(path))
    rows: list[tuple[str, str, str]] = []
    body = doc.element.body
    for block in body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            from docx.text.paragraph import Paragraph

            p = Paragraph(block, doc)
            rows.append(("body", p.style.name, p.text))
        elif tag == "tbl":
            from docx.table import Table

            for r, row in enumerate(Table(block, doc).rows):
                rows.append(("table-row", str(r), " | ".join(c.text for c in row.cells)))
    for i, section in enumerate(doc.sections):
        for name, part in (("header", section.header), ("footer", section.footer)):
            for p in part.paragraphs:
                rows.append((f"{name}{i}", p.style.name, p.text))
    return rows


@pytest.mark.parametrize("kind", sorted(build_templates.BUILDERS))
def test_committed_template_matches_the_build_script(kind, tmp_path):
    committed = TEMPLATES_DIR / f"{kind}.docx"
    assert committed.exists(), f"run: python templates/build_templates.py {kind}"
    fresh = tmp_path / f"{kind}.docx"
    build_templates.BUILDERS[kind](fresh)
    assert outline(committed) == outline(fresh), (
        f"templates/docx/{kind}.docx is out of date: run python templates/build_templates.py {kind}"
    )


@pytest.mark.parametrize("kind", sorted(build_templates.BUILDERS))
def test_every_template_tag_is_whole_in_one_run(kind):
    # Tags written by the script must never be split across Word runs.
    doc = Document(str(TEMPLATES_DIR / f"{kind}.docx"))
    for run in doc.element.body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"):
        text = run.text or ""
        assert text.count("{{") == text.count("}}"), text
        assert len(re.findall(r"\{%", text)) == len(re.findall(r"%\}", text)), text
