"""drafter as a library (drafter.api) on plain data; one Problem type printed escaped by
every command; a question switched off by `when:` blocks nothing."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ADHOC_EXAMPLE, EXAMPLES, docx_text, run_cli
from drafter import api
from drafter.errors import AnswerFileError, OutputError, RuleViolation
from drafter.problems import Problem, format_problem, printable
from drafter.questionnaire import load_questionnaire

ONE_PER_KIND = {yaml.safe_load(p.read_text(encoding="utf-8"))["kind"]: p for p in EXAMPLES}


def plain(path: Path) -> dict:
    """An answer file as a script would hold it: plain dicts, lists, text and real dates."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", sorted(ONE_PER_KIND))
def test_check_and_render_plain_dicts_of_every_kind(kind, tmp_path):
    data = plain(ONE_PER_KIND[kind])
    assert any(isinstance(v, dt.date) for section in data.values() if isinstance(section, dict) for v in section.values())
    assert [p for p in api.check(data) if p.is_error()] == []
    written = api.render(data, tmp_path / "out" / "x.docx")
    assert written == tmp_path / "out" / "x.docx"
    # The same answers as a file give the same document, byte for byte.
    from_file = api.render(api.load(ONE_PER_KIND[kind]), tmp_path / "fil.docx")
    assert written.read_bytes() == from_file.read_bytes()
    assert load_questionnaire(kind).name  # the kind was found from data["kind"]

    question = next(q for q in load_questionnaire(kind).questions if q.required and q.type == "text")
    section, key = question.path.split(".")
    broken = {**data, section: {**data[section], key: None}}
    problems = api.check(broken)
    assert [(p.field, p.severity) for p in problems] == [(question.path, "fejl")]
    with pytest.raises(AnswerFileError) as caught:
        api.render(broken, tmp_path / "y.docx")
    assert [format_problem(p) for p in caught.value.problems] == [f"{question.path}: mangler; feltet skal udfyldes"]
    assert not (tmp_path / "y.docx").exists()


def test_check_names_answer_paths_and_kind(tmp_path):
    data = plain(ADHOC_EXAMPLE)
    data["formandskab"]["medlemmer"][1]["titel"] = 7
    data["tidsplan"]["slut"] = dt.date(2026, 12, 17)  # before the start: the cross-field check
    problems = api.check(data)
    assert [p.field for p in problems] == ["formandskab.medlemmer[2].titel", "tidsplan.slut"]
    assert problems[0].path == ("formandskab", "medlemmer", 1, "titel")
    assert "ligger før tidsplan.start" in problems[1].message
    assert api.check(data, kind="temagruppe")[0].message.startswith("filen er af typen 'adhoc'")
    assert api.check({"schema_version": 1})[0].field == "kind"


def test_render_refuses_rule_errors_drafts_and_hand_edits(tmp_path):
    data = plain(ADHOC_EXAMPLE)
    target = api.render(data, tmp_path / "x.docx")
    assert api.render(data, target) == target  # unchanged: fine
    from docx import Document

    edited = Document(str(target))
    edited.add_paragraph("Tilføjet i Word.")
    edited.save(str(target))
    with pytest.raises(OutputError, match="overskrives ikke"):
        api.render(data, target)
    assert "Tilføjet i Word." in docx_text(target)
    assert api.render(data, target, force=True) == target
    with pytest.raises(AnswerFileError, match="kladde"):
        api.render({**data, "complete": False}, tmp_path / "kladde.docx")
    bad = {**data, "gruppe": {**data["gruppe"], "nedsat_af": "Kantineudvalget"}}
    with pytest.raises(RuleViolation) as caught:
        api.render(bad, tmp_path / "z.docx")
    assert any(p.rule == "opdragsgiver" and p.is_error() for p in caught.value.problems)
    assert [p.rule for p in api.check(bad) if p.is_error()] == ["opdragsgiver"]


def test_one_formatter_escapes_control_characters_bidi_and_ansi():
    problem = Problem("“\u202eevil\u2066” \x1b[31mrød\x9b2J", path=("gruppe", "navn"), file="a\x1b]0;x\x07.yaml")
    shown = format_problem(problem)
    assert shown == "a\\x1b]0;x\\x07.yaml: gruppe.navn: “\\u202eevil\\u2066” \\x1b[31mrød\\x9b2J"
    assert printable("linje 1\nlinje 2\tfane") == "linje 1\\nlinje 2\tfane"


# -- every command prints escaped ------------------------------------------------------------

EVIL = "\x1b[31m"  # an ANSI sequence in a file name
RLO = "\u202e"  # right-to-left override in an answer


def _raw_free(text: str) -> bool:
    return "\x1b" not in text and RLO not in text


