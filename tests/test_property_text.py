"""Property: any text in any text field is rendered exactly as typed, or refused clearly.

Arbitrary Unicode (XML specials, Jinja and docxtpl syntax, YAML syntax, newlines, tabs,
Danish letters, emoji) is put into every free-text field of a valid answer file, the file is
written with drafter's own writer (answers.to_yaml, which the interview uses too), read back
and validated, and the document rendered in-process with one prepared DocxRenderer.

Either validation refuses it -- and then only because of characters a Word file cannot hold,
naming each such field -- or the document shows every value as the README documents it:

* a `text` value (also list items, table cells, free-text choices) appears trimmed;
* a `paragraphs` value becomes one Word paragraph per blank-line-separated paragraph, each
  trimmed;
* inside a value a line break is a Word line break and a tab a Word tab (python-docx shows
  them as "\\n" and "\\t"); a carriage return counts as a line break;
* document properties (title, author) show the value with runs of whitespace as one space.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile

from docx import Document
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from conftest import ADHOC_EXAMPLE, docx_paragraphs
from drafter.answers import check_file
from drafter.yamlio import to_yaml
from drafter.yamlread import parse_answer_text, read_answer_file
from drafter.errors import AnswerFileError
from drafter.questionnaire import load_questionnaire
from drafter.render import DocxRenderer, render_document

QUESTIONNAIRE = load_questionnaire("adhoc")
RENDERER = DocxRenderer(QUESTIONNAIRE.template_path)
BASE = read_answer_file(ADHOC_EXAMPLE).data

# Characters XML 1.0 cannot hold (surrogates cannot even be written as UTF-8 and are not generated).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Each value carries a marker from the private use area, so that it is found in one place only.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"

FRAGMENTS = [
    "{{ 7*7 }}", "{% for x in y %}", "{%p if 1 %}", "{%tr endfor %}", "{_{", "}_}", "{_%", "%_}", "{#", "#}",
    "&", "&amp;", "<", ">", "<w:p>", "</w:t>", "]]>", '"', "'", "\\", "\\n",
    "\n", "\n\n", "\n \t\n", "\r\n", "\r", "\t", " ", "  ", "\u00a0", "\u2028", "\u2029", "\x85",
    "æ", "ø", "å", "Æ", "Ø", "Å", "🎉", "👩🏽‍⚕️", "€",
    "- ", ": ", "#", "*a", "&a ", "!!python/object/apply:os.system", "---", "...", "|", ">-", "? ", "%YAML",
    "2027-01-04", "yes", "no", "null", "~", "1.0", "0x1F", "\x7f", "\x9f",
]
# Characters a Word file cannot hold; put into one field of about half the examples, so that
# both outcomes (rendered, refused) are exercised often.
ILLEGAL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\ufffe", "\uffff"]


def text_strategy() -> st.SearchStrategy[str]:
    characters = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters=MARK_OPEN + MARK_CLOSE)
    piece = st.one_of(st.text(characters, max_size=8), st.sampled_from(FRAGMENTS))
    return st.lists(piece, max_size=6).map("".join)


def slots() -> list[tuple]:
    """Every place in an answer file that holds free text: (path, type)."""
    found = []
    for section in QUESTIONNAIRE.sections:
        for question in section.questions:
            if question.type in ("text", "paragraphs") or (question.type == "choice" and question.allow_other):
                found.append(((section.key, question.key), question.type))
            elif question.type == "list":
                found.append(((section.key, question.key, 0), "text"))
            elif question.type == "records":
                for field in question.fields:
                    if field.type in ("text", "paragraphs") or (field.type == "choice" and field.allow_other):
                        found.append(((section.key, question.key, 0, field.key), field.type))
    return found


SLOTS = slots()
PROPERTIES_ONLY = {("dokument", "forfatter")}  # a document property, not body text


def field_name(path: tuple) -> str:
    if len(path) == 3:  # a list item: reported as the list
        return f"{path[0]}.{path[1]}"
    if len(path) == 4:
        return f"{path[0]}.{path[1]}[{path[2] + 1}].{path[3]}"
    return ".".join(path)


def put(data: dict, path: tuple, value: str) -> None:
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def marker(index: int) -> str:
    return f"{MARK_OPEN}{index:02d}{MARK_CLOSE}"


def normalised(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


def expected_paragraphs(value: str) -> list[str]:
    """The documented rule, written out independently of the code under test."""
    return [part.strip() for part in re.split(r"\n[ \t]*\n", normalised(value)) if part.strip()]


def check_whitespace_is_preserved(docx: bytes) -> None:
    """Word drops leading/trailing spaces of a w:t unless it says xml:space="preserve"."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        for name in archive.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                xml = archive.read(name).decode("utf-8")
                for attributes, text in re.findall(r"<w:t( [^>]*)?>([^<]*)</w:t>", xml):
                    if text != text.strip():
                        assert 'xml:space="preserve"' in (attributes or ""), f"{name}: spaces would be lost in {text!r}"


