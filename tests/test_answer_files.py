"""Answer files stay the person's own text: saves change only the answers that changed.

The examples are saved unchanged (byte-identical), with every single answer changed (only
that answer's lines differ), with comments written by hand at the top, above a section, at
a line end and above a list item (all kept), and through the real `drafter edit --set`,
checked with `git diff --no-index` as a person reviewing the change would see it.
"""

from __future__ import annotations

import copy
import difflib
import re
import subprocess
from pathlib import Path

import pytest

from conftest import ADHOC_EXAMPLE, EXAMPLES, assert_clean_failure, run_cli
from drafter import yamlio
from drafter.answers import check_file as validate, load_answers
from drafter.yamlread import parse_answer_text
from drafter.yamlio import StaleFile, answer_comparer, answers_text, kept_meta, save_answers


def _load(path: Path):
    answers = load_answers(path)
    return answers, kept_meta(answers.source.data)


def with_comments(text: str) -> str:
    """*text* with a comment at the top, above a section, at a line end and above a list item."""
    lines = text.split("\n")
    out = ["# Min egen kommentar øverst i filen", *lines]
    section = next(i for i, line in enumerate(out) if re.match(r"^[a-z_]+:\s*$", line) and i > 3)
    out.insert(section, "# Kommentar over et afsnit: spørg formanden først")
    scalar = next(i for i, line in enumerate(out) if re.match(r"^  [a-z_]+: [^|>'\"#].*$", line))
    out[scalar] += "  # kommentar ved linjens ende"
    item = next(i for i, line in enumerate(out) if re.match(r"^\s+- ", line))
    indent = len(out[item]) - len(out[item].lstrip())
    out.insert(item, " " * indent + "# kommentar over et punkt i en liste")
    return "\n".join(out)


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_saving_unchanged_answers_leaves_every_example_byte_identical(example, tmp_path):
    for text in (example.read_text(encoding="utf-8"), with_comments(example.read_text(encoding="utf-8"))):
        copy_ = tmp_path / example.name
        copy_.write_text(text, encoding="utf-8")
        before = copy_.read_bytes()
        answers, meta = _load(copy_)
        written = save_answers(copy_, answers.questionnaire, answers.values, answers.complete, meta, base=before)
        assert written == before
        assert copy_.read_bytes() == before


def _changed_value(question, current):
    if question.type in ("text",):
        return (current or "Ny tekst") + " (rettet)"
    if question.type == "choice":
        return next((c for c in question.choices if c != current), None) if not question.allow_other else (current or "x") + " (rettet)"
    if question.type == "paragraphs":
        return (current or "Første afsnit.") + "\n\nEt nyt afsnit."
    if question.type == "date":
        return "2031-02-03"
    if question.type == "bool":
        return not current
    if question.type == "list":
        return [*(current or []), "Et nyt punkt"]
    if question.type == "records" and current:
        changed = copy.deepcopy(current)
        first = question.fields[0]
        changed[-1][first.key] = "2031-02-03" if first.type == "date" else f"{changed[-1].get(first.key) or ''} (rettet)"
        return changed
    return None


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_changing_one_answer_changes_only_its_lines(example):
    """Each answer of each example, changed alone: one place in the file changes, and the
    file read back holds exactly the new answers."""
    base = with_comments(example.read_text(encoding="utf-8")).encode("utf-8")
    answers = validate(parse_answer_text(base, str(example)))
    meta = kept_meta(answers.source.data)
    same = answer_comparer(answers.questionnaire)
    tried = 0
    for question in answers.questionnaire.questions:
        section, key = question.path.split(".")
        new = _changed_value(question, answers.values[section].get(key))
        if new is None:
            continue
        values = copy.deepcopy(answers.values)
        values[section][key] = new
        text = answers_text(answers.questionnaire, values, answers.complete, meta, base).decode("utf-8")
        data = parse_answer_text(text.encode("utf-8"), "x").data
        assert same((section, key), data.get(section, {}).get(key), new), question.path
        for other in answers.questionnaire.questions:
            if other is not question:
                s, k = other.path.split(".")
                assert same((s, k), data.get(s, {}).get(k), answers.values[s].get(k)), (question.path, other.path)
        diff = changed_lines(base.decode("utf-8"), text)
        hunks = list(difflib.SequenceMatcher(None, base.decode().splitlines(), text.splitlines()).get_opcodes())
        assert sum(1 for tag, *_ in hunks if tag != "equal") == 1, (question.path, diff)
        for comment in ("# Min egen kommentar", "# Kommentar over et afsnit", "# kommentar ved linjens ende",
                        "# kommentar over et punkt"):
            assert comment in text, (question.path, comment)
        tried += 1
    assert tried >= 10