def test_bidi_in_an_answer_and_esc_in_a_file_name_print_escaped_through_every_command(workdir):
    good = ADHOC_EXAMPLE.read_text(encoding="utf-8")
    assert "nedsat_af: Voksentemagruppen for somatik" in good
    evil_answer = good.replace("nedsat_af: Voksentemagruppen for somatik", f"nedsat_af: Kantine{RLO}udvalget")
    bad = workdir / "answers" / f"ond{EVIL}.yaml"
    bad.write_text(evil_answer, encoding="utf-8")
    shown_name = f"ond\\x1b[31m.yaml"

    result = run_cli("check", bad, cwd=workdir)
    assert result.returncode == 1 and _raw_free(result.stdout + result.stderr), repr(result.stdout)
    assert f"{shown_name}:" in result.stdout and f"Kantine\\u202eudvalget" in result.stdout

    result = run_cli("render", bad, cwd=workdir)
    assert result.returncode == 1 and _raw_free(result.stdout + result.stderr), repr(result.stderr)
    assert "Kantine\\u202eudvalget" in result.stderr and shown_name in result.stderr

    # A file that renders: its document's name is printed escaped too.
    fine = workdir / "answers" / f"fin{EVIL}.yaml"
    fine.write_text(good, encoding="utf-8")
    result = run_cli("render", fine, cwd=workdir)
    assert result.returncode == 0 and _raw_free(result.stdout + result.stderr), repr(result.stdout)
    assert "fin\\x1b[31m.docx" in result.stdout

    # The batch: failure list and summary line, with an ESC in the output folder too.
    result = run_cli("render", bad, fine, ADHOC_EXAMPLE, "--out-dir", f"ud{EVIL}", cwd=workdir)
    assert result.returncode == 1 and _raw_free(result.stdout + result.stderr), repr(result.stdout + result.stderr)
    assert f"fejlet: answers/{shown_name}" in result.stderr.replace(str(workdir) + "/", "")
    assert "Kantine\\u202eudvalget" in result.stderr
    assert "Færdig: 2 skrevet, 0 uændret, 1 fejlet i ud\\x1b[31m." in result.stdout


# -- when: a question switched off blocks nothing ---------------------------------------------

def _kind_with_a_switch(folder: Path) -> str:
    """adhoc plus a yes/no question and a required question that only applies on yes."""
    source = load_questionnaire("adhoc").source_file.read_text(encoding="utf-8")
    assert "\nkind: adhoc\n" in source and "template: adhoc.docx" in source
    switch = (
        "      - key: budget\n        type: bool\n        prompt: Har gruppen et budget?\n        default: false\n"
        "      - key: beloeb\n        type: text\n        prompt: Hvor stort er budgettet?\n"
        "        when: gruppe.budget\n        required: true\n"
    )
    text = source.replace("\nkind: adhoc\n", "\nkind: medbudget\n", 1)
    first = text.index("    questions:\n") + len("    questions:\n")  # the first section's
    (folder / "medbudget.yaml").write_text(text[:first] + switch + text[first:], encoding="utf-8")
    return "medbudget"


@pytest.fixture
def switch_kind(tmp_path, monkeypatch):
    kinds = tmp_path / "kinds"
    kinds.mkdir()
    kind = _kind_with_a_switch(kinds)
    monkeypatch.setenv("DRAFTER_KINDS_PATH", str(kinds))
    return kind


def test_a_required_question_switched_off_blocks_neither_check_render_nor_interview(switch_kind, workdir):
    data = plain(ADHOC_EXAMPLE)
    data["kind"] = switch_kind
    data["gruppe"]["budget"] = False
    assert [p for p in api.check(data) if p.is_error()] == []
    assert "Voksentemagruppen for somatik" in docx_text(api.render(data, workdir / "a.docx"))
    # Switched on, the question is required.
    on = {**data, "gruppe": {**data["gruppe"], "budget": True}}
    assert [p.field for p in api.check(on)] == ["gruppe.beloeb"]
    # The same through the command line, from a file.
    answer_file = workdir / "answers" / "budget.yaml"
    answer_file.write_text(
        ADHOC_EXAMPLE.read_text(encoding="utf-8").replace("kind: adhoc\n", f"kind: {switch_kind}\n"), encoding="utf-8"
    )
    assert run_cli("check", answer_file, cwd=workdir).returncode == 0
    assert run_cli("render", answer_file, cwd=workdir).returncode == 0
    # The interview's review (the draft session's checks) neither shows nor requires it, and validates in memory.
    from drafter import yamlio as yamlio_module
    from drafter import yamlread as yamlread_module
    from drafter import session as session_module
    from drafter.session import DraftSession

    def no_yaml(*args, **kwargs):
        raise AssertionError("the draft session validates in memory, without YAML")

    loaded = api.load(answer_file)
    session = DraftSession(loaded.questionnaire, loaded.values, path=answer_file, complete=True)
    with pytest.MonkeyPatch.context() as patch:
        for module in (yamlread_module, yamlio_module, session_module):
            for name in ("parse_answer_text", "to_yaml"):
                if hasattr(module, name):
                    patch.setattr(module, name, no_yaml)
        assert session.problems(complete=True) == []
        assert session.rule_report().errors() == []
