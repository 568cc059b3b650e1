"""The hostile-input corpus: answer files people mangle, and outputs drafter must not harm.

Every bad answer file is generated here from a table (one row: the file's bytes, the
fragments its message must contain, the line and the field it must name). The whole corpus
goes through the real CLI in two subprocesses -- one `drafter check` and one
`drafter render` over all files at once, both report per file -- so it runs in seconds.
Every file must give a clear Danish message naming the file (and line and field where they
exist), the exit code must be non-zero, no traceback may appear, nothing may be written
and documents already in the output folder must stay byte-identical.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import ADHOC_EXAMPLE, assert_clean_failure, docx_text, run_cli
from drafter.questionnaire import load_questionnaire

EXAMPLE = ADHOC_EXAMPLE.read_text(encoding="utf-8")
EXAMPLE_DATA = yaml.safe_load(EXAMPLE)
QUESTIONNAIRE = load_questionnaire("adhoc")


@dataclass
class Case:
    id: str
    content: bytes
    fragments: tuple[str, ...]
    line: int | None = None  # the line the message must name
    field: str | None = None  # the field the message must name
    any_line: bool = False  # some line must be named, but which is not worth pinning down


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def edited(case_id: str, old: str, new: str, fragments, field=None, at: str | None = None, count: int = 1) -> Case:
    """The example with one edit; the message must name the line where *at* (default: *new*) stands.

    at="" : the message must name some line, but which one is the YAML parser's business.
    """
    assert old in EXAMPLE, f"{case_id}: {old!r} is not in the example"
    text = EXAMPLE.replace(old, new, count)
    marker = at if at is not None else new.strip().splitlines()[0] if new.strip() else ""
    line = line_of(text, marker) if marker else None
    if not marker:
        return Case(case_id, text.encode("utf-8"), tuple(fragments), None, field, any_line=True)
    return Case(case_id, text.encode("utf-8"), tuple(fragments), line, field)


def raw(case_id: str, content: bytes | str, fragments, line=None, field=None) -> Case:
    if isinstance(content, str):
        content = content.encode("utf-8")
    return Case(case_id, content, tuple(fragments), line, field)


# libyaml's dumper when PyYAML has it: these files are written at import, in every worker
# (some 50 of them: the pure-Python dumper and a parse per file cost each worker 0.5 s).
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dumped(data: dict) -> str:
    return yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False, width=1000)


def billion_laughs() -> str:
    lines = ["kind: adhoc", "schema_version: 1", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    names = "abcdefghi"
    for prev, name in zip(names, names[1:]):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def missing_required_cases() -> list[Case]:
    """One file per required question of the ad-hoc questionnaire, and per required field of its tables."""
    cases = []
    for section in QUESTIONNAIRE.sections:
        for question in section.questions:
            if question.required:
                data = copy.deepcopy(EXAMPLE_DATA)
                del data[section.key][question.key]
                text = dumped(data)
                cases.append(
                    Case(
                        f"missing-{question.path}",
                        text.encode("utf-8"),
                        (f"{question.path}: mangler",),
                        line_of(text, f"\n{section.key}:") + 1,
                        question.path,
                    )
                )
            for field_question in question.fields:
                if not field_question.required:
                    continue
                data = copy.deepcopy(EXAMPLE_DATA)
                entries = data[section.key][question.key]
                del entries[-1][field_question.key]
                where = f"{question.path}[{len(entries)}].{field_question.key}"
                cases.append(
                    Case(f"missing-{where}", dumped(data).encode("utf-8"), (f"{where}: mangler",), None, where, any_line=True)
                )
    return cases


def big_value(size: int) -> str:
    return EXAMPLE.replace("  klynge: Midtklyngen", "  klynge: " + "x" * size)


# The example as an old editor would save it: Latin-1, "æ" as the single byte 0xE6.
LATIN1 = EXAMPLE.encode("latin-1", "replace")
FIRST_NON_ASCII_LINE = next(n for n, line in enumerate(EXAMPLE.split("\n"), start=1) if not line.isascii())

CASES: list[Case] = [
    # -- YAML syntax ------------------------------------------------------------------
    edited("tab-indentation", "  klynge: Midtklyngen", "\tklynge: Midtklyngen", ["YAML-fejl", "tabulator"], at="\tklynge"),
    edited("unclosed-double-quote", 'version: "1.0"', 'version: "1.0', ["YAML-fejl", "begynder her, men lukkes aldrig"]),
    edited("unclosed-double-quote-before-another", 'version: "1.0"\n', 'version: "1.0\n  status: "udkast"\n',
           ["YAML-fejl", "begynder her og fortsætter til linje 16"]),
    edited("unclosed-single-quote", "version: \"1.0\"", "version: '1.0", ["YAML-fejl", "begynder her, men lukkes aldrig"]),
    edited("duplicate-key", "  klynge: Midtklyngen\n", "  klynge: Midtklyngen\n  klynge: Vestklyngen\n",
           ["feltet 'klynge' står to gange"], field="gruppe.klynge", at="klynge: Vestklyngen"),
    edited("duplicate-section", "# 6. Afslutning\n", "gruppe:\n  navn: igen\n", ["feltet 'gruppe' står to gange"], field="gruppe",
           at="gruppe:\n  navn: igen"),
    edited("colon-in-plain-text", "  beskrivelse: Evaluering og anbefalinger foreligger",
           "  beskrivelse: Evaluering: anbefalinger: foreligger", ["YAML-fejl", "kolon"]),
    edited("bad-list-indentation", "  interessenter:\n    - Borgere", "  interessenter:\n    - Borgere\n  - Forkert",
           ["YAML-fejl"], at="  - Forkert"),
    edited("unclosed-flow-list", "status: udkast", "status: [udkast", ["YAML-fejl"], at=""),
    edited("second-document", "# 6. Afslutning\n", "---\nkind: adhoc\n", ["flere YAML-dokumenter"], at="---"),
    edited("unknown-escape", "klynge: Midtklyngen", 'klynge: "Midt\\qklyngen"', ["ukendt tegn efter \\"]),
    edited("windows-path-in-quotes", "klynge: Midtklyngen", 'klynge: "C:\\Users\\klynge"', ["for en omvendt skråstreg"]),
    edited("bad-unicode-escape", "klynge: Midtklyngen", 'klynge: "Midt\\uD800klyngen"', ["ugyldig Unicode-kode"]),
    edited("undefined-alias", "klynge: Midtklyngen", "klynge: *ukendt", ["YAML-fejl", "alias"]),
    edited("raw-control-character", "klynge: Midtklyngen", "klynge: Midt\x01klyngen", ["styretegnet U+0001"]),
    edited("raw-delete-character", "klynge: Midtklyngen", "klynge: Midt\x7fklyngen", ["styretegnet U+007F"]),
    # -- the shape of the file --------------------------------------------------------
    raw("top-level-list", "- kind: adhoc\n- schema_version: 1\n", ["ikke af en liste eller en enkelt værdi"], 1),
    raw("top-level-scalar", "Kommissorium for en gruppe\n", ["ikke af en liste eller en enkelt værdi"], 1),
    raw("empty-file", "", ["filen er tom"], 1),
    raw("only-comments", "# kind: adhoc\n# schema_version: 1\n", ["filen er tom"], 1),
    raw("only-whitespace", "\n\n   \n", ["filen er tom"], 1),
    edited("section-is-a-list", "gruppe:\n  navn:", "gruppe:\n- navn:", ["skal være en gruppe af felter"], field="gruppe", at="gruppe:"),
    edited("section-is-text", "# 6. Afslutning\nafslutning:\n  tekst: |\n", "afslutning: Slut\ngammel:\n  tekst: |\n",
           ["skal være en gruppe af felter"], field="afslutning", at="afslutning: Slut"),
    edited("key-is-a-list", "kind: adhoc\n", "kind: adhoc\n? [a, b]\n: c\n", ["et feltnavn skal være almindelig tekst"], at="? [a, b]"),
    # -- wrong types --------------------------------------------------------------------
    edited("number-for-text", 'version: "1.0"', "version: 1.0", ["skal være tekst, men er et tal (1.0)"], field="dokument.version"),
    edited("hex-number-for-text", 'version: "1.0"', "version: 0x1F", ["skal være tekst, men er et tal (31)"], field="dokument.version"),
    edited("yes-no-for-text", "klynge: Midtklyngen", "klynge: no", ["YAML læser værdien som ja/nej"], field="gruppe.klynge"),
    edited("mapping-for-text", "klynge: Midtklyngen", "klynge: {navn: Midtklyngen}", ["skal være tekst, ikke en gruppe af felter"],
           field="gruppe.klynge"),
    edited("text-for-list", "  interessenter:\n", "  interessenter: Alle\n  gammel:\n", ["skal være en liste"],
           field="kommunikation.interessenter", at="interessenter: Alle"),
    edited("list-in-list", "  interessenter:\n", "  interessenter:\n    - [a, b]\n", ["skal være tekst, ikke en liste"],
           field="kommunikation.interessenter[1]", at="    - [a, b]"),
    edited("list-for-date", "dato: 2026-11-25", "dato: [2026-11-25]", ["skal være en dato på formen ÅÅÅÅ-MM-DD, ikke en liste"],
           field="dokument.dato"),
    edited("number-for-date", "dato: 2026-11-25", "dato: 20261125", ["ikke et tal (20261125)"], field="dokument.dato"),
    edited("text-for-records", "  formaend:\n", "  formaend: Mette Kjærgaard\n  gammel:\n", ["skal være en liste af punkter"],
           field="formandskab.formaend", at="formaend: Mette"),
    edited("record-is-text", "  milepaele:\n", "  milepaele:\n    - 2027-01-01 start\n", ["hver milepæl skal være en gruppe af felter"],
           field="tidsplan.milepaele[1]", at="- 2027-01-01 start"),
    edited("record-is-empty", "  milepaele:\n", "  milepaele:\n    -\n", ["hver milepæl skal være en gruppe af felter"],
           field="tidsplan.milepaele[1]", at="    -\n"),
    edited("complete-not-bool", "schema_version: 1", "schema_version: 1\ncomplete: måske", ["skal være true eller false"],
           field="complete", at="complete:"),
    edited("choice-not-allowed", "status: udkast", "status: kladde", ['"kladde" er ikke en af mulighederne'], field="dokument.status"),
    edited("blank-required-text", "  navn: Ad-hoc gruppe om udskrivelse af skrøbelige ældre", '  navn: "   "', ["mangler"], field="gruppe.navn"),
    # -- dates --------------------------------------------------------------------------
    edited("impossible-date", "dato: 2026-11-25", "dato: 2026-02-30", ['"2026-02-30" er ikke en gyldig dato'], field="dokument.dato"),
    edited("month-13", "start: 2027-01-04", "start: 2027-13-04", ["ikke en gyldig dato"], field="tidsplan.start"),
    edited("date-with-time", "dato: 2026-11-25", "dato: 2026-11-25 10:00", ["ikke en dato på formen ÅÅÅÅ-MM-DD"], field="dokument.dato"),
    edited("danish-date-format", "dato: 2026-11-25", "dato: 25/11/2026", ["ÅÅÅÅ-MM-DD"], field="dokument.dato"),
    edited("impossible-date-in-table", "- dato: 2027-05-03", "- dato: 2027-02-29", ["ikke en gyldig dato"], field="tidsplan.milepaele[2].dato"),
    edited("end-before-start", "slut: 2027-12-17", "slut: 2026-12-17",
           ["datoen (17. december 2026) ligger før tidsplan.start (4. januar 2027)"], field="tidsplan.slut"),
    # -- unknown keys, kind and version -----------------------------------------------
    edited("near-miss-section", "formaal:\n  tekst:", "formal:\n  tekst:", ['ukendt felt; mente du "formaal"?'], field="formal",
           at="formal:"),
    edited("near-miss-question", "  nedsat_af:", "  nedsat_aff:", ['ukendt felt; mente du "nedsat_af"?'], field="gruppe.nedsat_aff"),
    edited("near-miss-table-field", "      titel: Klinisk farmaceut", "      titl: Klinisk farmaceut",
           ['ukendt felt; mente du "titel"?'], field="formandskab.medlemmer[2].titl"),
    edited("near-miss-schema-version", "schema_version: 1", "schema_versoin: 1", ['ukendt felt; mente du "schema_version"?'],
           field="schema_versoin"),
    edited("wrong-kind", "kind: adhoc", "kind: adhok", ["ukendt kommissorietype 'adhok'", 'mente du "adhoc"?'], field="kind"),
    edited("kind-missing", "kind: adhoc\n", "", ["kind: mangler"], field="kind", at="schema_version"),
    edited("kind-not-text", "kind: adhoc", "kind: [adhoc]", ["ukendt kommissorietype"], field="kind"),
    edited("schema-version-2", "schema_version: 1", "schema_version: 2", ["skemaversion 2 understøttes ikke"], field="schema_version"),
    edited("schema-version-text", "schema_version: 1", 'schema_version: "1"', ["understøttes ikke"], field="schema_version"),
    edited("schema-version-missing", "schema_version: 1\n", "", ["schema_version: mangler"], field="schema_version", at="kind: adhoc"),
    # -- bytes --------------------------------------------------------------------------
    raw("latin-1", LATIN1, ["ikke gemt som UTF-8", "gem den igen som UTF-8"], FIRST_NON_ASCII_LINE),
    raw("latin-1-ae", "kind: adhoc\nschema_version: 1\ngruppe:\n  navn: Ad-hoc gruppe om sk\xe6rmtid\n".encode("latin-1"),
        ["ikke gemt som UTF-8 (byte 0xE6 kan ikke læses)"], 4),
    raw("utf-16", EXAMPLE.encode("utf-16"), ["ikke gemt som UTF-8"], 1),
    raw("10-mb-value", big_value(10_000_000), ["filen er for stor", "højst 1.000.000 byte"]),
    raw("value-too-long-for-a-field", EXAMPLE.replace("  sekretariat: |\n", "  sekretariat: " + "x" * 60_000 + "\n  gammel: |\n"),
        ["teksten er for lang (60.000 tegn; højst 50.000)"], line_of(EXAMPLE, "  sekretariat: |"), "formandskab.sekretariat"),
    raw("deep-flow-nesting", "kind: adhoc\nschema_version: 1\ngruppe: " + "[" * 100_000, ["indlejret mere end 50 niveauer"], 3),
    raw("deep-closed-nesting", "kind: adhoc\nschema_version: 1\ngruppe: " + "[" * 30_000 + "]" * 30_000, ["indlejret mere end 50 niveauer"], 3),
    raw("deep-block-nesting", "kind: adhoc\nschema_version: 1\ngruppe:\n  " + "- " * 100_000 + "x\n", ["indlejret mere end 50 niveauer"], 4),
    edited("moderate-nesting", "klynge: Midtklyngen", "klynge: " + "[" * 20 + "]" * 20, ["for dybt indlejret"], at="klynge: [[["),
    # -- YAML features that are not data ----------------------------------------------
    raw("billion-laughs", billion_laughs(), ["YAML-ankre og -aliaser (& og *) kan ikke bruges"], 4),
    raw("alias", EXAMPLE.replace("klynge: Midtklyngen", "klynge: &k Midtklyngen").replace(
        "forfatter: Fællessekretariatet i Midtklyngen", "forfatter: *k"), ["YAML-ankre og -aliaser"], line_of(EXAMPLE, "forfatter:"),
        "dokument.forfatter"),
    edited("merge-key", "    - dato: 2027-05-03\n", "    - <<: {dato: 2027-05-03}\n", ["YAML-fletning"], field="tidsplan.milepaele[2]",
           at="<<:"),
    edited("python-object-apply", "navn: Ad-hoc gruppe om udskrivelse af skrøbelige ældre",
           'navn: !!python/object/apply:os.system ["touch PWNED"]', ["YAML-mærket '!!python/object/apply:os.system' er ikke tilladt"],
           field="gruppe.navn"),
    edited("python-name", "klynge: Midtklyngen", "klynge: !!python/name:os.system", ["YAML-mærket '!!python/name:os.system'"],
           field="gruppe.klynge"),
    edited("python-object-new", "klynge: Midtklyngen", "klynge: !!python/object/new:subprocess.Popen [[touch, PWNED]]",
           ["er ikke tilladt"], field="gruppe.klynge"),
    edited("binary-tag", "klynge: Midtklyngen", "klynge: !!binary TWlkdGtseW5nZW4=", ["YAML-mærket '!!binary'"], field="gruppe.klynge"),
    edited("local-tag", "klynge: Midtklyngen", "klynge: !include /etc/passwd", ["YAML-mærket '!include'"], field="gruppe.klynge"),
    edited("set-tag", "klynge: Midtklyngen", "klynge: !!set {a, b}", ["YAML-mærket '!!set'"], field="gruppe.klynge"),
    # -- characters a Word file cannot hold -------------------------------------------
    edited("nul-character", "klynge: Midtklyngen", 'klynge: "Midt\\0klyngen"', ["indeholder tegnet U+0000"], field="gruppe.klynge"),
    edited("vertical-tab", "klynge: Midtklyngen", 'klynge: "Midt\\vklyngen"', ["indeholder tegnet U+000B"], field="gruppe.klynge"),
    edited("form-feed-in-paragraphs", "  sekretariat: |\n", '  sekretariat: "Side 1\\fSide 2"\n  gammel: |\n',
           ["indeholder tegnet U+000C"], field="formandskab.sekretariat", at="sekretariat:"),
    edited("escape-character", "klynge: Midtklyngen", 'klynge: "\\e[31mRød\\e[0m"', ["indeholder tegnet U+001B"], field="gruppe.klynge"),
    edited("non-character-fffe", "klynge: Midtklyngen", 'klynge: "Midt\\uFFFEklyngen"', ["indeholder tegnet U+FFFE"], field="gruppe.klynge"),
    edited("control-character-in-list", "    - Almen praksis i Midtklyngen", '    - "Almen\\x07praksis"', ["indeholder tegnet U+0007"],
           field="kommunikation.interessenter[4]", at='    - "Almen'),
    edited("terminal-escape-in-key", "  klynge: Midtklyngen", '  klynge: Midtklyngen\n  "\\e[2J\\e[31mrød": x',
           ["\\x1b[2J\\x1b[31mrød: ukendt felt"], at='"\\e[2J'),
]
CASES += missing_required_cases()
CASES += [
    Case("missing-section", dumped({k: v for k, v in EXAMPLE_DATA.items() if k != "tidsplan"}).encode("utf-8"),
         ("tidsplan.start: mangler", "tidsplan.slut: mangler", "tidsplan.milepaele: mangler"), None, "tidsplan.start", any_line=True),
]

assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


def case_file_name(index: int, case: Case) -> str:
    return f"bad-{index:03d}-{case.id}.yaml"


def problems_by_file(stderr: str, names: list[str]) -> dict[str, list[str]]:
    """stderr lines grouped by the answer file they are about.

    `check` prints "file:line: field: message"; a multi-file `render` lists each failed file
    as "fejlet: file" followed by its problems, indented.
    """
    grouped: dict[str, list[str]] = {name: [] for name in names}
    for line in stderr.splitlines():
        if line.startswith("fejlet: "):
            name = line.removeprefix("fejlet: ").removeprefix("answers/")
            assert name in grouped, f"an unknown file failed: {line!r}"
            continue
        line = line.removeprefix("  ")
        name = line.split(":", 1)[0].removeprefix("answers/")
        assert name in grouped, f"a message that names no answer file: {line!r}"
        if line not in grouped[name]:
            grouped[name].append(line)
    return grouped


def assert_case_reported(case: Case, name: str, lines: list[str]) -> None:
    text = "\n".join(lines)
    assert lines, f"{case.id}: no message for {name}"
    for fragment in case.fragments:
        assert fragment in text, f"{case.id}: {fragment!r} not in:\n{text}"
    if case.line is not None:
        assert any(line.startswith(f"answers/{name}:{case.line}: ") for line in lines), f"{case.id}: line {case.line} not named:\n{text}"
    if case.any_line:
        assert any(re.match(rf"answers/{re.escape(name)}:\d+: ", line) for line in lines), f"{case.id}: no line named:\n{text}"
    if case.field is not None:
        assert any(f": {case.field}: " in line for line in lines), f"{case.id}: field {case.field} not named:\n{text}"
    # A problem is one line: no raw control characters reach the terminal.
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", text), f"{case.id}: control characters in the message: {text!r}"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "answers").mkdir()
    names = []
    for index, case in enumerate(CASES, start=1):
        name = case_file_name(index, case)
        (folder / "answers" / name).write_bytes(case.content)
        names.append(name)
    return folder, names


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40
    required = [q for q in QUESTIONNAIRE.questions if q.required]
    assert sum(c.id.startswith("missing-") for c in CASES) >= len(required)


def test_check_reports_every_bad_file(corpus):
    folder, names = corpus
    result = run_cli("check", *(f"answers/{n}" for n in names), cwd=folder)
    assert_clean_failure(result)
    assert result.returncode == 1
    assert "intern fejl" not in result.stderr
    assert result.stdout == "", "a bad file was reported as fine"
    grouped = problems_by_file(result.stderr, names)
    for case, name in zip(CASES, names):
        assert_case_reported(case, name, grouped[name])
    assert not (folder / "PWNED").exists()


def test_render_writes_nothing_and_leaves_existing_documents_alone(corpus, tmp_path):
    folder, names = corpus
    work = tmp_path / "render"
    shutil.copytree(folder / "answers", work / "answers")
    shutil.copy(ADHOC_EXAMPLE, work / "answers" / "good.yaml")
    first = run_cli("render", "answers/good.yaml", cwd=work)
    assert first.returncode == 0, first.stderr
    good = (work / "out" / "good.docx").read_bytes()
    # Every bad file's output path already holds an earlier document.
    for name in names:
        (work / "out" / name.replace(".yaml", ".docx")).write_bytes(good)
    before = {p.name: p.read_bytes() for p in (work / "out").iterdir()}

    result = run_cli("render", *(f"answers/{n}" for n in names), cwd=work)
    assert_clean_failure(result)
    assert "intern fejl" not in result.stderr
    assert ".docx" not in result.stdout, "a document was reported as written"
    grouped = problems_by_file(result.stderr, names)
    for case, name in zip(CASES, names):
        assert_case_reported(case, name, grouped[name])
    after = {p.name: p.read_bytes() for p in (work / "out").iterdir()}
    assert after == before
    assert not (work / "PWNED").exists()


def test_the_python_loader_handles_the_corpus_as_well(corpus, monkeypatch):
    """Without libyaml, PyYAML's own (pure Python) loader is used: the same messages, lines and fields."""
    from drafter.answers import load_answers
    from drafter.errors import AnswerFileError

    monkeypatch.delattr(yaml, "CSafeLoader")
    folder, names = corpus
    monkeypatch.chdir(folder)
    for case, name in zip(CASES, names):
        with pytest.raises(AnswerFileError) as caught:
            load_answers(f"answers/{name}")
        if case.id == "bad-unicode-escape":
            # PyYAML reads "\uD800" as a lone surrogate; validation then refuses it.
            case = Case(case.id, case.content, ("gruppe.klynge: indeholder tegnet U+D800",), case.line, "gruppe.klynge")
        assert_case_reported(case, name, caught.value.lines())


