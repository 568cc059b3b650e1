"""Word templates a secretariat brings itself: check them before use, or start from a copy.

``check_template`` reads every part that is rendered (the body, headers and footers) and
reports, each with the text around it so a person can find the place in Word:

- tags broken across Word's structure, looked for *before* docxtpl's clean-up
  (``patch_xml``): a tag that is never closed in its paragraph, or whose pieces lie in two
  paragraphs (docxtpl would glue the paragraphs together, or fail), is an error; a tag
  whose characters are spread over several runs of one paragraph is a warning, since
  docxtpl rejoins it but the text around it takes the first run's formatting;
- Jinja that cannot be parsed (after docxtpl's clean-up, exactly as rendering sees it);
- names that do not exist in the kind's questionnaire (the Jinja syntax tree is walked;
  a loop variable over a list of records knows the records' fields);
- any attempt to reach Python's internals (attributes beginning with "_");
- the questions the template never uses (information, not an error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drafter import body
from drafter.errors import KindError, OutputError, TemplateProblem, UsageError
from drafter.fsutil import atomic_write, refuse_unwritable_target
from drafter.problems import ERROR, WARNING, Problem, format_problem, printable
from drafter.questionnaire import LETTERHEAD, Question, Questionnaire, available_kinds, load_questionnaire
from drafter.render import (
    KEPT_CORE_LABELS, APP_PROPERTIES_LABEL, BODY_LABEL, CUSTOM_PROPERTIES_LABEL, PROPERTIES_LABEL, PreparedTemplate,
    jinja_environment, template_cpu_seconds,
)
from drafter.sandbox import TemplateTooCostly, compile_bounded, fresh_budget, memory_guard, parse_bounded
from drafter.suggest import suggest

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_OPENER = re.compile(r"\{\{|\{%|\{#")
_BLOCKS = ("for", "if", "macro", "call", "filter", "with", "block", "autoescape", "raw")
QUOTE_AROUND = 30


def template_finding(severity: str, where: str, message: str, quote: str = "") -> Problem:
    """A problem at a place in a template ("brødtekst", "sidehoved (word/header1.xml)")."""
    return Problem(message, severity=severity, place=where, quote=quote)


@dataclass
class TemplateReport:
    path: str
    kind: str
    findings: list[Problem] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    # The template's own document properties every document keeps (category, Company,
    # custom properties such as a case number), as "name (value)" for the listing.
    kept: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [f for f in self.findings if f.severity == ERROR]

    def lines(self) -> list[str]:
        out = [format_problem(f.in_file(self.path)) for f in self.findings]
        if self.unused:
            out.append(printable(f"{self.path}: spørgsmål, som skabelonen ikke bruger: {', '.join(self.unused)}"))
        if self.kept:
            out.append(printable(f"{self.path}: dokumentegenskaber, som dokumenterne beholder fra skabelonen: "
                                 f"{'; '.join(self.kept)}"))
        if self.errors:
            n = len(self.errors)
            out.append(printable(f"{self.path}: {n} {'fejl' if n == 1 else 'fejl'}; skabelonen kan ikke bruges til '{self.kind}'"))
        else:
            out.append(printable(f"{self.path}: skabelonen kan bruges til '{self.kind}'"))
        return out


# -- reading the parts -------------------------------------------------------------------

def _clip(text: str, start: int, end: int) -> str:
    left = max(0, start - QUOTE_AROUND)
    right = min(len(text), end + QUOTE_AROUND)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


def _own_texts(paragraph) -> list:
    """The w:t elements of *paragraph* itself (not of paragraphs nested in text boxes)."""
    out = []
    for t in paragraph.iter(f"{W}t"):
        if next(t.iterancestors(f"{W}p"), None) is paragraph:
            out.append(t)
    return out


def _run_format(t) -> bytes:
    from lxml import etree

    run = t.getparent()
    props = run.find(f"{W}rPr") if run is not None else None
    if props is None:
        return b""
    # Spelling marks and revision ids do not change how the text looks.
    clean = etree.fromstring(etree.tostring(props))
    for child in list(clean):
        if child.tag in (f"{W}lang", f"{W}noProof", f"{W}rsid"):
            clean.remove(child)
    return etree.tostring(clean)


def _paragraph_texts(root) -> list[str]:
    """The text of every paragraph of a part, as a person sees it in Word."""
    return ["".join(t.text or "" for t in _own_texts(p)) for p in root.iter(f"{W}p")]


def _scan_tags(root, where: str) -> list[Problem]:
    """Tags broken by Word's structure, before docxtpl touches the XML."""
    paragraphs = []
    for p in root.iter(f"{W}p"):
        texts = _own_texts(p)
        pieces = [(t, t.text or "") for t in texts]
        joined = "".join(text for _, text in pieces)
        owner = [i for i, (_, text) in enumerate(pieces) for _ in text]
        paragraphs.append((joined, owner, pieces))

    findings = []
    for number, (text, owner, pieces) in enumerate(paragraphs):
        pos = 0
        while True:
            match = _OPENER.search(text, pos)
            if not match:
                break
            start, opener = match.start(), match.group()
            closer = _CLOSERS[opener]
            end = text.find(closer, start + 2)
            if end < 0:
                later = next((n for n in range(number + 1, len(paragraphs)) if closer in paragraphs[n][0]), None)
                tag = text[start:]
                if later is not None:
                    message = (
                        f'feltet "{tag.strip()}" fortsætter i et senere afsnit; et felt skal stå i ét afsnit. '
                        f"Skriv hele feltet ({opener} … {closer}) på én linje i Word"
                    )
                else:
                    message = f'feltet "{tag.strip()}" bliver aldrig lukket; tilføj "{closer}"'
                findings.append(template_finding(ERROR, where, message, _clip(text, start, len(text))))
                break
            end += 2
            spread = sorted(set(owner[start:end]))
            # Pieces with the same formatting are rejoined without any visible change;
            # only differing pieces lose something (the text takes the first one's look).
            if len(spread) > 1 and len({_run_format(pieces[i][0]) for i in spread}) > 1:
                findings.append(
                    template_finding(
                        WARNING,
                        where,
                        f'feltet "{text[start:end]}" er i Word delt over {len(spread)} tekststykker med forskellig '
                        "formatering; drafter samler det, men teksten får det første stykkes formatering. Marker feltet "
                        "i Word, slet det og skriv det igen i ét stræk (eller indsæt det som ren tekst)",
                        _clip(text, start, end),
                    )
                )
            pos = end
    return findings


