"""The seeds' real commissions, rendered from their answer files through the real CLI,
carry every task bullet, member line, rule and meeting sentence of the original Danish."""

from __future__ import annotations


import pytest
import yaml
from docx import Document

from conftest import ANSWERS_DIR, REPO, docx_text, render_examples
from drafter import reference

SENTENCES = yaml.safe_load((REPO / "tests" / "data" / "seed_sentences.yaml").read_text(encoding="utf-8"))
FILES = list(SENTENCES["documents"])
THEME_GROUP_FILES = [f for f in FILES if f.startswith("temagruppe-")]


def normalise(text: str) -> str:
    return " ".join(text.split())


def expected(name: str) -> list[str]:
    found = list(SENTENCES["documents"][name]["sentences"])
    for shared in SENTENCES["shared"]:
        if name in shared["files"]:
            found.extend(shared["sentences"])
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """All the seed commissions, rendered by one real `drafter render` call."""
    outputs = render_examples(tmp_path_factory.mktemp("seeds"), [name.removesuffix(".yaml") for name in FILES])
    return {f"{stem}.yaml": path for stem, path in outputs.items()}


def test_the_sentence_list_is_substantial():
    # Guards against an emptied data file making the sentence test pass vacuously.
    assert len(FILES) == 5
    assert sum(len(expected(name)) for name in FILES) >= 150
    assert all(len(expected(name)) >= 20 for name in FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_sentence_of_the_original_is_in_the_document(rendered, name):
    text = normalise(docx_text(rendered[name]))
    missing = [s for s in expected(name) if normalise(s) not in text]
    assert not missing, f"{name}: {len(missing)} sentences missing:\n" + "\n".join(missing)


def test_every_theme_group_sentence_is_carried_by_some_theme_group_document(rendered):
    # The source's "Kommissorium for temagrupper" is one text for three groups; the three
    # documents together must carry all of it.
    texts = " ".join(normalise(docx_text(rendered[name])) for name in THEME_GROUP_FILES)
    all_theme = {s for name in THEME_GROUP_FILES for s in expected(name)}
    assert len(all_theme) >= 30
    assert all(normalise(s) in texts for s in all_theme)


@pytest.mark.parametrize("name", THEME_GROUP_FILES)
def test_theme_group_co_chairs_come_from_the_rotation_plan(rendered, name):
    data = yaml.safe_load((ANSWERS_DIR / name).read_text(encoding="utf-8"))
    group, period = data["gruppe"]["navn"], data["gruppe"]["periode"]
    hospital, municipality = reference.rotation_pair(reference.group_key(group), period)
    assert municipality.endswith("Kommune")
    # A range of years with an en dash in the document, whatever the answer's hyphen.
    line = f"Formandskab i perioden {period.replace('-', '–')}: {hospital} og {municipality}."
    assert line in normalise(docx_text(rendered[name]))


def test_the_steering_group_names_no_co_chair_where_the_plan_cannot_be_read(rendered):
    data = yaml.safe_load((ANSWERS_DIR / "klyngestyregruppe-midtklyngen.yaml").read_text(encoding="utf-8"))
    assert data["gruppe"]["periode"] == "2026-2027"
    assert reference.rotation_pair("klyngestyregruppen", 2026) is None
    assert "Formandskab i perioden" not in docx_text(rendered["klyngestyregruppe-midtklyngen.yaml"])


def test_members_are_grouped_under_their_party(rendered):
    doc = Document(str(rendered["klyngestyregruppe-midtklyngen.yaml"]))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    # A party label is a heading one level below "Medlemmer": in Word's navigation pane and the PDF's tags.
    labels = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert labels == ["Kommuner", "Region: Hospitalsenhed Midt", "Region: Regionspsykiatrien", "Almen praksis", "Patient og pårørende"]
    start = [t for _, t in paragraphs].index("Region: Regionspsykiatrien")
    assert paragraphs[start + 1 : start + 4] == [
        ("List Bullet", "1 direktør"),
        ("List Bullet", "1 chef-/afdelingsledelsesrepræsentant fra Regionspsykiatrien Midt (medformand voksentemagruppen for psykiatri)"),
        ("List Bullet", "1 konsulent"),
    ]


def test_the_titles_read_as_in_the_source(rendered):
    titles = {name: Document(str(path)).paragraphs[0].text for name, path in rendered.items()}
    assert titles["klyngestyregruppe-midtklyngen.yaml"] == "Kommissorium for klyngestyregruppen"
    assert titles["temagruppe-voksentemagruppen-for-psykiatri.yaml"] == "Kommissorium for voksentemagruppen for psykiatri"
    assert titles["implementeringsnetvaerk-amning.yaml"].startswith("Kommissorium for de tværsektorielle implementeringsnetværk")


def test_the_appendix_lists_the_clusters_of_the_reference_data(rendered):
    data = yaml.safe_load((ANSWERS_DIR / "implementeringsnetvaerk-amning.yaml").read_text(encoding="utf-8"))
    assert data["bilag"]["klynger"] == reference.clusters_as_records()
    doc = Document(str(rendered["implementeringsnetvaerk-amning.yaml"]))
    appendix = next(p for p in doc.paragraphs if p.text == "Bilag 1: Sundhedsklynger")
    assert appendix.paragraph_format.page_break_before