# -- accepted: hostile-looking input that is fine ---------------------------------------

LITERAL_NAME = """A & B <c> "d" 'e' {{ 7*7 }} {% for x in y %}{_{ x }_}{%p if 1 %}&amp; ]]> <w:p/>"""
LITERAL_PARAGRAPH = "{{ ''.__class__.__mro__[1].__subclasses__() }} {% include '/etc/passwd' %} {# c #} </w:t></w:r>"


def hostile_but_fine() -> dict[str, bytes]:
    text = EXAMPLE.replace(
        "navn: Ad-hoc gruppe om udskrivelse af skrøbelige ældre", "navn: " + yaml.safe_dump(LITERAL_NAME, width=1000).split("\n")[0]
    ).replace("  sekretariat: |\n", "  sekretariat: " + yaml.safe_dump(LITERAL_PARAGRAPH, width=1000).split("\n")[0] + "\n  gammel: |\n")
    text = text.replace("  gammel: |\n", "  # gammel tekst:\n  #\n", 1)
    text = "\n".join(line if not line.startswith("    Gruppen sekretariatsbetjenes") else "  # " + line for line in text.split("\n"))
    return {
        "bom.yaml": b"\xef\xbb\xbf" + EXAMPLE.encode("utf-8"),
        "crlf.yaml": EXAMPLE.replace("\n", "\r\n").encode("utf-8"),
        "str-tag.yaml": EXAMPLE.replace("klynge: Midtklyngen", "klynge: !!str Midtklyngen").encode("utf-8"),
        "literal.yaml": text.encode("utf-8"),
    }


