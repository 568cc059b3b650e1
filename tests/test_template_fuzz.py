"""Fuzzing Word templates: 500 random mixes of Jinja, Word XML and hostile expressions.

Each case is checked (drafter.templates.check_template) and rendered without the check
(drafter.render.DocxRenderer), in this process and with a per-case alarm.
Whatever the template holds, the only way out is a DrafterError (a Danish message naming
the file) or a valid document: never another exception (a traceback, or "intern fejl"
at the command line) and never a hang.
"""

from __future__ import annotations

import io
import random
import signal
import zipfile
from contextlib import contextmanager

import pytest

from conftest import ADHOC_EXAMPLE
from untrusted_docx import docx_bytes, paragraph

CASES = 500
SECONDS_PER_CASE = 10

NAMES = ["gruppe.navn", "gruppe.klynge", "dokument.version", "formandskab.medlemmer", "opgaver.opgaver",
         "gruppe.navn", "gruppe.type", "dokument.status", "gruppe['navn']",
         "gruppe.nanv", "ukendt", "gruppe.navn.__class__"]
EXPRESSIONS = [
    "{{ %s }}", "{{ %s|upper }}", "{{ %s|shout }}", "{{ %s|length }}", "{{ %s ~ 'x' }}", "{{ %s * 3 }}",
    '{{ "x" * 3000000000 }}', "{{ 7 ** 99999999999 }}", "{{ range(100000)|list|length }}",
    "{{ %s|center(3000000000) }}", "{{ %s|replace('', %s) }}", '{{ "%%999999999s" %% 1 }}',
    "{{ lipsum(n=100000000) }}", "{{ %s.__init__.__globals__ }}", "{{ 10 ** 5000 }}", "{{ (((((1))))) }}",
    "{{ " + "(" * 300 + "1" + ")" * 300 + " }}", "{{ %s|attr('__class__') }}", "{{ cycler(1,2).next() }}",
]
OPENERS = ["{%p for m in formandskab.medlemmer %}", "{% for i in range(100000) %}", "{%p if gruppe.navn %}",
           "{% for c in %s %}", "{%tr for m in formandskab.medlemmer %}", "{% macro f(n) %}{{ f(n) }}{{ f(n) }}",
           "{% set ns = namespace(x=[1]) %}", "{% with a = %s %}", "{% raw %}", "{% filter upper %}"]
CLOSERS = ["{%p endfor %}", "{% endfor %}", "{%p endif %}", "{% endif %}", "{%tr endfor %}", "{% endmacro %}{{ f(30) }}",
           "{% endwith %}", "{% endraw %}", "{% endfilter %}", "{% set ns.x = ns.x + ns.x %}", "{% else %}"]
DEBRIS = ["{{", "}}", "{%", "%}", "{#", "#}", "{_{", "}_}", "<", ">", "&", "&amp;", "]]>", "\u202e", "æøå",
          "{{ }}", "{% %}", "{{ gruppe.", "navn }}", "%}{%", "\\", "'", '"', "\t", "{{- %s -}}"]
XML_DEBRIS = ["</w:t>", "<w:p>", "</w:p>", "<w:r><w:t>", "&bogus;", "<!ENTITY x 'y'>", "<w:t", "\x00", "<?pi?>"]


