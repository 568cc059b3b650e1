"""Rendered commissions: the subtitle does not repeat who commissioned the group (the facts
block says it), and the hospital side's co-chair date stands under the chair section."""

from __future__ import annotations

from docx import Document

from conftest import docx_text, run_cli


def subtitle(path) -> str:
    return next(p.text for p in Document(str(path)).paragraphs if p.style.name == "Subtitle")


def test_subtitles_do_not_repeat_nedsat_af(workdir):
    names = ["udskrivelse-af-skroebelige-aeldre", "projektgruppe-digital-opfoelgning-kol",
             "temagruppe-voksentemagruppen-for-somatik"]
    result = run_cli("render", *[f"answers/{n}.yaml" for n in names], cwd=workdir)
    assert result.returncode == 0, result.stderr
    subtitles = {n: subtitle(workdir / "out" / f"{n}.docx") for n in names}
    assert subtitles["udskrivelse-af-skroebelige-aeldre"] == "Ad-hoc gruppe i Midtklyngen"
    assert subtitles["temagruppe-voksentemagruppen-for-somatik"] == "Temagruppe i Midtklyngen"
    for name, text in subtitles.items():
        assert "nedsat af" not in text.lower(), name
        assert "Nedsat af" in docx_text(workdir / "out" / f"{name}.docx"), name


def test_the_hospital_co_chairs_date_is_in_the_document(workdir):
    path = workdir / "answers" / "temagruppe-voksentemagruppen-for-somatik.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  sekretariat: |\n", "  hospital_fra: 2027-01-01\n  sekretariat: |\n"), encoding="utf-8")
    result = run_cli("render", str(path), "--out-dir", str(workdir / "out"), cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "Hospitalets eller psykiatriens medformand er udpeget med virkning fra 1. januar 2027." in docx_text(
        workdir / "out" / "temagruppe-voksentemagruppen-for-somatik.docx"
    )
