"""Validation through the real CLI: every problem at once, file:line: field: message, nothing written."""

from __future__ import annotations

import pytest

from conftest import ADHOC_EXAMPLE, assert_clean_failure, run_cli

EXAMPLE_TEXT = ADHOC_EXAMPLE.read_text(encoding="utf-8")


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


# (id, edit of the example text, fragments the message must contain; {line} is the edited line)
CASES = [
    ("yaml-syntax", lambda t: t.replace("  version: \"1.0\"", "  version: \"1.0"), ["YAML-fejl"]),
    ("required-missing", lambda t: t.replace("  nedsat_af: Voksentemagruppen for somatik\n", ""), ["gruppe.nedsat_af: mangler"]),
    ("required-list-empty", lambda t: t.replace("  interessenter:\n", "  interessenter: []\n  gammel:\n"),
     ["kommunikation.interessenter: mangler; angiv mindst én interessent"]),
    ("number-for-text", lambda t: t.replace('version: "1.0"', "version: 1.0"), ["dokument.version: skal være tekst, men er et tal (1.0)"]),
    ("text-for-list", lambda t: t.replace("  opgaver:\n    - Kortlægge", "  opgaver: Kortlægge\n  gammelt:\n    - Kortlægge"),
     ["opgaver.opgaver: skal være en liste"]),
    ("impossible-date", lambda t: t.replace("dato: 2026-11-25", "dato: 2026-02-30"), ["dokument.dato", "2026-02-30", "ikke en gyldig dato"]),
    ("date-format", lambda t: t.replace("dato: 2026-11-25", "dato: 25/11/2026"), ["dokument.dato", "ÅÅÅÅ-MM-DD"]),
    ("end-before-start", lambda t: t.replace("slut: 2027-12-17", "slut: 2026-12-17"),
     ["tidsplan.slut: datoen (17. december 2026) ligger før tidsplan.start (4. januar 2027)"]),
    ("unknown-key", lambda t: t.replace("formaal:\n  tekst:", "formal:\n  tekst:"), ["formal: ukendt felt; mente du \"formaal\"?"]),
    ("unknown-nested-key", lambda t: t.replace("  nedsat_af:", "  nedsat_aff:"), ["gruppe.nedsat_aff: ukendt felt; mente du \"nedsat_af\"?"]),
    ("wrong-kind", lambda t: t.replace("kind: adhoc", "kind: adhok"), ["kind: ukendt kommissorietype 'adhok'", "mente du \"adhoc\"?"]),
    ("schema-version", lambda t: t.replace("schema_version: 1", "schema_version: 7"), ["schema_version: skemaversion 7 understøttes ikke"]),
    ("xml-illegal", lambda t: t.replace("navn: Ad-hoc gruppe om udskrivelse af skrøbelige ældre", "navn: \"Ad-hoc \\v gruppe\""), ["gruppe.navn: indeholder tegnet U+000B"]),
    ("choice", lambda t: t.replace("status: udkast", "status: kladde"), ["dokument.status: \"kladde\" er ikke en af mulighederne"]),
    ("record-field", lambda t: t.replace("      titel: Klinisk farmaceut\n", ""), ["formandskab.medlemmer[2].titel: mangler"]),
    ("duplicate-key", lambda t: t.replace("  klynge: Midtklyngen\n", "  klynge: Midtklyngen\n  klynge: Midtklyngen\n"), ["feltet 'klynge' står to gange"]),
]


@pytest.mark.parametrize("case_id, edit, fragments", CASES, ids=[c[0] for c in CASES])
def test_each_problem_is_reported_and_nothing_is_written(workdir, case_id, edit, fragments):
    bad = workdir / "answers" / "bad.yaml"
    bad.write_text(edit(EXAMPLE_TEXT), encoding="utf-8")
    assert bad.read_text(encoding="utf-8") != EXAMPLE_TEXT, "the edit did not apply"
    out = workdir / "out" / "bad.docx"

    check = run_cli("check", "answers/bad.yaml", cwd=workdir)
    assert_clean_failure(check, "answers/bad.yaml:", *fragments)

    render = run_cli("render", "answers/bad.yaml", cwd=workdir)
    assert_clean_failure(render, "answers/bad.yaml:", *fragments)
    assert not out.exists()
    assert not (workdir / "out").exists() or not any((workdir / "out").iterdir())


