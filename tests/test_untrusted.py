"""Templates and kinds from others, special files, and zip bombs: bounded and cleanly refused.

Every attack runs drafter's command line (cli.main) in ONE subprocess capped at 500 MB of
address space (resource.setrlimit), each case with a 60 s alarm for hangs and its CPU
time measured (under 10 s). Passing means drafter stayed inside the caps, ended with a
Danish message naming the file, printed no traceback and no "intern fejl", and wrote
nothing. The cases are built first, then run together: one Python start, not sixty.
"""

from __future__ import annotations

import io
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ADHOC_EXAMPLE, FULL_LAYOUT_TEMPLATE, REPO, docx_text
from untrusted_docx import docx_bytes, write_docx

MEMORY_CAP = 500 * 1024 * 1024
CPU_SECONDS = 10
HERE = Path(__file__).resolve().parent
ADHOC_KIND = (REPO / "drafter" / "kinds" / "adhoc.yaml").read_text(encoding="utf-8")


class Attacks:
    """Cases to run together: each has its own folder with a copy of an answer file."""

    def __init__(self, root: Path):
        self.root = root
        self.cases: dict[str, dict] = {}
        self.results: dict[str, dict] = {}

    def folder(self, name: str) -> Path:
        work = self.root / name
        (work / "answers").mkdir(parents=True)
        shutil.copy(ADHOC_EXAMPLE, work / "answers" / "a.yaml")
        return work

    def add(self, name: str, *args, work: Path, env: dict | None = None) -> None:
        self.cases[name] = {"args": [str(a) for a in args], "cwd": str(work), "env": env or {}}

    def run(self) -> None:
        cases, results = self.root / "cases.json", self.root / "results.json"
        cases.write_text(json.dumps(self.cases), encoding="utf-8")
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(REPO)}
        env.pop("DRAFTER_DEBUG", None)
        cap = lambda: resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))  # noqa: E731
        done = subprocess.run([sys.executable, str(HERE / "untrusted_driver.py"), str(cases), str(results)],
                              env=env, capture_output=True, text=True, timeout=900, preexec_fn=cap)
        assert done.returncode == 0, done.stderr
        self.results = json.loads(results.read_text(encoding="utf-8"))

    def result(self, name: str) -> dict:
        result = self.results[name]
        assert not result["hung"], (name, result["output"])
        assert result["cpu"] < CPU_SECONDS, (name, result["cpu"])
        assert "Traceback" not in result["output"] and "intern fejl" not in result["output"], (name, result["output"])
        assert "hukommelse" not in result["output"], (name, result["output"])  # stopped well before the cap
        return result

    def refused(self, name: str, *fragments: str) -> str:
        result = self.result(name)
        assert result["code"] > 0, (name, result)
        for fragment in fragments:
            assert fragment in result["output"], f"{name}: {fragment!r} not in:\n{result['output']}"
        return result["output"]

    def passed(self, name: str) -> str:
        result = self.result(name)
        assert result["code"] == 0, (name, result["output"])
        return result["output"]