# -- Jinja -----------------------------------------------------------------------------

def _line_text(source: str, lineno: int | None) -> str:
    lines = source.split("\n")
    if not lineno or lineno > len(lines):
        return ""
    text = re.sub(r"<[^>]+>", "", lines[lineno - 1])
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def _quote_line(source: str, lineno: int | None, needle: str = "") -> str:
    """The tag holding *needle* in the paragraph at *lineno*, with the text around it."""
    text = _line_text(source, lineno)
    at = text.find(needle) if needle else -1
    if at < 0:
        return text if len(text) <= 2 * QUOTE_AROUND + 20 else text[: 2 * QUOTE_AROUND + 20] + "…"
    opener = max(text.rfind("{{", 0, at + 1), text.rfind("{%", 0, at + 1))
    start = opener if opener >= 0 else at
    closers = [i + 2 for i in (text.find("}}", at), text.find("%}", at)) if i >= 0]
    end = min(closers) if closers else at + len(needle)
    # The text around the tag, but not the neighbouring tags: docxtpl's {%p %} clean-up
    # puts tags of other paragraphs on the same line.
    before = max(text.rfind("}}", 0, start), text.rfind("%}", 0, start))
    after = [i for i in (text.find("{{", end), text.find("{%", end)) if i >= 0]
    left = max(0, start - QUOTE_AROUND, before + 2 if before >= 0 else 0)
    right = min(len(text), end + QUOTE_AROUND, min(after) if after else len(text))
    return ("…" if left > 0 and before + 2 != left else "") + text[left:right].strip() + (
        "…" if right < len(text) and (not after or right != min(after)) else ""
    )