def test_every_problem_at_once_with_lines(workdir):
    text = EXAMPLE_TEXT.replace("dato: 2026-11-25", "dato: 2026-02-30").replace("  nedsat_af:", "  nedsat_aff:")
    text = text.replace("status: udkast", "status: kladde")
    bad = workdir / "answers" / "many.yaml"
    bad.write_text(text, encoding="utf-8")
    result = run_cli("check", "answers/many.yaml", cwd=workdir)
    assert_clean_failure(result)
    lines = result.stderr.strip().splitlines()
    assert lines == sorted(lines, key=lambda line: int(line.split(":")[1]))
    assert any(f"answers/many.yaml:{line_of(text, 'nedsat_aff')}: gruppe.nedsat_aff: ukendt felt" in line for line in lines)
    # nedsat_af is required and now missing as well: it is reported on its section's line.
    assert any(f"answers/many.yaml:{line_of(text, '2026-02-30')}: dokument.dato:" in line for line in lines)
    assert any(f"answers/many.yaml:{line_of(text, 'kladde')}: dokument.status:" in line for line in lines)
    assert any("gruppe.nedsat_af: mangler" in line for line in lines)
    assert len(lines) == 4


def test_existing_output_stays_byte_identical_when_input_turns_bad(workdir):
    good = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", cwd=workdir)
    assert good.returncode == 0, good.stderr
    out = workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx"
    before = out.read_bytes()
    source = workdir / "answers" / ADHOC_EXAMPLE.name
    source.write_text(EXAMPLE_TEXT.replace("slut: 2027-12-17", "slut: 2020-01-01"), encoding="utf-8")
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", cwd=workdir)
    assert_clean_failure(result, "tidsplan.slut")
    assert out.read_bytes() == before
    assert sorted(p.name for p in (workdir / "out").iterdir()) == [out.name]


def test_bom_is_accepted(workdir):
    source = workdir / "answers" / "bom.yaml"
    source.write_bytes(b"\xef\xbb\xbf" + EXAMPLE_TEXT.encode("utf-8"))
    result = run_cli("check", "answers/bom.yaml", cwd=workdir)
    assert result.returncode == 0, result.stderr


def test_check_writes_nothing(workdir):
    before = sorted(p.relative_to(workdir) for p in workdir.rglob("*"))
    result = run_cli("check", *(f"answers/{p.name}" for p in (workdir / "answers").glob("*.yaml")), cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "i orden" in result.stdout
    assert sorted(p.relative_to(workdir) for p in workdir.rglob("*")) == before


def test_missing_file_and_folder(workdir):
    assert_clean_failure(run_cli("check", "answers/nope.yaml", cwd=workdir), "answers/nope.yaml: filen findes ikke")
    assert_clean_failure(run_cli("render", "nope.yaml", cwd=workdir), "nope.yaml: filen findes ikke")


def test_a_named_pipe_is_refused_without_waiting(workdir):
    import os

    fifo = workdir / "answers" / "pipe.yaml"
    os.mkfifo(fifo)
    result = run_cli("check", "answers/pipe.yaml", cwd=workdir, timeout=30)
    assert_clean_failure(result, "answers/pipe.yaml: er en navngivet pipe (FIFO)")


def test_at_least_one_agrees_with_the_nouns_gender():
    """'angiv mindst ét medlem', not 'én medlem': Danish neuter nouns take 'ét'."""
    from drafter.questionnaire import one

    assert one("medlem") == "ét medlem"
    assert one("opgave") == "én opgave"
    assert one("milepæl") == "én milepæl"