RUNAWAY = {
    "nested-range": (["{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}"], "gentager for meget"),
    "string-repeat": (['{{ "x" * 3000000000 }}'], "højst"),
    "power": (["{{ 7 ** 99999999999 }}"], "for stort tal"),
    "center": (['{{ "x"|center(3000000000) }}'], "for stort"),
    "replace": (['{% set s = "abcdefghij" * 1000 %}{{ s|replace("", s)|replace("", s) }}'], "højst"),
    "macro-recursion": (["{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(60) }}"], "gentager for meget"),
    # Each doubling counts by the items it makes: the steps run out as the list reaches 4 million.
    "list-doubling": (["{% set ns = namespace(x=[1]) %}{% for i in range(60) %}{% set ns.x = ns.x + ns.x %}{% endfor %}"], "gentager for meget"),
    "format-width": (['{{ "%999999999s" % 1 }}'], "feltbredde"),
    "silent-loops": (["{% for a in gruppe.navn %}{% for b in gruppe.navn %}{% for c in gruppe.navn %}{% for d in gruppe.navn %}"
                      "{% endfor %}{% endfor %}{% endfor %}{% endfor %}"], "gentager for meget"),
}
TITLES = {
    "title-repeat": ('"{{ \'x\' * 3000000000 }}"', "højst"),
    "title-internals": ('"{{ gruppe.navn.__class__ }}"', "Pythons indre dele"),
    "title-undefined": ('"{{ gruppe.findes_ikke.x }}"', 'feltet "findes_ikke", som ikke findes'),
}
EQUIVALENTS = {
    "loops": ["{%p for o in opgaver.opgaver %}", "• {{ o }}", "{%p endfor %}"],
    "conditions": ["{%p if opgaver.snitflader %}", "Snitflader: {{ opgaver.snitflader|length }}", "{%p endif %}"],
    "filters": ["{{ gruppe.navn|upper }} {{ gruppe.navn|replace('ældre', 'borgere') }} {{ '%s/%s'|format(1, 2) }}"],
    "escapes": ["Skriv {_{ navn }_} for et felt; {{ gruppe.navn }}"],
    "macros": ["{% macro hilsen(n) %}Kære {{ n }}{% endmacro %}{{ hilsen(gruppe.navn) }}"],
}
TABLE = ('<w:tbl><w:tblGrid><w:gridCol w:w="4000"/><w:gridCol w:w="4000"/></w:tblGrid>'
         '<w:tr><w:tc><w:p><w:r><w:t>{%tr for m in formandskab.medlemmer %}</w:t></w:r></w:p></w:tc></w:tr>'
         '<w:tr><w:tc><w:p><w:r><w:t>{{ m.navn }}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{{ m.titel }}</w:t></w:r></w:p></w:tc></w:tr>'
         '<w:tr><w:tc><w:p><w:r><w:t>{%tr endfor %}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>')