def _fragment(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        pool = ["{{ %s }}", "{{ %s|upper }}", "{{ %s|length }}", "Tekst uden felter", "{{ %s ~ '!' }}"]
    elif roll < 0.65:
        pool = EXPRESSIONS
    elif roll < 0.75:
        pool = OPENERS
    elif roll < 0.85:
        pool = CLOSERS
    else:
        pool = DEBRIS
    text = rng.choice(pool)
    while "%s" in text:
        text = text.replace("%s", rng.choice(NAMES), 1)
    return text.replace("%%", "%")


VALID = ["{{ gruppe.navn }}", "{{ gruppe.klynge|upper }}", "Tekst: {{ dokument.version ~ '!' }}", "Ingen felter her.",
         "{{ opgaver.opgaver|join(', ') }}", "{{ formandskab.medlemmer|length }} medlemmer", "{{ '%s'|format(gruppe.type) }}"]
BLOCKS = [("{%p for m in formandskab.medlemmer %}", "{{ m.navn }}, {{ m.titel }}", "{%p endfor %}"),
          ("{%p if gruppe.navn %}", "{{ gruppe.navn }}", "{%p endif %}"),
          ("{% for o in opgaver.opgaver %}", "{{ loop.index }}. {{ o }}", "{% endfor %}")]
# Well-formed templates with names that exist: the check passes them; what they compute
# (one hostile expression in every other one) is what rendering must stop.
HOSTILE_VALUES = [e for e in EXPRESSIONS if "%s" not in e and "__" not in e] + [
    "{{ gruppe.navn * 3000000 }}", "{{ gruppe.navn|center(300000000) }}", "{{ gruppe.navn|replace('', gruppe.navn * 100) }}",
    "{% for a in gruppe.navn %}{% for b in gruppe.navn %}{% for c in gruppe.navn %}{% for d in gruppe.navn %}x{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
]


def _case(seed: int) -> bytes:
    rng = random.Random(seed)
    if seed % 2 == 0:
        paragraphs = [rng.choice(VALID) for _ in range(rng.randint(1, 5))]
        for _ in range(rng.randint(0, 2)):
            at = rng.randrange(len(paragraphs) + 1)
            paragraphs[at:at] = list(rng.choice(BLOCKS))
        if seed % 4 == 0:
            paragraphs.insert(rng.randrange(len(paragraphs) + 1), rng.choice(HOSTILE_VALUES))
        return docx_bytes(paragraphs, **({"footnotes": [rng.choice(VALID)]} if rng.random() < 0.3 else {}))
    paragraphs = [" ".join(_fragment(rng) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 8))]
    if rng.random() < 0.15:
        # Raw XML damage: the part may no longer be XML at all.
        raw = "".join(paragraph(p) for p in paragraphs)
        at = rng.randrange(len(raw) + 1)
        return docx_bytes(raw_body=raw[:at] + rng.choice(XML_DEBRIS) + raw[at:])
    extra = {}
    if rng.random() < 0.3:
        extra[rng.choice(["header", "footer", "footnotes", "endnotes", "comments"])] = [_fragment(rng)]
    if rng.random() < 0.2:
        # A tag split over runs, the way Word saves a field typed in two goes.
        text = _fragment(rng)
        cut = rng.randrange(len(text) + 1)
        runs = (f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{_escape(text[:cut])}</w:t></w:r>'
                f'<w:r><w:t xml:space="preserve">{_escape(text[cut:])}</w:t></w:r>')
        return docx_bytes(raw_body="".join(paragraph(p) for p in paragraphs) + f"<w:p>{runs}</w:p>", **extra)
    return docx_bytes(paragraphs, **extra)


def _escape(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text)


class _Hung(BaseException):
    pass


@contextmanager
def _alarm(seconds: int):
    def hung(signum, frame):
        raise _Hung()

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_fuzzed_templates_end_in_a_message_or_a_valid_document(tmp_path, monkeypatch):
    from lxml import etree

    from drafter.answers import load_answers
    from drafter.errors import DrafterError
    from drafter.render import build_context, document_properties, DocxRenderer
    from drafter.templates import check_template

    monkeypatch.setenv("DRAFTER_CACHE_DIR", "off")  # 500 throwaway templates: nothing to keep
    answers = load_answers(ADHOC_EXAMPLE)
    context, properties = build_context(answers), document_properties(answers)
    outcomes = {"check-passed": 0, "check-errors": 0, "message": 0, "rendered": 0}
    path = tmp_path / "fuzz.docx"
    for seed in range(CASES):
        path.write_bytes(_case(seed))
        for step in ("check", "render"):
            try:
                with _alarm(SECONDS_PER_CASE):
                    if step == "check":
                        report = check_template(path, answers.questionnaire)
                        outcomes["check-errors" if report.errors else "check-passed"] += 1
                        continue
                    data = DocxRenderer(path).render(context, properties)
            except DrafterError as exc:
                assert exc.problems and all(str(p).startswith(str(path)) for p in exc.problems), (seed, exc.problems)
                outcomes["message"] += 1
                continue
            except _Hung:
                pytest.fail(f"case {seed} hung in {step}")
            except Exception as exc:  # noqa: BLE001 - exactly what must never happen
                pytest.fail(f"case {seed}, {step}: {type(exc).__name__}: {exc}")
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    if name.endswith(".xml"):
                        etree.fromstring(archive.read(name))  # every part is well-formed XML
            outcomes["rendered"] += 1
    # The mix reaches every outcome, so the fuzzing exercises every path.
    assert all(count > 20 for count in outcomes.values()), outcomes