def test_hostile_looking_but_valid_files_render_literally(workdir):
    files = hostile_but_fine()
    for name, content in files.items():
        (workdir / "answers" / name).write_bytes(content)
    result = run_cli("render", *(f"answers/{n}" for n in files), cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for name in files:
        assert (workdir / "out" / name.replace(".yaml", ".docx")).is_file()
    text = docx_text(workdir / "out" / "literal.docx")
    assert f"Kommissorium for {LITERAL_NAME}" in text
    assert LITERAL_PARAGRAPH in text
    assert "49" not in text.replace("2026", "").replace("2027", "")
    from docx import Document

    assert Document(str(workdir / "out" / "literal.docx")).core_properties.title == f"Kommissorium for {LITERAL_NAME}"
    plain = docx_text(workdir / "out" / "bom.docx")
    assert docx_text(workdir / "out" / "crlf.docx") == plain
    assert docx_text(workdir / "out" / "str-tag.docx") == plain


# -- output paths -----------------------------------------------------------------------

@pytest.fixture
def rendered(workdir) -> tuple[Path, Path, bytes]:
    """A workdir whose example has been rendered once to out/<name>.docx."""
    answers = f"answers/{ADHOC_EXAMPLE.name}"
    result = run_cli("render", answers, cwd=workdir)
    assert result.returncode == 0, result.stderr
    out = workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx"
    return workdir, out, out.read_bytes()


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every entry below *folder*: file bytes, link targets, folders."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = "-> " + str(path.readlink())
        elif path.is_dir():
            found[key] = "<dir>"
        else:
            found[key] = path.read_bytes()
    return found


def test_output_outside_the_out_dir_is_refused(rendered):
    workdir, out, _ = rendered
    before = tree(workdir)
    answers = f"answers/{ADHOC_EXAMPLE.name}"
    result = run_cli("render", answers, "-o", "../x.docx", "--out-dir", "out", cwd=workdir)
    assert_clean_failure(result, "../x.docx: ligger uden for outputmappen out")
    assert result.returncode == 2
    result = run_cli("render", answers, "-o", str(workdir.parent / "y.docx"), "--out-dir", "out", cwd=workdir)
    assert_clean_failure(result, "ligger uden for outputmappen out")
    # A link inside the out-dir that leads out of it is outside as well.
    elsewhere = workdir / "elsewhere"
    elsewhere.mkdir()
    (workdir / "out" / "link").symlink_to(elsewhere)
    before = tree(workdir)
    result = run_cli("render", answers, "-o", "link/z.docx", "--out-dir", "out", cwd=workdir)
    assert_clean_failure(result, "ligger uden for outputmappen out")
    assert tree(workdir) == before
    assert not (workdir.parent / "x.docx").exists() and not (workdir.parent / "y.docx").exists()


def test_output_that_is_a_folder_is_refused(rendered):
    workdir, out, _ = rendered
    answers = f"answers/{ADHOC_EXAMPLE.name}"
    (workdir / "out" / "mappe.docx").mkdir()
    (workdir / "out" / "mappe.docx" / "inside.txt").write_text("keep")
    before = tree(workdir)
    result = run_cli("render", answers, "-o", "out/mappe.docx", cwd=workdir)
    assert_clean_failure(result, "out/mappe.docx: er en mappe, ikke en fil")
    result = run_cli("render", answers, "-o", "out", cwd=workdir)
    assert_clean_failure(result, "out: er en mappe, ikke en fil")
    assert tree(workdir) == before


@pytest.mark.parametrize("target_exists", [True, False], ids=["link-to-file", "dangling-link"])
def test_output_that_is_a_symlink_is_never_written_through(rendered, target_exists):
    workdir, out, good = rendered
    target = workdir / "target.docx"
    if target_exists:
        target.write_bytes(b"someone else's file")
    out.unlink()
    out.symlink_to(target)
    before = tree(workdir)
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", cwd=workdir)
    assert_clean_failure(result, f"out/{out.name}: er et symbolsk link; drafter skriver ikke gennem links")
    assert tree(workdir) == before
    assert out.is_symlink()
    assert target.exists() == target_exists
    # --force does not write through a link either.
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--force", cwd=workdir)
    assert_clean_failure(result, "er et symbolsk link")
    assert tree(workdir) == before


def test_output_folder_that_is_a_file(rendered):
    workdir, out, good = rendered
    answers = f"answers/{ADHOC_EXAMPLE.name}"
    (workdir / "notes.txt").write_text("a file, not a folder")
    before = tree(workdir)
    result = run_cli("render", answers, "--out-dir", "notes.txt", cwd=workdir)
    assert_clean_failure(result, "notes.txt", "en del af stien er en fil, ikke en mappe")
    result = run_cli("render", answers, "--out-dir", "notes.txt/sub", cwd=workdir)
    assert_clean_failure(result, "notes.txt/sub: mappen kan ikke oprettes (en del af stien er en fil, ikke en mappe)")
    assert tree(workdir) == before


def read_only_mount_works() -> bool:
    if not shutil.which("unshare") or not shutil.which("mount"):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind -o ro / / && ! touch /.drafter-ro-probe 2>/dev/null"],
                           capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not read_only_mount_works(), reason="needs unshare and mount (a private read-only bind mount)")