def _unclosed_block(source: str, block: str) -> tuple[int, str] | None:
    """(line, text after the block's name) of the innermost opening of *block* never closed."""
    stack: list[tuple[str, int, str]] = []
    for match in re.finditer(r"\{%-?\s*(\w+)([^%]*)%\}", source):
        name, rest = match.group(1), match.group(2)
        line = source.count("\n", 0, match.start()) + 1
        if name in _BLOCKS or (name == "set" and "=" not in rest):
            stack.append((name, line, rest.strip()))
        elif name.startswith("end") and stack and stack[-1][0] == name[3:]:
            stack.pop()
    found = [(line, rest) for name, line, rest in stack if name == block]
    return found[-1] if found else None


def _syntax_message(exc, source: str) -> tuple[str, int | None, tuple[str, ...]]:
    """(Danish message, line in the prepared source, texts to find the place in Word by)."""
    message = exc.message or ""
    block = re.search(r"innermost block that needs to be closed is '(\w+)'", message)
    if block:
        name = block.group(1)
        opening = _unclosed_block(source, name)
        line, needles = (opening[0], ("{%", name, opening[1])) if opening else (exc.lineno, ())
        text = f'blokken "{{% {name} … %}}" bliver aldrig lukket; tilføj "{{% end{name} %}}" der, hvor den skal slutte'
        return text, line, tuple(n for n in needles if n)
    unknown = re.search(r"Encountered unknown tag '(\w+)'", message)
    if unknown:
        tag = unknown.group(1)
        if tag.startswith("end") or tag in ("else", "elif"):
            return f'"{{% {tag} %}}" står uden en åbnende blok (eller blokkene er lukket i forkert rækkefølge)', exc.lineno, ("{%", tag)
        return f'"{{% {tag} %}}" er ikke et kendt Jinja-mærke', exc.lineno, ("{%", tag)
    no_filter = re.search(r"No filter named '([^']+)'", message)
    if no_filter:
        return f'filteret "{no_filter.group(1)}" findes ikke', exc.lineno, (no_filter.group(1),)
    no_test = re.search(r"No test named '([^']+)'", message)
    if no_test:
        return f'testen "{no_test.group(1)}" findes ikke', exc.lineno, (no_test.group(1),)
    expected = re.search(r"expected token '([^']+)', got '([^']+)'", message)
    if expected:
        text = f'Jinja-koden kan ikke læses: forventede "{expected.group(1)}", men fandt "{expected.group(2)}"'
        return text, exc.lineno, ()
    if "unexpected end of template" in message.lower():
        return "skabelonen slutter midt i et felt eller en blok", exc.lineno, ()
    return f"Jinja-koden kan ikke læses ({message})", exc.lineno, ()


def _target_names(target) -> list[str]:
    from jinja2 import nodes

    if isinstance(target, nodes.Name):
        return [target.name]
    return [n.name for n in target.find_all(nodes.Name)]


