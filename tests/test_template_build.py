"""The built-in Word templates have one source: templates/build_templates.py and the kinds'
section titles. The committed .docx files are its build products, byte for byte, so that a
change to formatting in either place (a heading turned red in Word, an edit to the script
or to a kind's title not rebuilt) fails here."""

from __future__ import annotations

import importlib.util
import re
import zipfile

import pytest
from docx import Document

from conftest import BUILT_TEMPLATES, FULL_LAYOUT_TEMPLATE, REPO
from drafter.questionnaire import load_questionnaire

spec = importlib.util.spec_from_file_location("build_templates", REPO / "templates" / "build_templates.py")
build_templates = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_templates)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REBUILD = "run: python templates/build_templates.py {kind}"


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    built = {}
    for kind, builder in build_templates.BUILDERS.items():
        builder(folder / f"{kind}.docx")
        built[kind] = folder / f"{kind}.docx"
    return built


def test_every_template_has_a_builder():
    assert sorted(BUILT_TEMPLATES) == sorted(build_templates.target(name) for name in build_templates.BUILDERS)


@pytest.mark.parametrize("kind", sorted(build_templates.BUILDERS))
def test_committed_template_is_the_build_byte_for_byte(kind, fresh):
    committed = build_templates.target(kind)
    assert committed.exists(), REBUILD.format(kind=kind)
    if committed.read_bytes() == fresh[kind].read_bytes():
        return
    # Name the part that differs, for whoever has to find the change.
    ours, theirs = parts(committed), parts(fresh[kind])
    differing = sorted(n for n in ours.keys() | theirs.keys() if ours.get(n) != theirs.get(n))
    pytest.fail(f"{committed.relative_to(REPO)} differs from its build in {differing}: " + REBUILD.format(kind=kind))


def test_the_build_is_deterministic(fresh, tmp_path):
    build_templates.BUILDERS["adhoc"](tmp_path / "again.docx")
    assert (tmp_path / "again.docx").read_bytes() == fresh["adhoc"].read_bytes()


def test_a_red_heading_in_the_committed_file_is_caught(fresh, tmp_path):
    # The defect the old outline comparison let through: formatting changed in Word.
    red = tmp_path / "adhoc.docx"
    original = parts(FULL_LAYOUT_TEMPLATE)
    styles = original["word/styles.xml"].replace(b'w:val="1F4E5F"', b'w:val="FF0000"')
    assert styles != original["word/styles.xml"]
    with zipfile.ZipFile(red, "w") as archive:
        for name, data in {**original, "word/styles.xml": styles}.items():
            archive.writestr(name, data)
    assert red.read_bytes() != fresh["adhoc"].read_bytes()


@pytest.mark.parametrize("kind", sorted(set(build_templates.BUILDERS) - {"letterhead"}))
def test_section_headings_are_the_kinds_titles(kind):
    # Typed once, in the kind's YAML: the template's level-1 headings are its sections'.
    doc = Document(str(build_templates.target(kind)))
    level1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    sections = load_questionnaire(kind).sections
    titled = [s.heading for s in sections if s.key not in ("gruppe", "netvaerk", "dokument")]
    assert level1 == titled


@pytest.mark.parametrize("kind", sorted(build_templates.BUILDERS))
def test_every_template_tag_is_whole_in_one_run(kind):
    # Tags written by the script must never be split across Word runs.
    doc = Document(str(build_templates.target(kind)))
    for run in doc.element.body.iter(f"{W}t"):
        text = run.text or ""
        assert text.count("{{") == text.count("}}"), text
        assert len(re.findall(r"\{%", text)) == len(re.findall(r"%\}", text)), text
