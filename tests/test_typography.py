"""Danish typography as a check, not a silent rewrite (issue 23): `drafter check` warns about
straight quotes and hyphens in number ranges and suggests the Danish form; `check --fix`
writes it through the round-trip writer; the document shows what the answer file says."""

from __future__ import annotations

import pytest

from conftest import ANSWERS_DIR, docx_text, run_cli
from drafter.typography import danish

GROUP = "temagruppe-voksentemagruppen-for-somatik"


@pytest.mark.parametrize("typed, suggested", [
    ("Sundhedsaftalen 2024-2027", "Sundhedsaftalen 2024–2027"),
    ("3-4 chefer med ansvar", "3–4 chefer med ansvar"),
    ("1-2 chef-/ledelsesrepræsentanter", "1–2 chef-/ledelsesrepræsentanter"),
    ("møder kl. 9-12.", "møder kl. 9–12."),
    ('princippet "Fælles tidligere" gælder', "princippet »Fælles tidligere« gælder"),
    ('"Tryg udskrivelse", sagde hun.', "»Tryg udskrivelse«, sagde hun."),
])
def test_the_danish_form_is_suggested(typed, suggested):
    assert danish(typed)[0] == suggested and danish(typed)[1]


@pytest.mark.parametrize("typed", [
    "mødet 2026-11-25",  # an ISO date
    "SAG-2027-0042",  # a case number
    "tlf. 86-12-34-56",
    "version 2.1-2.3",
    "side 12-3",  # not a range: the first is larger
    "2027-28",  # a year and two digits: left alone rather than guessed
    "Region Midtjyllands 'plan'",  # single quotes are mostly apostrophes
    "Hjerte-kar-sygdomme",
    "»Fælles tidligere« og 2024–2027",
])
def test_what_is_no_range_or_quotation_is_left_alone(typed):
    assert danish(typed) == (typed, [])


def test_check_warns_fix_writes_it_and_the_document_showed_the_file(workdir):
    path = workdir / "answers" / f"{GROUP}.yaml"
    before = path.read_text(encoding="utf-8")
    assert "2-4 chef-/lederrepræsentanter" in before and "5-6 chef-/ledelsesrepræsentanter" in before
    # The document shows what the answer file says: the hyphen as typed.
    rendered = run_cli("render", str(path), "--out-dir", str(workdir / "out"), cwd=workdir)
    assert rendered.returncode == 0, rendered.stderr
    assert "5-6 chef-/ledelsesrepræsentanter" in docx_text(workdir / "out" / f"{GROUP}.docx")

    check = run_cli("check", str(path), cwd=workdir)
    assert check.returncode == 0, check.stderr
    line = before.splitlines().index(next(l for l in before.splitlines() if "5-6 chef" in l)) + 1
    assert (f'{path}:{line}: [typografi] advarsel: medlemmer.medlemmer[3].beskrivelse: bindestreg i intervallet "5-6"; '
            'skriv: "5–6 chef-/ledelsesrepræsentanter fra HE Midt" (drafter check --fix retter det)') in check.stdout
    strict = run_cli("check", "--strict", str(path), cwd=workdir)
    assert strict.returncode == 1

    fixed = run_cli("check", "--fix", str(path), cwd=workdir)
    assert fixed.returncode == 0, fixed.stderr
    assert "rettet til dansk typografi: 2 svar" in fixed.stdout
    after = path.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    # Exactly the two answers changed, each only where it had a hyphen in a range; every
    # comment and every other line is as it was.
    assert len(changed) == 2 and len(before.splitlines()) == len(after.splitlines())
    assert all(a.replace("-", "–", 1) == b for a, b in changed)
    assert [l for l in before.splitlines() if "#" in l] == [l for l in after.splitlines() if "#" in l]
    assert "[typografi]" not in run_cli("check", str(path), cwd=workdir).stdout
    again = run_cli("check", "--fix", str(path), cwd=workdir)
    assert "rettet" not in again.stdout and path.read_text(encoding="utf-8") == after

    rendered = run_cli("render", str(path), "--out-dir", str(workdir / "out"), cwd=workdir)
    assert rendered.returncode == 0, rendered.stderr
    assert "5–6 chef-/ledelsesrepræsentanter" in docx_text(workdir / "out" / f"{GROUP}.docx")


def test_a_choice_from_the_profiles_list_is_not_flagged(workdir):
    # gruppe.periode "2026-2027" is the profile's own wording of a rotation period.
    check = run_cli("check", f"answers/{GROUP}.yaml", cwd=workdir)
    assert "gruppe.periode" not in check.stdout
    assert (ANSWERS_DIR / f"{GROUP}.yaml").read_text(encoding="utf-8").count("periode: 2026-2027") == 1


def test_fix_of_a_file_that_cannot_be_read_changes_nothing(workdir):
    path = workdir / "answers" / "ødelagt.yaml"
    path.write_text('kind: adhoc\nschema_version: 1\ngruppe:\n  navn: "3-4 ting\n', encoding="utf-8")
    before = path.read_bytes()
    result = run_cli("check", "--fix", str(path), cwd=workdir)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert path.read_bytes() == before