def test_a_changed_line_keeps_its_comment_and_quoting(tmp_path):
    text = ADHOC_EXAMPLE.read_text(encoding="utf-8")
    assert '  version: "1.0"' in text
    text = text.replace("  dato: 2026-11-25", "  dato: 2026-11-25   # aftalt med formanden")
    answers = validate(parse_answer_text(text.encode(), "x"))
    values = copy.deepcopy(answers.values)
    values["dokument"]["dato"] = "2026-12-01"
    values["dokument"]["version"] = "1.1"
    new = answers_text(answers.questionnaire, values, True, kept_meta(answers.source.data), text.encode()).decode()
    assert changed_lines(text, new) == [
        "-  dato: 2026-11-25   # aftalt med formanden",
        '-  version: "1.0"',
        "+  dato: 2026-12-01   # aftalt med formanden",
        '+  version: "1.1"',
    ]


def test_crlf_line_ends_and_a_bom_are_kept():
    raw = b"\xef\xbb\xbf" + ADHOC_EXAMPLE.read_bytes().replace(b"\n", b"\r\n")
    answers = validate(parse_answer_text(raw, "x"))
    values = copy.deepcopy(answers.values)
    values["opgaver"]["opgaver"].append("Et punkt mere")
    values["formaal"]["tekst"] += "\n\nEt afsnit mere."
    new = answers_text(answers.questionnaire, values, True, {}, raw)
    assert new.startswith(b"\xef\xbb\xbf")
    assert new.count(b"\n") == new.count(b"\r\n")
    assert validate(parse_answer_text(new, "x")).values == validate(parse_answer_text(
        answers_text(answers.questionnaire, values, True, {}, None), "y")).values


def test_a_missing_section_is_added_in_the_readable_style():
    text = ADHOC_EXAMPLE.read_text(encoding="utf-8").split("# 6. Afslutning")[0]
    answers = load_answers(ADHOC_EXAMPLE)
    new = answers_text(answers.questionnaire, answers.values, True, {}, text.encode()).decode()
    assert new.startswith(text)
    assert "\n# 6. Afslutning\nafslutning:\n  tekst: " in new