def test_read_only_folder(rendered):
    """A real read-only folder: the out folder bind-mounted read-only in a private mount namespace.

    Tests run as root, for whom permission bits mean nothing; a read-only mount stops root too.
    The mount exists only inside the drafter process's own namespace.
    """
    import os
    import sys

    from conftest import REPO

    workdir, out, good = rendered
    source = workdir / "answers" / ADHOC_EXAMPLE.name
    source.write_text(ADHOC_EXAMPLE.read_text(encoding="utf-8").replace("version: \"1.0\"", "version: \"2.0\""), encoding="utf-8")
    (workdir / "out" / "other.docx").write_bytes(good)
    before = tree(workdir / "out")
    script = 'mount --bind -o ro "$1" "$1" && shift && exec "$@"'
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(workdir / "out"), sys.executable, "-m", "drafter", "render",
         f"answers/{ADHOC_EXAMPLE.name}", "-o", "out/new.docx"],
        cwd=workdir, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"},
    )
    assert_clean_failure(result, "out/new.docx: kan ikke skrive i mappen out (drevet er skrivebeskyttet)")
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(workdir / "out"), sys.executable, "-m", "drafter", "render",
         f"answers/{ADHOC_EXAMPLE.name}"],
        cwd=workdir, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"},
    )
    assert_clean_failure(result, f"out/{out.name}: kan ikke skrive i mappen out (drevet er skrivebeskyttet)")
    assert tree(workdir / "out") == before