def _bomb(path: Path) -> bytes:
    """A Word file with an 80 MB part of zeros that compresses to about 80 KB."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes(["{{ gruppe.navn }}"]))) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        with dst.open("word/media/nul.bin", "w") as member:
            chunk = bytes(16 * 1024 * 1024)
            for _ in range(5):
                member.write(chunk)
    return path.read_bytes()


def _lying_sizes(data: bytes) -> bytes:
    """Claim 10 bytes for the body in both zip headers: zipfile reads no further, the CRC fails."""
    data = bytearray(data)
    for signature, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while at >= 0:
            if data[at + name_at:at + name_at + 17] == b"word/document.xml":
                data[at + offset:at + offset + 4] = (10).to_bytes(4, "little")
            at = data.find(signature, at + 4)
    return bytes(data)


def _kind(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def attacks(tmp_path_factory) -> Attacks:
    a = Attacks(tmp_path_factory.mktemp("angreb"))
    check = lambda name, template, work, **kw: a.add(name, "template", "check", template, "--kind", "adhoc", work=work, **kw)  # noqa: E731
    render = lambda name, template, work, *extra, **kw: a.add(name, "render", "answers/a.yaml", "--template", template, *extra, work=work, **kw)  # noqa: E731

    for name, (body, _) in RUNAWAY.items():
        work = a.folder(f"runaway-{name}")
        template = write_docx(work / "løbsk.docx", ["{{ gruppe.navn }}", *body])
        check(f"runaway-{name}-check", template, work)
        render(f"runaway-{name}-render", template, work)

    work = a.folder("fold")
    check("fold", write_docx(work / "fold.docx", ['{{ "x" * 3000000000 }}{{ 7 ** 99999999999 }}{{ gruppe.navn }}']), work)
    for name, raw in {
        "deep": docx_bytes(["{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}"]),
        "malformed": docx_bytes(raw_body="<w:p><w:r><w:t>{{ gruppe.navn }}</w:r></w:p>"),
        "lying": _lying_sizes(docx_bytes(["{{ gruppe.navn }}"])),
    }.items():
        work = a.folder(name)
        (work / f"{name}.docx").write_bytes(raw)
        check(f"{name}-check", work / f"{name}.docx", work)
        render(f"{name}-render", work / f"{name}.docx", work)
    work = a.folder("runtime")
    render("runtime", write_docx(work / "kørsel.docx", ["{{ gruppe.navn|int + 'x' }}", "{{ 10 ** 5000 }}"]), work)
    work = a.folder("parts")
    with zipfile.ZipFile(work / "dele.docx", "w") as archive:
        for n in range(1100):
            archive.writestr(f"x/{n}.xml", "")
    check("parts-check", work / "dele.docx", work)
    render("parts-render", work / "dele.docx", work)

    # zip bombs, as a template and at the output path
    work = a.folder("bomb")
    bomb = _bomb(work / "bombe.docx")
    check("bomb-check", work / "bombe.docx", work)
    render("bomb-render", work / "bombe.docx", work)
    work = a.folder("bomb-output")
    (work / "out").mkdir()
    (work / "out" / "a.docx").write_bytes(bomb)
    a.add("bomb-output", "render", "answers/a.yaml", work=work)
    work = a.folder("bomb-output-force")
    (work / "out").mkdir()
    (work / "out" / "a.docx").write_bytes(bomb)
    a.add("bomb-output-force", "render", "answers/a.yaml", "--force", work=work)

    # special files
    work = a.folder("fifo")
    os.mkfifo(work / "rør.docx")
    check("fifo-template-check", work / "rør.docx", work)
    render("fifo-template-render", work / "rør.docx", work)
    (work / "out").mkdir()
    os.mkfifo(work / "out" / "a.docx")
    a.add("fifo-output", "render", "answers/a.yaml", work=work)
    a.add("fifo-output-force", "render", "answers/a.yaml", "--force", work=work)
    work = a.folder("device")
    check("device-template", "/dev/zero", work)
    a.add("device-answers", "check", "/dev/zero", work=work)
    (work / "out").mkdir()
    os.mknod(work / "out" / "a.docx", stat.S_IFCHR | 0o666, os.makedev(1, 5))  # /dev/zero's numbers
    a.add("device-output", "render", "answers/a.yaml", work=work)
    a.add("device-output-force", "render", "answers/a.yaml", "--force", work=work)

    # every part of a template
    work = a.folder("notes")
    notes = {"header": ["Sidehoved: {{ gruppe.klynge }}"], "footnotes": ["Fodnote: {{ gruppe.navn }}"],
             "endnotes": ["Slutnote: {{ dokument.version }}"], "comments": ["Kommentar: {{ dokument.status }}"]}
    render("notes-render", write_docx(work / "noter.docx", ["Brødtekst: {{ gruppe.navn }}"], **notes), work)
    render("core-render", write_docx(work / "egenskaber.docx", ["{{ gruppe.navn }}"], core={
        "dc:title": "Ikke brugt: {{ gruppe.nanv }}", "cp:keywords": "{{ gruppe.klynge }}, {{ dokument.status }}",
        "dc:description": "Felter i {{ }} udfyldes"}), work, "-o", "out/egenskaber.docx")
    check("core-check", write_docx(work / "egenskaber2.docx", ["{{ gruppe.navn }}"], core={
        "cp:keywords": "{{ gruppe.klynge }} {{ dokument.verson }}", "dc:description": "{{ 'x' * 3000000000 }}"}), work)
    render("core-runaway", write_docx(work / "egenskaber3.docx", ["{{ gruppe.navn }}"], core={
        "dc:description": "{{ 'x' * 3000000000 }}"}), work, "-o", "out/egenskaber3.docx")
    bad = write_docx(work / "noter2.docx", ["{{ gruppe.navn }}"], footnotes=["{{ gruppe.nanv }}"],
                     endnotes=["{{ x|shout }}"], comments=["{{ dokument.verson }}"])
    check("notes-check", bad, work)
    work = a.folder("quotes")
    check("quotes", write_docx(work / "mange.docx", [
        "Her er en liste over nanv, som du bestilte.", "Første: {{ gruppe.nanv }}", "Anden: {{ gruppe.nanv|upper }}",
        "Tredje: {{ gruppe.nanv }} slut", "{{ gruppe.navn|shout }}", "{{ gruppe.navn|whisper }}", "{% for %}",
        "{{ dokument.verson }}",
    ]), work)
    work = a.folder("no-tags")
    check("no-tags", write_docx(work / "tom.docx", ["Bare tekst."]), work)
    work = a.folder("equivalents")
    for name, body in EQUIVALENTS.items():
        template = write_docx(work / f"{name}.docx", body, footer=["{{ dokument.version }}"], footnotes=["{{ gruppe.klynge }}"])
        check(f"equivalent-{name}-check", template, work)
        render(f"equivalent-{name}-render", template, work, "-o", f"out/{name}.docx")
    (work / "tabel.docx").write_bytes(docx_bytes(raw_body=TABLE))
    check("equivalent-table-check", work / "tabel.docx", work)
    render("equivalent-table-render", work / "tabel.docx", work, "-o", "out/tabel.docx")

    # kinds from others
    work = a.folder("kinds-bomb")
    env = {"DRAFTER_KINDS_PATH": str(work / "typer")}
    letters = "abcdefghi"
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'] + [
        f"{letters[i + 1]}: &{letters[i + 1]} [{','.join(['*' + letters[i]] * 9)}]" for i in range(8)
    ]
    _kind(work / "typer", "bombe", "kind: bombe\nname: Bombe\n" + "\n".join(lines) + "\ndescription: *i\n")
    _kind(work / "typer", "ødelagt", "kind: x\nname: [\n")
    a.add("kinds-bomb", "kinds", work=work, env=env)
    work = a.folder("kinds-chain")
    env = {"DRAFTER_KINDS_PATH": str(work / "typer")}
    for n in range(3000):
        _kind(work / "typer", f"k{n}", f"extends: k{n + 1}\nkind: k{n}\n")
    _kind(work / "typer", "ring1", "extends: ring2\nkind: ring1\n")
    _kind(work / "typer", "ring2", "extends: ring1\nkind: ring2\n")
    (work / "answers" / "k.yaml").write_text("kind: k0\nschema_version: 1\n", encoding="utf-8")
    (work / "answers" / "r.yaml").write_text("kind: ring1\nschema_version: 1\n", encoding="utf-8")
    a.add("kinds-chain-unused", "check", "answers/a.yaml", work=work, env=env)
    a.add("kinds-chain", "check", "answers/k.yaml", work=work, env=env)
    a.add("kinds-ring", "check", "answers/r.yaml", work=work, env=env)
    work = a.folder("kinds-template")
    env = {"DRAFTER_KINDS_PATH": str(work / "typer")}
    _kind(work / "typer", "egen", ADHOC_KIND.replace("kind: adhoc\n", "kind: egen\ntemplate: egen.docx\n", 1))
    write_docx(work / "typer" / "egen.docx", ["{{ gruppe.nanv }}"])
    (work / "answers" / "e.yaml").write_text(ADHOC_EXAMPLE.read_text(encoding="utf-8").replace("kind: adhoc", "kind: egen", 1), encoding="utf-8")
    a.add("kinds-template", "render", "answers/e.yaml", work=work, env=env)
    for name, (title, _) in TITLES.items():
        work = a.folder(name)
        start = ADHOC_KIND.index("  title:")
        end = ADHOC_KIND.index("\n", start)
        _kind(work / "typer", "adhoc", ADHOC_KIND[:start] + f"  title: {title}" + ADHOC_KIND[end:])
        a.add(name, "render", "answers/a.yaml", work=work, env={"DRAFTER_KINDS_PATH": str(work / "typer")})
    # paths and environment values a user can give
    work = a.folder("paths")
    (work / "answers" / "ring.yaml").symlink_to("ring.yaml")
    a.add("symlink-loop", "render", "answers/ring.yaml", work=work)
    a.add("long-name", "render", "answers/" + "a" * 300 + ".yaml", work=work)
    a.add("long-output", "render", "answers/a.yaml", "-o", "out/" + "b" * 300 + ".docx", work=work)
    for n in range(3):
        shutil.copy(ADHOC_EXAMPLE, work / "answers" / f"kopi-{n}.yaml")
    a.add("jobs-superscript", "render", "answers", "--out-dir", "mange", work=work, env={"DRAFTER_JOBS": "²"})
    a.run()
    return a


def _nothing_written(a: Attacks, name: str) -> None:
    out = Path(a.cases[name]["cwd"]) / "out"
    assert not out.exists() or not any(p.suffix == ".docx" and p.is_file() for p in out.iterdir()), name


# -- templates that would run forever or grow without end -----------------------------------

@pytest.mark.parametrize("name", RUNAWAY)
def test_runaway_templates_are_stopped(attacks, name):
    # The check (which compiles, and tries each part once without answers) ends within the
    # caps; rendering is stopped and says why: by that check where the template is costly
    # whatever is answered, else by the rendering's own budgets.
    attacks.result(f"runaway-{name}-check")
    output = attacks.refused(f"runaway-{name}-render", "løbsk.docx: brødtekst:", RUNAWAY[name][1])
    assert "intet er skrevet" in output or "skabelonen bruges ikke" in output, output
    _nothing_written(attacks, f"runaway-{name}-render")


def test_constant_folding_in_the_check_is_bounded(attacks):
    # Jinja folds constant expressions while compiling: the check must not compute them
    # there; its trial without answers then stops them within the caps, and says why.
    attacks.refused("fold", "fold.docx: brødtekst: fejl:", "højst", "prøvet uden svar")


@pytest.mark.parametrize("name, fragments", [
    ("deep", ("deep.docx", "for dybt indlejret")),
    ("malformed", ("malformed.docx", "brødtekst:", "Word-XML'en er ødelagt i linje 1")),
    ("lying", ("lying.docx", "er ikke en Word-fil")),
    ("parts", ("dele.docx", "filen har 1.100 dele; en Word-fil må højst have 1.000")),
    ("bomb", ("bombe.docx", "delen word/media/nul.bin fylder 80 MB udpakket; en del må højst fylde 64 MB")),
    ("fifo-template", ("rør.docx", "er en navngivet pipe (FIFO)")),
])
def test_broken_templates_are_named_by_check_and_render(attacks, name, fragments):
    attacks.refused(f"{name}-check", *fragments)
    attacks.refused(f"{name}-render", *fragments)
    _nothing_written(attacks, f"{name}-render")


def test_runtime_error_of_a_template_is_named(attacks):
    attacks.refused("runtime", "kørsel.docx: brødtekst:", "kunne ikke udfyldes")


def test_a_zip_bomb_at_the_output_is_refused_without_decompressing(attacks):
    attacks.refused("bomb-output", "a.docx: findes allerede og er ikke lavet af drafter")
    assert (Path(attacks.cases["bomb-output"]["cwd"]) / "out" / "a.docx").stat().st_size > 10_000
    attacks.passed("bomb-output-force")


def test_special_files_are_refused_up_front(attacks):
    for name in ("fifo-output", "fifo-output-force"):
        attacks.refused(name, "a.docx: er en navngivet pipe (FIFO), ikke en almindelig fil; drafter skriver ikke til den")
    attacks.refused("device-template", "/dev/zero: er en enhed")
    attacks.refused("device-answers", "/dev/zero: er en enhed")
    for name in ("device-output", "device-output-force"):
        attacks.refused(name, "a.docx: er en enhed")


def test_odd_paths_and_environment_values_get_danish_messages(attacks):
    attacks.refused("symlink-loop", "ring.yaml: filen kan ikke læses (for mange symbolske links i træk")
    attacks.refused("long-name", "filen kan ikke læses (navnet er for langt)")
    attacks.refused("long-output", ".docx: kunne ikke skrives (navnet er for langt)")
    assert "Færdig: 4 skrevet" in attacks.passed("jobs-superscript")  # the link loop is no answer file


# -- every part of a template ------------------------------------------------------------

def test_footnotes_endnotes_and_comments_are_rendered_and_checked(attacks):
    attacks.passed("notes-render")
    with zipfile.ZipFile(Path(attacks.cases["notes-render"]["cwd"]) / "out" / "a.docx") as archive:
        texts = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    assert "Fodnote: Ad-hoc gruppe om udskrivelse" in texts["word/footnotes.xml"]
    assert "Slutnote: 1.0" in texts["word/endnotes.xml"]
    assert "Kommentar: udkast" in texts["word/comments.xml"]
    assert "Sidehoved: Midtklyngen" in texts["word/header1.xml"]
    assert not any("{{" in text for text in texts.values())
    attacks.refused(
        "notes-check",
        'fodnoter (word/footnotes.xml): fejl: "gruppe.nanv" findes ikke',
        'slutnoter (word/endnotes.xml): fejl: filteret "shout" findes ikke',
        'kommentarer (word/comments.xml): fejl: "dokument.verson" findes ikke',
    )


def test_document_properties_are_rendered_and_checked(attacks):
    """docProps/core.xml: a field in a property is filled as docxtpl fills it; the kind's
    own title wins; an empty {{ }} is text; mistakes and runaway code are found."""
    attacks.passed("core-render")
    with zipfile.ZipFile(Path(attacks.cases["core-render"]["cwd"]) / "out" / "egenskaber.docx") as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert "<cp:keywords>Midtklyngen, udkast</cp:keywords>" in core
    assert "<dc:title>Kommissorium for Ad-hoc gruppe" in core and "nanv" not in core
    attacks.refused("core-check", "dokumentegenskaber (docProps/core.xml): keywords: fejl: \"dokument.verson\" findes ikke")
    attacks.refused("core-runaway", "egenskaber3.docx: dokumentegenskaber (docProps/core.xml): description:", "højst")


def test_each_finding_quotes_its_own_tag_and_checking_goes_on(attacks):
    output = attacks.refused("quotes")
    assert 'i teksten: "Første: {{ gruppe.nanv }}"' in output
    assert 'i teksten: "Anden: {{ gruppe.nanv|upper }}"' in output
    assert 'i teksten: "Tredje: {{ gruppe.nanv }} slut"' in output
    assert "bestilte" not in output  # prose with the bare word is never quoted
    assert 'filteret "shout" findes ikke' in output and 'filteret "whisper" findes ikke' in output
    assert '"dokument.verson" findes ikke' in output


def test_a_template_without_tags_gets_a_warning(attacks):
    assert "advarsel: skabelonen har ingen felter" in attacks.passed("no-tags")


def test_equivalents_of_docxtpl_test_templates_pass_and_render_every_part(attacks):
    """Shapes docxtpl's own tests use: loops over records, {%p %}, {%tr %}, filters, escapes,
    macros, tags in the footer and footnotes. No false alarm, and nothing left unrendered."""
    out = Path(attacks.cases["equivalent-loops-render"]["cwd"]) / "out"
    for name in [*EQUIVALENTS, "table"]:
        assert "fejl" not in attacks.passed(f"equivalent-{name}-check"), name
        attacks.passed(f"equivalent-{name}-render")
    for name in EQUIVALENTS:
        with zipfile.ZipFile(out / f"{name}.docx") as archive:
            left = [n for n in archive.namelist() if n.endswith(".xml") and (b"{{" in archive.read(n) or b"{%" in archive.read(n))]
        assert left == ([] if name != "escapes" else ["word/document.xml"]), (name, left)
    assert "Lone Bæk" in docx_text(out / "tabel.docx")
    assert "Skriv {{ navn }} for et felt" in docx_text(out / "escapes.docx")


# -- kinds from others --------------------------------------------------------------------

def test_an_alias_bomb_in_a_kind_is_refused_and_the_others_still_list(attacks):
    output = attacks.refused("kinds-bomb", "bombe.yaml", "YAML-ankre og -aliaser", "kan ikke bruges i en typefil", "ødelagt.yaml:3:")
    assert "adhoc  " in output and "temagruppe" in output


def test_a_long_extends_chain_and_a_cycle_are_reported(attacks):
    attacks.passed("kinds-chain-unused")  # a chain nobody uses costs nothing
    attacks.refused("kinds-chain", "k0.yaml", '"extends" kæder mere end 10 typer sammen')
    attacks.refused("kinds-ring", '"extends" går i ring (ring1 -> ring2 -> ring1)')


def test_a_kinds_own_template_is_checked_when_first_used(attacks):
    attacks.refused("kinds-template", "egen.docx", '"gruppe.nanv" findes ikke')
    _nothing_written(attacks, "kinds-template")


@pytest.mark.parametrize("name", TITLES)
def test_a_kinds_title_is_bounded_and_named(attacks, name):
    attacks.refused(name, "adhoc.yaml: document.title", TITLES[name][1])
    _nothing_written(attacks, name)


# -- a real commission stays far below every limit ------------------------------------------

def test_ten_thousand_members_still_render(tmp_path):
    from drafter.answers import check_file
    from drafter.yamlread import parse_answer_text
    from drafter.render import DocxRenderer, render_document

    text = ADHOC_EXAMPLE.read_text(encoding="utf-8")
    start = text.index("  medlemmer:\n") + len("  medlemmer:\n")
    end = start
    while text[end:end + 4] == "    ":
        end = text.index("\n", end) + 1
    members = "".join(f"    - navn: Medlem {n}\n      titel: Læge\n      organisation: Region\n" for n in range(10_000))
    answers = check_file(parse_answer_text((text[:start] + members + text[end:]).encode("utf-8"), "stor.yaml"))
    data = render_document(answers, DocxRenderer(FULL_LAYOUT_TEMPLATE))
    from drafter.fsutil import read_docx_entries

    entries = read_docx_entries(data)  # our own output passes the limits it is read back with
    assert entries["word/document.xml"].count(b"Medlem 9999") == 1