def test_a_file_changed_on_disk_is_not_overwritten(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(ADHOC_EXAMPLE.read_bytes())
    answers, meta = _load(path)
    base = path.read_bytes()
    edited = base.replace(b"Klinisk farmaceut", b"Klinisk farmaceut, ph.d.")
    path.write_bytes(edited)
    values = copy.deepcopy(answers.values)
    values["tidsplan"]["slut"] = "2027-12-20"
    with pytest.raises(StaleFile) as stale:
        save_answers(path, answers.questionnaire, values, True, meta, base=base)
    assert "ændret på disken" in str(stale.value)
    assert path.read_bytes() == edited
    # ... also when the change lands between the check and the rename
    path.write_bytes(base)
    from drafter import fsutil

    real_replace = fsutil.os.replace

    def sneaky_replace(src, dst):
        raise AssertionError("must not be reached")

    def edit_then_check():
        path.write_bytes(edited)
        yamlio.check_unchanged(path, base)

    original = fsutil.atomic_write
    try:
        fsutil.os.replace = sneaky_replace
        with pytest.raises(StaleFile):
            original(path, b"new", before_replace=edit_then_check)
    finally:
        fsutil.os.replace = real_replace
    assert path.read_bytes() == edited
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_new_file_never_replaces_one_that_appeared(tmp_path):
    path = tmp_path / "x.yaml"
    answers, meta = _load(ADHOC_EXAMPLE)
    path.write_text("# someone else's\n", encoding="utf-8")
    with pytest.raises(yamlio.NewFileExists):
        save_answers(path, answers.questionnaire, answers.values, True, meta, base=None)
    assert path.read_text(encoding="utf-8") == "# someone else's\n"


# -- drafter edit FILE --set, the real command ---------------------------------------------

def _git_diff(a: Path, b: Path) -> list[str]:
    result = subprocess.run(["git", "diff", "--no-index", "--no-color", "-U0", str(a), str(b)],
                            capture_output=True, text=True)
    return [line for line in result.stdout.splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


SET_ONE = {
    # example stem -> (--set, the line it must become)
    "udskrivelse-af-skroebelige-aeldre": ("formandskab.medlemmer[2].titel=Afdelingsleder", "      titel: Afdelingsleder"),
}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_edit_set_changes_exactly_that_answers_line(example, tmp_path):
    work = tmp_path / "answers"
    work.mkdir()
    target = work / example.name
    target.write_text(with_comments(example.read_text(encoding="utf-8")), encoding="utf-8")
    before = tmp_path / "before.yaml"
    before.write_bytes(target.read_bytes())
    answers = load_answers(target)
    date_question = next(q for q in answers.questionnaire.questions if q.type == "date" and answers.get(q.path))
    old = answers.get(date_question.path)
    new = f"{int(old[:4]) - 1}{old[4:]}" if date_question.path.endswith("start") else old[:8] + ("28" if old[8:] != "28" else "27")
    result = run_cli("edit", target, "--set", f"{date_question.path}={new}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / f"{example.stem}.docx").exists()
    key = date_question.path.split(".")[1]
    diff = _git_diff(before, target)
    assert len(diff) == 2, diff
    assert diff[0].startswith("-") and f"{key}: {old}" in diff[0]
    assert diff[1] == diff[0].replace("-", "+", 1).replace(old, new)


def test_edit_set_reaches_a_field_of_one_record(adhoc_example, tmp_path):
    before = tmp_path / "before.yaml"
    before.write_bytes(adhoc_example.read_bytes())
    result = run_cli("edit", adhoc_example, "--set", "formandskab.medlemmer[2].titel=Afdelingsleder",
                     "--set", "opgaver.opgaver[6]=Skrive slutrapporten", cwd=adhoc_example.parent.parent)
    assert result.returncode == 0, result.stderr
    assert _git_diff(before, adhoc_example) == [
        "+    - Skrive slutrapporten",
        "-      titel: Klinisk farmaceut",
        "+      titel: Afdelingsleder",
    ]
    assert "Dokument: out/udskrivelse-af-skroebelige-aeldre.docx" in result.stdout


@pytest.mark.parametrize("setting, exit_code, message", [
    ("gruppe.nanv=x", 2, 'mente du "gruppe.navn"'),
    ("formandskab.medlemmer[2].tite=x", 2, "ukendt felt 'tite'"),
    ("formandskab.medlemmer[12].titel=x", 2, "har 7 punkter"),
    ("tidsplan.slut=32-12-2027", 2, "har ikke en 32. dag"),
    ("tidsplan.slut=2020-01-01", 1, "ligger før tidsplan.start"),
    ("gruppe.navn=", 1, "gruppe.navn: mangler"),
])
def test_edit_set_with_a_bad_key_or_value_changes_nothing(adhoc_example, setting, exit_code, message):
    before = adhoc_example.read_bytes()
    result = run_cli("edit", adhoc_example, "--set", setting, cwd=adhoc_example.parent.parent)
    assert_clean_failure(result, message)
    assert result.returncode == exit_code
    assert adhoc_example.read_bytes() == before
    assert not (adhoc_example.parent.parent / "out").exists()


def test_a_document_saved_in_word_while_drafter_writes_is_not_overwritten(adhoc_example, tmp_path, monkeypatch):
    """The window between the overwrite check and the rename: a save landing there wins."""
    from drafter import fsutil
    from drafter.errors import OutputError
    from drafter.batch import render_file

    output = tmp_path / "out" / "x.docx"
    render_file(adhoc_example, output)
    adhoc_example.write_text(adhoc_example.read_text(encoding="utf-8").replace("2027-12-17", "2027-12-20"), encoding="utf-8")
    real = fsutil._set_mode

    def word_saves_meanwhile(name, mode):
        real(name, mode)
        if Path(name).name.startswith(f".{output.name}."):  # the document's own temporary file, not a cache entry
            output.write_bytes(b"saved by Word")

    monkeypatch.setattr(fsutil, "_set_mode", word_saves_meanwhile)
    with pytest.raises(OutputError, match="blev ændret, mens drafter skrev"):
        render_file(adhoc_example, output)
    assert output.read_bytes() == b"saved by Word"
    assert [p.name for p in output.parent.iterdir()] == ["x.docx"]


# -- the writer, at random (issue 29): every reader reads back what was written -------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

WRITER_KIND = """
kind: skriv
schema_version: 1
name: Skriveprøve
description: En lille type til writerens tilfældige test.
sections:
  - key: s
    title: S
    questions:
      - key: tekst
        type: text
        prompt: Tekst?
      - key: liste
        type: list
        prompt: Liste?
"""
# Text that a YAML 1.1 or 1.2 reader would take for something else, if written plain.
LOOKS_TYPED = ["2026-13-01", "0000-00-00", "2026-02-30", "2026-1-5", "12:30", "08:30:00", "1e3", "0o17", "0x1F",
               ".5", "-.5", "1_000", "+1", "y", "N", "on", "Off", "yes", "NO", "null", "Null", "~", ".inf", "-.NaN",
               "2026-01-05T10:00:00", "2026-01-05 10:00:00 +01:00", "<<", "=", "true", "False", "2026-01-05"]
# The shapes an answer file is found in: drafter's own, with a block that has an indentation
# digit, flow collections with comments inside and after, JSON from another tool.
WRITER_BASES = {
    "plain": "kind: skriv\nschema_version: 1\ns:\n  tekst: gammel  # behold\n  liste:\n    - a\n    - b\n",
    "block-digit": "kind: skriv\nschema_version: 1\ns:\n  tekst: |1\n     med et mellemrum foran\n  liste:\n    - a\n    - b\n",
    "block-digit-keep": "kind: skriv\nschema_version: 1\ns:\n  tekst: |2+\n      to mellemrum\n\n  liste: [a, b]\n",
    "flow": "kind: skriv\nschema_version: 1\ns: {\n  tekst: gammel,  # inde i samlingen\n  liste: [a, b]  # efter listen\n}  # efter samlingen\n",
    "json": '{\n  "kind": "skriv",\n  "schema_version": 1,\n  "s": {\n    "tekst": "gammel",\n    "liste": ["a", "b"]\n  }\n}\n',
}


def _writer_kind():
    from drafter.questionnaire import _load_file

    folder = Path(__import__("tempfile").mkdtemp(prefix="skriv-"))
    (folder / "skriv.yaml").write_text(WRITER_KIND, encoding="utf-8")
    return _load_file(folder / "skriv.yaml")


_WRITER = {}


def _as_read(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(sorted(WRITER_BASES)),
    text=st.one_of(st.sampled_from(LOOKS_TYPED), st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=12),
                   st.sampled_from(["to\nlinjer", "a, b: {c} # d", "'citat'", '"citat"', "- punkt", "? spørgsmål"])),
    item=st.one_of(st.sampled_from(LOOKS_TYPED), st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=8)),
)
def test_whatever_is_written_every_reader_reads_back(base, text, item):
    import json

    import yaml

    from drafter.yamlread import parse_answer_text

    questionnaire = _WRITER.get("q") or _WRITER.setdefault("q", _writer_kind())
    same = answer_comparer(questionnaire)
    values = {"s": {"tekst": text, "liste": ["a", item]}}
    out = answers_text(questionnaire, values, True, None, WRITER_BASES[base].encode("utf-8")).decode("utf-8")
    fresh = answers_text(questionnaire, values, True, None, None).decode("utf-8")
    for written in (out, fresh):
        ours = parse_answer_text(written.encode("utf-8"), "").data  # drafter's own reader
        theirs = yaml.safe_load(written)  # and PyYAML's, as other tools read the file
        for data in (ours, theirs):
            plain = {"tekst": _as_read(data["s"].get("tekst")), "liste": [_as_read(v) for v in data["s"]["liste"]]}
            assert same(("s",), plain, values["s"]), (base, written)
        # Nothing another reader takes for a number, a date, a boolean or null, unless it is one.
        for value in (theirs["s"].get("tekst"), *theirs["s"]["liste"]):
            assert value is None or isinstance(value, str) or hasattr(value, "isoformat"), (written, value)
    if base == "json":
        json.loads(out)  # a JSON file stays JSON
    if base == "flow" and text.strip():  # values set in place (a key removed rewrites the section)
        assert "# inde i samlingen" in out and "# efter listen" in out and "# efter samlingen" in out, out
    if base.startswith("block-digit"):
        assert "|1" not in out and "|2" not in out or out == WRITER_BASES[base]