def test_no_write_access_in_process(rendered, monkeypatch, capsys):
    """The same refusal where the folder denies access (EACCES), simulated in-process."""
    import errno
    import os

    from drafter.cli import main

    workdir, out, good = rendered
    monkeypatch.chdir(workdir)

    real_open = os.open

    def denied(path, flags, *args, **kwargs):  # the folder refuses a new (temporary) file
        if str(path).endswith(".tmp"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    assert main(["render", f"answers/{ADHOC_EXAMPLE.name}", "-o", "out/new.docx"]) == 1
    err = capsys.readouterr().err
    assert "out/new.docx: der er ikke skriveadgang til mappen out" in err
    assert not (workdir / "out" / "new.docx").exists()
    monkeypatch.undo()
    monkeypatch.chdir(workdir)

    # The rename is refused after the temporary file was written: it is removed again.
    def no_rename(src, dst):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "replace", no_rename)
    assert main(["render", f"answers/{ADHOC_EXAMPLE.name}", "-o", "out/new.docx"]) == 1
    err = capsys.readouterr().err
    assert "out/new.docx: kunne ikke skrives (drevet er skrivebeskyttet)" in err
    assert sorted(p.name for p in (workdir / "out").iterdir()) == [out.name]
    assert out.read_bytes() == good