# No explain phase: it re-runs a failure thousands of times (minutes) for little extra insight.
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink])
TEXTS = st.lists(st.tuples(text_strategy(), text_strategy()), min_size=len(SLOTS), max_size=len(SLOTS))
# One field gets a character a Word file cannot hold, at the start or the end of its text.
POISON = st.tuples(st.integers(0, len(SLOTS) - 1), st.sampled_from(ILLEGAL), st.booleans())


# The property is one; its two outcomes are two tests, so that the two halves run side by side
# on two workers. Only a poisoned field can be refused (the generated text holds no control
# characters), so the outcome follows from the poison. Each example fills every free-text
# field (about 30) with its own random text: 120 documents rendered (one run drew about 150
# when the two were mixed) and 80 refusals (about 50 before) still put thousands of values
# through each path.
@settings(max_examples=120, **SETTINGS)
@given(TEXTS)
def test_text_is_rendered_exactly(texts):
    check_rendered_exactly_or_refused_clearly(texts, None)


@settings(max_examples=80, **SETTINGS)
@given(TEXTS, POISON)
def test_text_a_word_file_cannot_hold_is_refused_clearly(texts, poison):
    check_rendered_exactly_or_refused_clearly(texts, poison)


def check_rendered_exactly_or_refused_clearly(texts, poison):
    data = copy.deepcopy(BASE)
    values = {}
    for index, ((path, kind), (before, after)) in enumerate(zip(SLOTS, texts)):
        if poison and poison[0] == index:
            before, after = (before + poison[1], after) if poison[2] else (before, poison[1] + after)
        value = before + marker(index) + after
        put(data, path, value)
        values[path] = (value, kind)
    source = to_yaml(QUESTIONNAIRE, {k: v for k, v in data.items() if isinstance(v, dict)})
    try:
        answers = check_file(parse_answer_text(source.encode("utf-8"), "egenskab.yaml"))
    except AnswerFileError as exc:
        illegal = {field_name(path) for path, (value, _) in values.items() if XML_ILLEGAL.search(value)}
        assert illegal, f"refused although every character can be stored: {exc}"
        reported = set()
        for problem in exc.problems:
            assert exc.source.file == "egenskab.yaml" and exc.source.line(problem.path) is not None, problem
            assert "som ikke kan stå i et Word-dokument" in problem.message, problem
            # A plain list's bad entry is named by its index: kommunikation.interessenter[1].
            field = re.sub(r"\[\d+\]$", "", problem.field)
            assert field in illegal, problem
            reported.add(field)
        assert reported == illegal
        event("refused: a character Word cannot hold")
        return

    assert not any(XML_ILLEGAL.search(value) for value, _ in values.values()), "a character Word cannot hold got through"
    event("rendered")
    docx = render_document(answers, RENDERER)
    check_whitespace_is_preserved(docx)
    doc = Document(io.BytesIO(docx))
    paragraphs = docx_paragraphs(doc)
    for index, (path, (value, kind)) in enumerate(values.items()):
        mark = marker(index)
        if path in PROPERTIES_ONLY:
            continue  # checked below
        if kind == "paragraphs":
            expected = expected_paragraphs(value)
            k = next(i for i, part in enumerate(expected) if mark in part)
            holders = [i for i, text in enumerate(paragraphs) if mark in text]
            assert len(holders) == 1, (path, value, holders)
            j = holders[0] - k
            assert paragraphs[j : j + len(expected)] == expected, (path, value)
        else:
            expected = normalised(value).strip()
            assert any(expected in text for text in paragraphs), (path, value, [t for t in paragraphs if mark in t])
    props = doc.core_properties
    navn = normalised(values[("gruppe", "navn")][0]).strip()
    assert props.title == " ".join(f"Kommissorium for {navn}".split())
    forfatter = normalised(values[("dokument", "forfatter")][0]).strip()
    assert props.author == " ".join(forfatter.split())