class _Walker:
    """Walks a Jinja syntax tree and checks every name against the questionnaire."""

    def __init__(self, questionnaire: Questionnaire, env, report, where: str, source: str):
        self.q = questionnaire
        self.env = env
        self.report = report
        self.where = where
        self.source = source
        self.used: set[str] = set()
        self.sections = {s.key: s for s in questionnaire.template_sections}

    def problem(self, node, message: str, *needles: str, severity: str = ERROR) -> None:
        """A finding quoting the tag where *node* stands (the first needle found there, most specific first)."""
        line = getattr(node, "lineno", None)
        text = _line_text(self.source, line)
        needle = next((n for n in needles if n and n in text), needles[-1] if needles else "")
        finding = template_finding(severity, self.where, message, _quote_line(self.source, line, needle))
        if finding not in self.report.findings:  # the same tag twice in one paragraph
            self.report.findings.append(finding)

    # names bound in scope: ("record", question) | ("item", question) | ("any", None)
    def visit(self, node, scope: dict) -> None:
        from jinja2 import nodes

        if isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            inner = dict(scope)
            binding = self.loop_binding(node.iter, scope)
            for name in _target_names(node.target):
                inner[name] = binding if isinstance(node.target, nodes.Name) else ("any", None)
            inner["loop"] = ("any", None)
            if node.test is not None:
                self.visit(node.test, inner)
            for child in node.body:
                self.visit(child, inner)
            for child in node.else_:
                self.visit(child, scope)
            return
        if isinstance(node, (nodes.Assign, nodes.AssignBlock)):
            if isinstance(node, nodes.Assign):
                self.visit(node.node, scope)
            else:
                for child in node.body:
                    self.visit(child, scope)
            for name in _target_names(node.target):
                scope[name] = ("any", None)
            return
        if isinstance(node, (nodes.Macro, nodes.CallBlock)):
            if isinstance(node, nodes.Macro):
                scope[node.name] = ("any", None)  # a macro may call itself
            inner = dict(scope)
            for arg in node.args:
                inner[arg.name] = ("any", None)
            inner.update(varargs=("any", None), kwargs=("any", None), caller=("any", None))
            if isinstance(node, nodes.Macro):
                scope[node.name] = ("any", None)
            else:
                self.visit(node.call, scope)
            for child in node.body:
                self.visit(child, inner)
            return
        if isinstance(node, nodes.With):
            inner = dict(scope)
            for value in node.values:
                self.visit(value, scope)
            for target in node.targets:
                for name in _target_names(target):
                    inner[name] = ("any", None)
            for child in node.body:
                self.visit(child, inner)
            return
        if isinstance(node, (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
            self.problem(node, "en Word-skabelon kan ikke hente andre skabeloner (include, import, extends); skriv indholdet ind", "{%")
            return
        if isinstance(node, nodes.Filter) and node.name == "attr":
            for arg in node.args:
                if not isinstance(arg, nodes.Const) or str(arg.value).startswith("_"):
                    self.internals(node, str(getattr(arg, "value", "?")))
        if isinstance(node, (nodes.Getattr, nodes.Getitem, nodes.Name)) and getattr(node, "ctx", "load") == "load":
            root, parts = self.chain(node)
            private = next((p for p in parts if isinstance(p, str) and p.startswith("_")), None)
            if private is not None:
                self.internals(node, private)
                return
            if isinstance(root, nodes.Name):
                self.check_chain(node, [root.name, *parts], scope)
                return
            if root is not node:
                self.visit(root, scope)
                return
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def internals(self, node, name: str) -> None:
        self.problem(
            node,
            f'skabelonen forsøger at nå Pythons indre dele ("{name}"); det er ikke tilladt i en skabelon. Fjern feltet',
            name,
        )

    @staticmethod
    def chain(node) -> tuple[Any, list]:
        """x.a['b'].c -> (Name x, ['a', 'b', 'c']); the root is whatever the chain starts from."""
        from jinja2 import nodes

        parts: list = []
        while True:
            if isinstance(node, nodes.Getattr):
                parts.append(node.attr)
                node = node.node
            elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
                parts.append(node.arg.value)
                node = node.node
            else:
                return node, list(reversed(parts))

    def check_chain(self, node, chain: list, scope: dict) -> None:
        name, rest = chain[0], chain[1:]
        if name in scope:
            kind, question = scope[name]
            if kind == "record" and rest and isinstance(rest[0], str):
                self.check_field(node, name, question, rest[0])
            return
        if name in self.env.globals:
            return
        section = self.sections.get(name)
        if section is None:
            self.problem(
                node,
                f'"{name}" findes ikke i spørgeskemaet for "{self.q.kind}"{suggest(name, list(self.sections))}',
                ".".join(str(p) for p in chain[:2]),
                name,
            )
            return
        if not rest:
            self.used.update(q.path for q in section.questions)
            return
        key = rest[0]
        question = next((q for q in section.questions if q.key == key), None)
        if question is None:
            known = [q.key for q in section.questions]
            self.problem(
                node,
                f'"{name}.{key}" findes ikke i spørgeskemaet for "{self.q.kind}"{suggest(str(key), known)}',
                f"{name}.{key}",
                str(key),
            )
            return
        self.used.add(question.path)
        if question.type == "records" and len(rest) >= 3 and isinstance(rest[1], int) and isinstance(rest[2], str):
            self.check_field(node, f"{name}.{key}[{rest[1]}]", question, rest[2])

    def check_field(self, node, shown: str, question: Question, key: str) -> None:
        if question.field_named(key) is not None:
            self.used.add(f"{question.path}.{key}")
            return
        fields = [f.key for f in question.fields]
        self.problem(
            node,
            f'"{shown}.{key}" findes ikke: hvert punkt i {question.path} har felterne {", ".join(fields)}'
            f"{suggest(key, fields)}",
            f"{shown}.{key}",
            key,
        )

    def loop_binding(self, iter_node, scope: dict) -> tuple[str, Question | None]:
        from jinja2 import nodes

        chain = None
        if isinstance(iter_node, (nodes.Getattr, nodes.Getitem)):
            parts, node = [], iter_node
            while isinstance(node, (nodes.Getattr, nodes.Getitem)):
                if isinstance(node, nodes.Getattr):
                    parts.append(node.attr)
                elif isinstance(node.arg, nodes.Const):
                    parts.append(node.arg.value)
                else:
                    return ("any", None)
                node = node.node
            if isinstance(node, nodes.Name):
                chain = [node.name, *reversed(parts)]
        if not chain or len(chain) != 2 or chain[0] in scope:
            return ("any", None)
        question = self.q.question(f"{chain[0]}.{chain[1]}")
        if question is None:
            return ("any", None)
        return ("record", question) if question.type == "records" else ("item", question)


def _used_by_properties(questionnaire: Questionnaire, env) -> set[str]:
    """Questions the kind's document properties (title, author, …) use: used outside the template."""
    from jinja2 import TemplateSyntaxError

    used = set()
    for name, spec in questionnaire.document.items():
        if name == "created":
            used.add(spec)
            continue
        try:
            tree = parse_bounded(env, str(spec))
            walker = _Walker(questionnaire, env, TemplateReport("", questionnaire.kind), "", "")
            walker.visit(tree, {})
        except (TemplateSyntaxError, TemplateTooCostly, RecursionError):
            continue  # the kind's own problem, reported when it renders
        used |= walker.used
    return used


# -- the check -------------------------------------------------------------------------

def check_template(path: str | Path, questionnaire: Questionnaire) -> TemplateReport:
    """Every problem of a Word template for *questionnaire*'s kind (see the module's docstring).

    The template is read and prepared exactly as rendering does (render.PreparedTemplate);
    a broken part is reported and the others are still checked.
    """
    path = Path(path)
    report = TemplateReport(str(path), questionnaire.kind)
    prepared = PreparedTemplate(path)
    env = jinja_environment()
    used: set[str] = set()
    tags = False
    for part in prepared.parts:
        try:
            root = prepared.root(part)
            broken = _scan_tags(root, part.label)
            source = prepared.source(part, root)
        except TemplateProblem as exc:
            message = exc.problems[0].message.split(f"{part.label}: ", 1)[-1]
            report.findings.append(template_finding(ERROR, part.label, message))
            continue
        except RecursionError:
            report.findings.append(template_finding(ERROR, part.label, "Word-XML'en er for dybt indlejret til at kunne læses"))
            continue
        report.findings.extend(broken)
        tags = tags or bool(_OPENER.search(source))
        if any(f.severity == ERROR for f in broken):
            continue  # Jinja would only repeat the same problem, less clearly
        tree = _parse_reporting(env, source, part.label, report)
        if tree is None:
            continue
        walker = _Walker(questionnaire, env, report, part.label, source)
        try:
            walker.visit(tree, {})
        except RecursionError:
            report.findings.append(template_finding(ERROR, part.label, "Jinja-koden er for dybt indlejret"))
            continue
        used |= walker.used
        if not report.errors:
            _trial_render(env, source, part.label, report)
        report.findings.extend(fixed_text_around_optional_values(_paragraph_texts(root), questionnaire, part.label))
    fields = []  # (label, name, Jinja source) of every document property with a field
    for label, read in ((PROPERTIES_LABEL, prepared.properties), (APP_PROPERTIES_LABEL, prepared.extended_properties),
                        (CUSTOM_PROPERTIES_LABEL, prepared.custom_properties)):
        try:
            found = read()
        except TemplateProblem as exc:
            report.findings.append(template_finding(ERROR, label, exc.problems[0].message.split(f"{label}: ", 1)[-1]))
            continue
        if label == CUSTOM_PROPERTIES_LABEL:
            report.kept += [f"{name} ({'udfyldes' if source else _shown_value(element)})" for name, element, source in found]
            fields += [(label, name, source) for name, _, source in found if source]
        else:
            if label == APP_PROPERTIES_LABEL:
                report.kept += [f"{name} (udfyldes)" for name in found]
            fields += [(label, name, source) for name, source in found.items()]
    try:
        report.kept[:0] = [f"{KEPT_CORE_LABELS[name]} ({value})" for name, value in prepared.kept_core_properties().items()]
    except TemplateProblem:
        pass  # reported above, with the core properties
    for label, name, source in fields:
        # A document property is one line of text: its findings quote the property itself.
        tags = True
        if label == PROPERTIES_LABEL and questionnaire.document.get(name):
            continue  # the kind's document: sets it; the template's is never used
        where = f"{label}: {name}"
        tree = _parse_reporting(env, source, where, report)
        if tree is not None:
            walker = _Walker(questionnaire, env, report, where, source)
            walker.visit(tree, {})
            used |= walker.used
    if not tags and not report.errors:
        report.findings.append(template_finding(
            WARNING, BODY_LABEL,
            "skabelonen har ingen felter ({{ … }} eller {% … %}); dokumentet bliver det samme, uanset hvad der svares",
        ))
    if questionnaire.uses_body:
        used |= _letterhead_findings(prepared, questionnaire, report, path)
    if not report.errors:  # with errors, some parts were not read: "unused" would mislead
        used |= _used_by_properties(questionnaire, env)
        report.unused = _unused(questionnaire, used)
    return report


BODY_PLACE = "{{p kommissorium.indhold }}"


def _letterhead_findings(prepared, questionnaire: Questionnaire, report: TemplateReport, path: Path) -> set[str]:
    """A letterhead for a kind built from its YAML: it has the body's one place, and the
    styles the body uses. Returns the questions the body shows. A template of another name
    without that place is a full layout of its own, checked as any template."""
    sources = []
    for part in prepared.parts:
        try:
            sources.append(prepared.source(part))
        except (TemplateProblem, RecursionError):
            continue  # reported above
    if not any(re.search(r"\{\{\s*kommissorium\.indhold\s*\}\}", s) for s in sources):
        if path.name.lower() != LETTERHEAD:
            return set()
        report.findings.append(template_finding(
            ERROR, BODY_LABEL,
            f"brevpapiret har intet sted til kommissoriets indhold; skriv {BODY_PLACE} alene i et afsnit, "
            "der hvor afsnittene skal stå",
        ))
        return set()
    found = body.style_ids(prepared.entries.get("word/styles.xml"))
    missing = [name for name in ("heading 1", "heading 2", "List Bullet", "Table Grid") if name not in found]
    if missing:
        report.findings.append(template_finding(
            WARNING, "typografier (word/styles.xml)",
            f"brevpapiret mangler typografierne {', '.join(missing)}; indholdet står da uden dem. "
            "Brug typografierne én gang i Word (fx Overskrift 1, Opstilling med punkttegn), og gem",
        ))
    return body.used_paths(questionnaire)


def _shown_value(element) -> str:
    """A custom property's value as the listing shows it (at most 60 characters)."""
    text = " ".join("".join(element.itertext()).split())
    return text if len(text) <= 60 else text[:59] + "…"


MAX_SYNTAX_ERRORS = 20


def _trial_render(env, source: str, where: str, report: TemplateReport) -> None:
    """Render a part once with no answers, under the same budgets as a real rendering.

    What a template costs whatever is answered (a loop over range() that sorts a long
    list each time) shows here; an answer missing is no finding (the check above says
    what the fields are), only a template that would run too long or grow too large.
    """
    from jinja2 import ChainableUndefined

    lenient = env.overlay(undefined=ChainableUndefined)
    try:
        code = compile_bounded(lenient, source)[1]
        template = lenient.template_class.from_code(lenient, code, lenient.make_globals(None), None)
        with fresh_budget(template_cpu_seconds()), memory_guard():
            template.render({})
    except TemplateTooCostly as exc:
        report.findings.append(template_finding(ERROR, where, f"{exc} (prøvet uden svar)"))
    except MemoryError:
        report.findings.append(template_finding(ERROR, where, "skabelonen bruger for meget hukommelse (prøvet uden svar)"))
    except Exception:  # noqa: BLE001 - anything else depends on the answers; the check above reports fields
        pass


def _parse_reporting(env, source: str, where: str, report: TemplateReport):
    """The Jinja tree of a part, reporting every syntax error on the way.

    Jinja stops at its first error. To find the next ones, an unknown filter or test is
    given a stand-in, and a line (one Word paragraph) with any other error is blanked,
    then the part is read again. Returns the last tree read, or None.
    """
    from jinja2 import TemplateSyntaxError

    stand_ins = env.overlay()
    lines = source.split("\n")
    blanked = False
    for _ in range(MAX_SYNTAX_ERRORS):
        text = "\n".join(lines)
        try:
            # Compiling, not only parsing, also finds unknown filters and tests.
            return compile_bounded(stand_ins, text)[0]
        except TemplateTooCostly as exc:
            report.findings.append(template_finding(ERROR, where, str(exc)))
            return None
        except TemplateSyntaxError as exc:
            message, line, needles = _syntax_message(exc, text)
            cascade = blanked and re.search(r"Encountered unknown tag '(end\w+|else|elif)'", exc.message or "")
            if not cascade:
                needle = next((n for n in reversed(needles) if n in _line_text(text, line)), "")
                report.findings.append(template_finding(ERROR, where, message, _quote_line(text, line, needle)))
            unknown = re.search(r"No (filter|test) named '([^']+)'", exc.message or "")
            if unknown:
                table = stand_ins.filters if unknown.group(1) == "filter" else stand_ins.tests
                table[unknown.group(2)] = lambda *args, **kwargs: ""
                continue
            if not line or line > len(lines) or not lines[line - 1].strip():
                return None
            lines[line - 1] = ""
            blanked = True
    return None


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
_BLOCK_TAG = re.compile(r"^\s*\{%-?\s*[ptrc]{0,2}\s*(if|elif|else|endif|for|endfor)\b(.*?)-?%\}\s*$")
_VALUE = re.compile(r"\{\{(.*?)\}\}")
_DOTTED = re.compile(r"\b([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\b")


def fixed_text_around_optional_values(paragraphs: list[str], questionnaire: Questionnaire, where: str) -> list:
    """Warnings for a paragraph whose fixed text surrounds an answer that may be left out,
    with no condition on that answer: left empty, the fixed text would stand alone
    ("Gruppen arbejder fra  til ."). A condition is an enclosing {%p if %} (or {%tr if %})
    paragraph, or an inline {% if %} before the value, that names the answer."""
    findings: list = []
    conditions: list[str] = []  # the tests of the enclosing if-paragraphs ("" in an else branch)
    loops: list[tuple[str, Question | None]] = []  # (loop variable, the records question looped over)
    for text in paragraphs:
        block = _BLOCK_TAG.match(text)
        if block:
            word, rest = block.group(1), block.group(2)
            if word == "if":
                conditions.append(rest)
            elif word in ("elif", "else") and conditions:
                conditions[-1] = rest if word == "elif" else ""
            elif word == "endif" and conditions:
                conditions.pop()
            elif word == "for":
                target, _, sequence = rest.partition(" in ")
                loops.append((target.strip(), questionnaire.question(sequence.strip())))
            elif word == "endfor" and loops:
                loops.pop()
            continue
        if not re.search(r"\w", _TAG.sub("", text)):
            continue  # nothing fixed around the values
        for match in _VALUE.finditer(text):
            for name, key in _DOTTED.findall(match.group(1)):
                question = _optional_answer(questionnaire, loops, name, key)
                if question is None:
                    continue
                shown = f"{name}.{key}"
                inline = text[: match.start()]
                guarded = any(shown in c for c in conditions) or re.search(r"\{%-?\s*if\b[^%]*" + re.escape(shown), inline)
                if not guarded:
                    findings.append(template_finding(
                        WARNING, where,
                        f'"{shown}" kan udelades, men står i fast tekst uden betingelse: står svaret tomt, står teksten '
                        f"alene. Sæt {{%p if {shown} %}} og {{%p endif %}} om afsnittet, eller {{% if {shown} %}}...{{% endif %}} om teksten",
                        _clip(text, match.start(), match.end()),
                    ))
    return findings


def _optional_answer(questionnaire: Questionnaire, loops: list, name: str, key: str) -> Question | None:
    """The question behind name.key if its answer may be left out, else None."""
    for variable, records in reversed(loops):
        if variable == name:
            field_ = records.field_named(key) if records is not None else None
            return field_ if field_ is not None and not field_.required else None
    question = questionnaire.question(f"{name}.{key}")
    return question if question is not None and not question.required else None


def _unused(questionnaire: Questionnaire, used: set[str]) -> list[str]:
    out = []
    for question in questionnaire.questions:
        if question.path not in used:
            out.append(question.path)
        elif question.type == "records" and any(p.startswith(question.path + ".") for p in used):
            out.extend(f"{question.path}[].{f.key}" for f in question.fields if f"{question.path}.{f.key}" not in used)
    return out


def require_usable_template(path: Path, questionnaire: Questionnaire) -> TemplateReport:
    """The check before a --template is used: raise TemplateProblem listing the errors."""
    report = check_template(path, questionnaire)
    if report.errors:
        raise TemplateProblem([*(f.in_file(report.path) for f in report.errors),
                               f"{path}: skabelonen bruges ikke; ret fejlene (se: drafter template check {path} --kind {questionnaire.kind})"])
    return report


def check_targets(path: Path | None, kind: str | None) -> list[tuple[Path, Questionnaire]]:
    """What `drafter template check` checks: a template (for *kind*, or the kind its name
    says; the letterhead for every kind built in it), every .docx in a folder, or without a
    path the template *kind* is rendered with."""
    if path is None:
        if not kind:
            raise UsageError("angiv en Word-skabelon, en mappe med skabeloner, eller --kind TYPE")
        questionnaire = load_questionnaire(kind)
        return [(questionnaire.template_path, questionnaire)]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".docx" and not p.name.startswith((".", "~$")) and p.is_file())
        if not files:
            raise UsageError(f"{path}: mappen indeholder ingen Word-skabeloner (*.docx)")
    else:
        files = [path]
    if kind:
        questionnaire = load_questionnaire(kind)
        return [(f, questionnaire) for f in files]
    known = available_kinds()
    targets = []
    for file in files:
        if file.stem in known:
            targets.append((file, load_questionnaire(file.stem)))
        elif file.name.lower() == LETTERHEAD:
            for name in known:
                try:
                    questionnaire = load_questionnaire(name)
                except KindError:
                    continue  # a broken kind file is reported where it is used
                if questionnaire.uses_body:
                    targets.append((file, questionnaire))
        else:
            raise UsageError(f"{file}: angiv --kind TYPE; filens navn er hverken en type (drafter kinds) eller {LETTERHEAD}")
    return targets


def copy_template(source: Path, target: Path, force: bool = False) -> Path:
    """Write a copy of *source* (a built-in template or the letterhead) to *target*."""
    if target.suffix.lower() != ".docx":
        raise OutputError(f"{target}: en Word-skabelon skal ende på .docx")
    refuse_unwritable_target(target)
    if target.exists() and not force:
        raise OutputError(f"{target}: findes allerede; den overskrives ikke (brug --force, eller vælg et andet navn)")
    if not target.parent.exists():
        raise OutputError(f"{target.parent}: mappen findes ikke")
    atomic_write(target, source.read_bytes())
    return target


def new_template(questionnaire: Questionnaire, target: Path, force: bool = False) -> Path:
    """Write a copy of the kind's built-in template to *target* as a starting point."""
    return copy_template(questionnaire.template_path, target, force)
