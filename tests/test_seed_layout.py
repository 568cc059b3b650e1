"""The real commissions as PDF pages (LibreOffice): page counts, the appendix on its own
page, numbered pages, and no centre tab stop in the footer style (which put "Side X af Y"
mid-page). Skips where soffice is absent."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from docx import Document

from conftest import BUILT_TEMPLATES, has_soffice

pytestmark = pytest.mark.skipif(
    not has_soffice() or shutil.which("pdftotext") is None, reason="needs LibreOffice and pdftotext"
)

PAGES = {  # answer file -> (fewest, most) pages a chair should get
    "implementeringsnetvaerk-amning": (3, 3),
    "klyngestyregruppe-midtklyngen": (2, 2),
    "temagruppe-voksentemagruppen-for-somatik": (2, 2),
    "temagruppe-voksentemagruppen-for-psykiatri": (2, 2),
    "temagruppe-boern-unge-og-familie": (2, 2),
    "projektgruppe-digital-opfoelgning-kol": (2, 4),
}


@pytest.fixture(scope="module")
def pdf_pages(example_pdfs):
    pages = {}
    for name in PAGES:
        text = subprocess.run(["pdftotext", "-layout", str(example_pdfs[name][1]), "-"],
                              capture_output=True, text=True, check=True).stdout
        pages[name] = text.rstrip("\f").split("\f")
    return pages


@pytest.mark.parametrize("name", PAGES)
def test_page_count(pdf_pages, name):
    fewest, most = PAGES[name]
    assert fewest <= len(pdf_pages[name]) <= most


def test_the_cluster_appendix_starts_its_own_page(pdf_pages):
    from drafter.questionnaire import load_questionnaire

    kind = load_questionnaire("implementeringsnetvaerk")
    last = pdf_pages["implementeringsnetvaerk-amning"][-1]
    assert last.lstrip().startswith(kind.section("bilag").heading)
    assert kind.section("baggrundsmateriale").heading not in last


@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_numbered_in_the_footer(pdf_pages, name):
    total = len(pdf_pages[name])
    for number, page in enumerate(pdf_pages[name], start=1):
        footer = [line for line in page.splitlines() if line.strip()][-1]
        assert footer.rstrip().endswith(f"Side {number} af {total}"), footer
        assert footer.startswith("Kommissorium for")


@pytest.mark.parametrize("template", BUILT_TEMPLATES, ids=lambda p: p.stem)
def test_footer_style_has_no_centre_tab_to_catch_the_page_number(template):
    assert list(Document(str(template)).styles["Footer"].paragraph_format.tab_stops) == []
