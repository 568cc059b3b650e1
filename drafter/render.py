"""Validated answers -> template context -> docxtpl -> the bytes of a .docx file.

The Word template is prepared once (docxtpl's own tag clean-up, Jinja compiled once) and
then renders any number of documents; each document is written as a zip whose unchanged
parts are copied from the template. Output is deterministic: the same answers give the
same bytes, so re-rendering an unchanged answer file changes nothing.

Values are data, never code: the Jinja environment is sandboxed, escapes every value into
the XML and refuses undefined names.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import re
import struct
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from drafter import stamp, tplcache, workspace
from drafter.answers import Answers
from drafter import body as docbody
from drafter.dates import long_date
from drafter.errors import KindError, TemplateProblem
from drafter.fsutil import DOCX_MAX_BYTES, UnsafeFile, describe_oserror, read_docx_entries, read_regular_file, resolved
from drafter.questionnaire import PROFILE_CONTEXT_KEY, Question, split_paragraphs
from drafter.sandbox import TemplateTooCostly, bounded_environment, compile_bounded, fresh_budget, memory_guard
from drafter.stamp import CUSTOM_PART
from drafter.tablefit import fit_tables

CORE_PART = "docProps/core.xml"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so that equal documents are equal bytes

_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_LITERAL_BRACES = {"{_{": "{{", "}_}": "}}", "{_%": "{%", "%_}": "%}"}
# docxtpl turns these characters in rendered text into Word structure (see resolve_listing).
PARAGRAPH_BREAK = "\a"


def xml_escape(text: str) -> str:
    # What xml.sax.saxutils.escape does; importing that module pulls in urllib and
    # http.client, which costs a cold `drafter render` more than the rendering itself.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- context ---------------------------------------------------------------------------

def build_context(answers: Answers) -> dict[str, Any]:
    """The template's view of the answers: Danish dates, paragraphs, lists, tables; and the
    profile's words for the fixed texts (profil.ord.*, "" where the profile has none)."""
    profile = workspace.profile()
    context: dict[str, Any] = {PROFILE_CONTEXT_KEY: {"ord": profile.words, "organisation": profile.organisation}}
    for section in answers.questionnaire.template_sections:
        values = answers.values.get(section.key, {})
        context[section.key] = {q.key: _context_value(q, values.get(q.key)) for q in section.questions}
    # The document built from the kind, made from this context when it is rendered (so a
    # context whose answers were replaced, as import does, gets its own body).
    context[docbody.CONTEXT_KEY] = docbody.Layout(answers.questionnaire, answers.data)
    return context


def body_context(layout: "docbody.Layout", context: dict, styles: dict[str, str] | None = None) -> dict[str, Any]:
    """What a letterhead sees as ``kommissorium``: the title and subtitle as text, the facts
    block and the body as Word XML (in the letterhead's style ids)."""
    from markupsafe import Markup

    model = docbody.build(layout, context)
    styles = styles if styles is not None else {}
    return {
        "titel": model.title,
        "undertitel": model.subtitle,
        "fakta": Markup(docbody.to_ooxml(model.facts, styles, facts_block=True)),
        "indhold": Markup(docbody.to_ooxml(model.body, styles)),
    }


def _context_value(question: Question, value: Any) -> Any:
    if question.type == "records":
        return [{f.key: _context_value(f, (entry or {}).get(f.key)) for f in question.fields} for entry in value or []]
    if question.type == "list":
        return list(value or [])
    if value is None:
        return False if question.type == "bool" else ""
    if question.type == "date":
        return long_date(_dt.date.fromisoformat(value))
    if question.type == "paragraphs":
        # One Word paragraph per paragraph of the answer, each keeping the template's style.
        return PARAGRAPH_BREAK.join(split_paragraphs(value))
    return value


def jinja_environment(autoescape: bool = True):
    """The one Jinja environment for templates: sandboxed and bounded (see drafter.sandbox)."""
    env = bounded_environment(autoescape)
    # A name every template may use besides the sections: the profile's words, given in the
    # context of each document (build_context); declared here so the template check knows it.
    env.globals[PROFILE_CONTEXT_KEY] = {}
    env.globals[docbody.CONTEXT_KEY] = {"titel": "", "undertitel": "", "fakta": "", "indhold": ""}
    return env


def document_properties(answers: Answers, context: dict[str, Any] | None = None) -> dict[str, str]:
    """Core properties (title, subject, author, created) from the kind's data (*context*:
    build_context's, when the caller has it already)."""
    spec = answers.questionnaire.document
    context = build_context(answers) if context is None else context
    props: dict[str, str] = {}
    for name in ("title", "subject", "author", "keywords", "description"):
        if spec.get(name):
            props[name] = " ".join(_render_property(answers.questionnaire, name, context).split())
    layout = context[docbody.CONTEXT_KEY]
    if layout.titel or (answers.questionnaire.uses_body and not spec.get("title")):
        # The commission's own title (titel:) is the document's, also in its properties.
        props["title"] = " ".join(docbody.build(layout, context).title.split())
    created = answers.get(spec["created"]) if spec.get("created") else None
    props["created"] = f"{created}T00:00:00Z" if created else "2000-01-01T00:00:00Z"
    return props


def _render_property(questionnaire, name: str, context: dict) -> str:
    """One of the kind's document properties; a kind file is foreign code too."""
    where = f"{questionnaire.source_file}: document.{name}"
    try:
        template = _property_template(questionnaire.document[name])
        with fresh_budget(template_cpu_seconds()), memory_guard():
            return template.render(context)
    except TemplateProblem as exc:
        raise KindError([f"{where}: {p}" for p in exc.problems]) from None
    except Exception as exc:  # the kind's own Jinja: whatever it raises is its own fault
        raise KindError(f"{where}: {failure_reason(exc)}") from None


def template_cpu_seconds() -> float | None:
    """The workspace's CPU-time budget for one rendering (graenser.skabelon_cpu_sekunder); None: the default."""
    value = workspace.profile().get("graenser.skabelon_cpu_sekunder")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return float(value)


@lru_cache(maxsize=256)
def _property_template(source: str):
    # Compiled once per process, not once per document: compiling costs more than rendering;
    # and kept in the prepared-template cache, so a cold `drafter render` compiles none.
    from jinja2 import TemplateSyntaxError

    env = jinja_environment(autoescape=False)
    codes = _property_codes()
    code = codes.get(source)
    if code is None:
        try:
            code = compile_bounded(env, str(source))[1]
        except TemplateSyntaxError as exc:
            raise TemplateProblem(f"Jinja-fejl: {exc.message}") from None
        except TemplateTooCostly as exc:
            raise TemplateProblem(str(exc)) from None
        codes[source] = code
        while len(codes) > _PROPERTY_CODES_KEPT:
            del codes[next(iter(codes))]  # the oldest
        tplcache.store(_property_cache_key(), dict(codes))
    return env.template_class.from_code(env, code, env.make_globals(None), None)


# The compiled document properties of every kind and template used, in one cache entry:
# source -> code. A few dozen; past this many the oldest go.
_PROPERTY_CODES_KEPT = 200


@lru_cache(maxsize=1)
def _property_cache_key() -> str:
    return tplcache.cache_key(b"drafter: document properties\0")


_loaded_property_codes: dict | None = None


def _property_codes() -> dict:
    global _loaded_property_codes
    if _loaded_property_codes is None:
        _loaded_property_codes = tplcache.load(_property_cache_key()) or {}
    return _loaded_property_codes


# -- the template ---------------------------------------------------------------------

# Parts beside the body that hold text a template may fill, by relationship type.
_TEXT_PART_LABELS = {
    f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{rel}": label
    for rel, label in (
        ("header", "sidehoved"), ("footer", "sidefod"), ("footnotes", "fodnoter"),
        ("endnotes", "slutnoter"), ("comments", "kommentarer"),
    )
}
BODY_LABEL = "brødtekst"
PROPERTIES_LABEL = f"dokumentegenskaber ({CORE_PART})"
APP_PART = "docProps/app.xml"
APP_PROPERTIES_LABEL = f"dokumentegenskaber ({APP_PART})"
CUSTOM_PROPERTIES_LABEL = f"brugerdefinerede egenskaber ({CUSTOM_PART})"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
# The core properties drafter writes (see _core_xml), by their element in core.xml.
_CORE_FIELDS = {
    "{http://purl.org/dc/elements/1.1/}title": "title",
    "{http://purl.org/dc/elements/1.1/}subject": "subject",
    "{http://purl.org/dc/elements/1.1/}creator": "author",
    f"{_CP}keywords": "keywords",
    "{http://purl.org/dc/elements/1.1/}description": "description",
    f"{_CP}category": "category",
    f"{_CP}contentStatus": "contentStatus",
}
# Core properties a template's own value of is kept in every document (a document system's
# category); the others describe the template itself ("Skabelon: ...") and are not.
KEPT_CORE_LABELS = {"category": "kategori", "contentStatus": "indholdsstatus"}
_EXTENDED_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
_CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_VT_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
_FIELD = re.compile(r"\{\{\s*[^\s}]|\{%\s*[^\s%]")  # a tag with something in it


def _safe_xml_parser():
    from lxml import etree

    # A template is foreign: no entities, no network, and lxml's default depth limit.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class TemplatePart:
    """One part of a template that is rendered: its zip name, a Danish label, its XML."""

    __slots__ = ("name", "label", "xml")

    def __init__(self, name: str, label: str, xml: bytes):
        self.name, self.label, self.xml = name, label, xml


class PreparedTemplate:
    """A Word template read (bounded) and prepared for Jinja: ONE preparation that both
    rendering (DocxRenderer) and the check (drafter.templates) use.

    ``parts`` are the parts that are rendered: the body, then headers, footers, footnotes,
    endnotes and comments. ``source(part)`` is what Jinja sees of a part: for the body,
    the <w:body> element only (the rest of the document part is copied around it), after
    docxtpl's own tag clean-up.
    """

    def __init__(self, path: str | Path, raw: bytes | None = None):
        self.path = Path(path)
        try:
            self.raw = raw if raw is not None else read_regular_file(self.path, DOCX_MAX_BYTES)
            self.entries = read_docx_entries(self.raw)
            self.main_part = _main_part_name(self.entries["_rels/.rels"])
            self.entries[self.main_part]  # noqa: B018 - a package without its main part is no Word file
        except FileNotFoundError:
            raise TemplateProblem(f"{self.path}: filen findes ikke") from None
        except UnsafeFile as exc:
            raise TemplateProblem(f"{self.path}: {exc}") from None
        except OSError as exc:
            raise TemplateProblem(f"{self.path}: filen kan ikke læses ({describe_oserror(exc)})") from None
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError, NotImplementedError, RuntimeError, zlib.error):
            raise TemplateProblem(
                f"{self.path}: er ikke en Word-fil (.docx); gem skabelonen som Word-dokument"
            ) from None
        self.parts = [TemplatePart(self.main_part, BODY_LABEL, self.entries[self.main_part])]
        for name, label in _text_parts(self.entries, self.main_part):
            self.parts.append(TemplatePart(name, f"{label} ({name})", self.entries[name]))
        self._tpl = None

    def properties(self) -> dict[str, str]:
        """The document properties (docProps/core.xml) that hold a field: name -> Jinja source.

        Rendered like the body (as docxtpl does); a property the kind's ``document:`` sets
        wins. Properties without a field are not carried over, and an empty ``{{ }}`` is
        text, not a field.
        """
        data = self.entries.get(CORE_PART)
        if not data:
            return {}
        from lxml import etree

        try:
            root = etree.fromstring(data, _safe_xml_parser())
        except etree.XMLSyntaxError as exc:
            raise TemplateProblem(f"{self.path}: {PROPERTIES_LABEL}: XML'en er ødelagt og kan ikke læses ({exc})") from None
        found = {}
        for element in root:
            name = _CORE_FIELDS.get(element.tag)
            if name and element.text and _FIELD.search(element.text):
                found[name] = element.text
        return found

    def kept_core_properties(self) -> dict[str, str]:
        """The core properties of KEPT_CORE_LABELS the template has without a field: name -> text."""
        root = self._properties_root(CORE_PART, PROPERTIES_LABEL)
        if root is None:
            return {}
        kept = {}
        for element in root:
            name = _CORE_FIELDS.get(element.tag)
            if name in KEPT_CORE_LABELS and element.text and element.text.strip() and not _FIELD.search(element.text):
                kept[name] = element.text
        return kept

    def extended_properties(self) -> dict[str, str]:
        """The properties of docProps/app.xml (Company, Manager, ...) that hold a field:
        element name -> Jinja source; rendered like the core properties."""
        root = self._properties_root(APP_PART, APP_PROPERTIES_LABEL)
        if root is None:
            return {}
        return {
            element.tag[len(_EXTENDED_NS):]: element.text for element in root
            if isinstance(element.tag, str) and element.tag.startswith(_EXTENDED_NS) and len(element) == 0
            and element.text and _FIELD.search(element.text)
        }

    def custom_properties(self) -> list[tuple[str, Any, str | None]]:
        """The template's own custom properties (a case number): (name, its <property>
        element, the Jinja source of a text value that holds a field, or None). drafter's
        own (a template made from a drafter document has them) are not the template's."""
        root = self._properties_root(CUSTOM_PART, CUSTOM_PROPERTIES_LABEL)
        if root is None:
            return []
        found = []
        for element in root.iterchildren(f"{_CUSTOM_NS}property"):
            name = element.get("name") or ""
            if not name or stamp.is_drafters_property(name):
                continue
            value = next(element.iterchildren(f"{_VT_NS}lpwstr", f"{_VT_NS}lpstr", f"{_VT_NS}bstr"), None)
            source = value.text if value is not None and value.text and _FIELD.search(value.text) else None
            found.append((name, element, source))
        return found

    def _properties_root(self, part: str, label: str):
        data = self.entries.get(part)
        if not data:
            return None
        from lxml import etree

        try:
            return etree.fromstring(data, _safe_xml_parser())
        except etree.XMLSyntaxError as exc:
            raise TemplateProblem(f"{self.path}: {label}: XML'en er ødelagt og kan ikke læses ({exc})") from None

    def part(self, name: str) -> TemplatePart:
        return next(p for p in self.parts if p.name == name)

    def root(self, part: TemplatePart):
        """The parsed XML of *part*; TemplateProblem naming the part when it is broken."""
        from lxml import etree

        try:
            return etree.fromstring(part.xml, _safe_xml_parser())
        except etree.XMLSyntaxError as exc:
            line = f" i linje {exc.lineno}" if getattr(exc, "lineno", None) else ""
            raise TemplateProblem(
                f"{self.path}: {part.label}: Word-XML'en er ødelagt{line} og kan ikke læses; "
                "åbn filen i Word og gem den igen"
            ) from None

    def source(self, part: TemplatePart, root=None) -> str:
        """What Jinja sees of *part* (see the class's docstring)."""
        from lxml import etree

        root = self.root(part) if root is None else root
        element = root.find(f"{W_NS}body") if part.name == self.main_part else root
        if element is None:
            raise TemplateProblem(f"{self.path}: {part.label}: dokumentet har ingen brødtekst (w:body)")
        return self.prepare_xml(etree.tostring(element, encoding="unicode"))

    def prepare_xml(self, xml: str) -> str:
        # What docxtpl does before Jinja sees a part (merging tags split across runs,
        # {%p %}/{%tr %} handling), plus its line-per-paragraph trick.
        if self._tpl is None:
            from docxtpl import DocxTemplate

            # Only docxtpl's string methods are used; the template is never loaded as a Document.
            self._tpl = DocxTemplate(self.path)
        xml = self._tpl.patch_xml(xml)
        # docxtpl's literal-brace escapes ({_{ in a template means a literal {{) are
        # resolved here, in the template, as Jinja string literals. docxtpl resolves them in
        # the rendered text, where it would also turn a user's "{_{" into "{{".
        for escaped, literal in _LITERAL_BRACES.items():
            xml = xml.replace(escaped, '{{ "%s" }}' % literal)
        return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def failure_reason(exc: BaseException) -> str:
    """Why a template's own code failed while rendering, in Danish (without the file)."""
    from jinja2 import TemplateError, UndefinedError
    from jinja2.exceptions import SecurityError

    if isinstance(exc, TemplateTooCostly):
        return f"{exc}; intet er skrevet"
    if isinstance(exc, (MemoryError, RecursionError)):
        return "skabelonen bruger for meget hukommelse eller er for dybt indlejret; intet er skrevet"
    if isinstance(exc, UndefinedError):
        name = re.search(r"has no attribute '([^']*)'|^'([^']*)' is undefined", exc.message or "")
        shown = next((g for g in name.groups() if g), "") if name else ""
        return f'skabelonen bruger feltet "{shown}", som ikke findes' if shown else f"skabelonen bruger et felt, som ikke findes ({exc.message})"
    if isinstance(exc, SecurityError):
        unsafe = re.search(r"attribute '([^']+)'", str(exc))
        what = f' ("{unsafe.group(1)}")' if unsafe else ""
        return f"skabelonen forsøger at nå Pythons indre dele{what}; det er ikke tilladt i en skabelon"
    if isinstance(exc, TemplateError):
        return f"skabelonen kunne ikke udfyldes: {exc}"
    # The template is code from someone else: whatever it raises is its own fault.
    return f"skabelonen kunne ikke udfyldes ({type(exc).__name__}: {exc})"


class DocxRenderer:
    """One Word template, prepared once, rendering many documents."""

    def __init__(self, template_path: str | Path):
        self.template_path = Path(template_path)
        self._prepare(PreparedTemplate(self.template_path))

    def _prepare(self, prepared: PreparedTemplate) -> None:
        from jinja2 import TemplateSyntaxError
        from lxml import etree

        self._etree = etree
        self._entries = entries = prepared.entries
        self._main_part = main_part = prepared.main_part
        self._labels = {part.name: part.label for part in prepared.parts}
        self._property_sources = prepared.properties()
        # The letterhead's style ids for the body drafter builds (see drafter.body).
        self._styles = docbody.style_ids(entries.get("word/styles.xml"))
        self._kept_core = prepared.kept_core_properties()
        self._app_sources = prepared.extended_properties()
        self._custom_kept = prepared.custom_properties()
        env = jinja_environment()
        root = prepared.root(prepared.part(main_part))
        body = root.find(f"{W_NS}body")
        if body is None:
            raise TemplateProblem(f"{self.template_path}: {BODY_LABEL}: dokumentet har ingen brødtekst (w:body)")
        self._templates: dict[str, Any] = {}
        # The compiled Jinja of each part, from an earlier run (see tplcache) or made now.
        key = tplcache.cache_key(prepared.raw)
        codes = tplcache.load(key)
        if codes is None or set(codes) != {part.name for part in prepared.parts}:
            codes = {}
            for part in prepared.parts:
                source = prepared.source(part, root if part.name == main_part else None)
                try:
                    codes[part.name] = compile_bounded(env, source)[1]
                except TemplateSyntaxError as exc:
                    raise TemplateProblem(f"{self.template_path}: {part.label}: Jinja-fejl i skabelonen: {exc.message}") from None
                except TemplateTooCostly as exc:
                    raise TemplateProblem(f"{self.template_path}: {part.label}: {exc}") from None
            tplcache.store(key, codes)
        for part, code in codes.items():
            self._templates[part] = env.template_class.from_code(env, code, env.make_globals(None), None)
        # The document part around the body, so each render only serialises the body.
        body.clear()
        marker = "<!--drafter-body-->"
        body.getparent().replace(body, etree.Comment("drafter-body"))
        before, after = etree.tostring(root, encoding="unicode").split(marker)
        self._document_frame = (before, after)

        self._content_types = _with_custom_override(entries["[Content_Types].xml"].decode("utf-8"))
        self._package_rels = _with_custom_rel(entries["_rels/.rels"].decode("utf-8"))
        # Parts every document shares (styles, theme, fonts, ...) are compressed once here.
        self._packed: dict[str, tuple[bytes, int, int]] = {}
        self._packed_source: dict[str, bytes] = {}
        constant = {
            name: data for name, data in entries.items()
            if name not in self._templates and name not in (CORE_PART, CUSTOM_PART)
            and not (name == APP_PART and self._app_sources)
        }
        constant["[Content_Types].xml"] = self._content_types.encode("utf-8")
        constant["_rels/.rels"] = self._package_rels.encode("utf-8")
        for name, data in constant.items():
            self._packed[name] = _deflate(data)
            self._packed_source[name] = data

    def _finish_xml(self, xml: str) -> str:
        # What docxtpl does after Jinja: undo the newline trick, and turn \n, \t and
        # paragraph breaks in values into Word line breaks, tabs, paragraphs.
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        # Word drops leading and trailing spaces of a w:t without xml:space="preserve"; a
        # value's spaces next to a line break or tab must stay as typed.
        xml = xml.replace("<w:t>", '<w:t xml:space="preserve">')
        return resolve_listing(xml)

    def _render_part(self, part: str, context: dict) -> str:
        try:
            xml = self._templates[part].render(context)
        except Exception as exc:  # the template's own code; see template_failure
            raise TemplateProblem(f"{self.template_path}: {self._labels.get(part, part)}: {failure_reason(exc)}") from None
        return self._finish_xml(xml)

    def render(self, context: dict[str, Any], properties: dict[str, str], answers_digest: str | None = None,
               recorded: dict[str, str] | None = None) -> bytes:
        """*recorded*: more custom properties to record (the answers themselves, for import)."""
        with fresh_budget(template_cpu_seconds()), memory_guard():
            try:
                return self._render(context, properties, answers_digest, recorded or {})
            except MemoryError:
                raise TemplateProblem(
                    f"{self.template_path}: skabelonen bruger for meget hukommelse; intet er skrevet"
                ) from None

    def _render(self, context: dict[str, Any], properties: dict[str, str], answers_digest: str | None,
                more: dict[str, str]) -> bytes:
        etree = self._etree
        layout = context.get(docbody.CONTEXT_KEY)
        if isinstance(layout, docbody.Layout):
            context = {**context, docbody.CONTEXT_KEY: body_context(layout, context, self._styles)}
        parts: dict[str, bytes] = {}
        tree = self._body_tree(self._render_part(self._main_part, context))
        before, after = self._document_frame
        parts[self._main_part] = (_XML_DECL + before + etree.tostring(tree, encoding="unicode") + after).encode("utf-8")
        for part in self._templates:
            if part != self._main_part:
                xml = self._render_part(part, context)
                self._check_xml(part, xml)
                parts[part] = (_XML_DECL + xml).encode("utf-8")
        properties = {**self._kept_core, **properties}
        for name, source in self._property_sources.items():
            if name in properties:
                continue  # the kind's document: wins, as the check knows
            properties[name] = self._render_property(PROPERTIES_LABEL, name, source, context)
        parts[CORE_PART] = _core_xml(properties).encode("utf-8")
        if self._app_sources:
            parts[APP_PART] = self._render_app(context)
        parts["[Content_Types].xml"] = self._packed_source["[Content_Types].xml"]
        parts["_rels/.rels"] = self._packed_source["_rels/.rels"]

        entries = dict(self._entries)
        entries.update(parts)
        entries.pop(CUSTOM_PART, None)
        digest = stamp.content_hash(entries)
        # What `drafter status` reads back without unpacking: the answers it was made from,
        # and the parts it consists of (an edit in Word changes them).
        recorded = {stamp.HASH_PROPERTY: digest, stamp.PACKAGE_PROPERTY: stamp.entries_fingerprint(entries)}
        if answers_digest is not None:
            recorded[stamp.ANSWERS_PROPERTY] = answers_digest
        recorded.update(more)
        entries[CUSTOM_PART] = stamp.custom_xml(recorded, self._template_custom(context)).encode("utf-8")
        packed = {name: self._packed[name] for name, data in entries.items()
                  if name in self._packed and self._packed_source[name] is data}
        return _zip(entries, packed)

    def _body_tree(self, body_xml: str):
        """The rendered body, checked and parsed once, its tables and drawings put right."""
        tree = self._check_xml(self._main_part, body_xml)
        try:
            fix_table_grids(tree)
            fit_tables(tree)  # column widths from the answers, empty columns out, short tables on one page
            number_drawings(tree)
        except Exception as exc:  # a template's odd table
            raise TemplateProblem(
                f"{self.template_path}: {BODY_LABEL}: en tabel i skabelonen har en form, som ikke kan udfyldes "
                f"({type(exc).__name__}); åbn skabelonen i Word og gem den igen"
            ) from None
        return tree

    def _render_property(self, label: str, name: str, source: str, context: dict) -> str:
        where = f"{self.template_path}: {label}: {name}"
        try:
            template = _property_template(source)
        except TemplateProblem as exc:
            raise TemplateProblem([f"{where}: {p}" for p in exc.problems]) from None
        try:
            return " ".join(template.render(context).split())
        except Exception as exc:  # the template's own code; see failure_reason
            raise TemplateProblem(f"{where}: {failure_reason(exc)}") from None

    def _render_app(self, context: dict) -> bytes:
        """The template's docProps/app.xml with its fields (Company, Manager, ...) filled in."""
        root = self._etree.fromstring(self._entries[APP_PART], _safe_xml_parser())
        for element in root:
            if isinstance(element.tag, str) and element.tag[len(_EXTENDED_NS):] in self._app_sources:
                name = element.tag[len(_EXTENDED_NS):]
                element.text = self._render_property(APP_PROPERTIES_LABEL, name, self._app_sources[name], context)
        return self._etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _template_custom(self, context: dict) -> list[str]:
        """The template's own custom properties as <property> XML, fields filled in."""
        items = []
        for pid, (name, element, source) in enumerate(self._custom_kept, start=2):
            element = self._etree.fromstring(self._etree.tostring(element, with_tail=False))
            element.set("pid", str(pid))  # pids are 2, 3, ... in the part's order; drafter's follow
            if source is not None:
                value = next(element.iterchildren(f"{_VT_NS}lpwstr", f"{_VT_NS}lpstr", f"{_VT_NS}bstr"))
                value.text = self._render_property(CUSTOM_PROPERTIES_LABEL, name, source, context)
            items.append(self._etree.tostring(element, encoding="unicode", with_tail=False))
        return items

    def _check_xml(self, part: str, xml: str):
        try:
            return self._etree.fromstring(xml.encode("utf-8"), _safe_xml_parser())
        except self._etree.XMLSyntaxError as exc:
            # Never write a document Word would refuse to open.
            raise TemplateProblem(
                f"{self.template_path}: {self._labels.get(part, part)}: skabelonen giver ugyldig Word-XML ({exc})"
            ) from None


_renderers: dict[Path, object] = {}


def renderer_for(template: Path):
    """One prepared template per process: preparing costs more than rendering."""
    key = resolved(template)
    if key not in _renderers:
        _renderers[key] = DocxRenderer(key)
    return _renderers[key]


def render_document(answers: Answers, renderer: DocxRenderer) -> bytes:
    context = build_context(answers)
    canonical = stamp.canonical_answers(answers)  # made once for the digest and the base
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return renderer.render(context, document_properties(answers, context), digest, stamp.base_properties(answers, canonical))


# -- what docxtpl does after Jinja, done here ------------------------------------------------
#
# docxtpl's DocxTemplate.resolve_listing, fix_tables and fix_docpr_ids, with the same
# results (tests/test_prepared_template.py compares them on every example), without
# docxtpl's class: the body is parsed once (the check above) instead of twice, and a
# paragraph without a tab, paragraph break, line break or page break in it is passed over.

_LISTING_CHARACTERS = re.compile("[\t\a\n\f]")
_LISTING_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_LISTING_RUN = re.compile(r"<w:r(?: [^>]*)?>.*?</w:r>", re.DOTALL)
_LISTING_TEXT = re.compile(r"<w:t(?: [^>]*)?>.*?</w:t>", re.DOTALL)
_PARAGRAPH_PROPERTIES = re.compile(r"<w:pPr>.*?</w:pPr>")
_RUN_PROPERTIES = re.compile(r"<w:rPr>.*?</w:rPr>")


def resolve_listing(xml: str) -> str:
    """Tabs, paragraph breaks (\\a), line breaks and page breaks in the texts of *xml* as Word
    structure, each new run and paragraph with the properties of the one it breaks."""
    specials = [found.start() for found in _LISTING_CHARACTERS.finditer(xml)]
    if not specials:
        return xml
    # The paragraphs as docxtpl's pattern finds them, in C; only those holding a special
    # character are rebuilt (a document has a few among a hundred or more).
    pieces, done, next_special = [], 0, 0
    for paragraph in _LISTING_PARAGRAPH.finditer(xml):
        start, end = paragraph.span()
        while next_special < len(specials) and specials[next_special] < start:
            next_special += 1
        if next_special == len(specials):
            break
        if specials[next_special] < end:
            pieces += (xml[done:start], _resolve_paragraph(paragraph))
            done = end
    pieces.append(xml[done:])
    return "".join(pieces)


def _resolve_paragraph(match: re.Match) -> str:
    paragraph = match.group(0)
    if not _LISTING_CHARACTERS.search(paragraph):
        return paragraph
    found = _PARAGRAPH_PROPERTIES.search(paragraph)
    ppr = found.group(0) if found else ""
    return _LISTING_RUN.sub(lambda run: _resolve_run(ppr, run.group(0)), paragraph)


def _resolve_run(ppr: str, run: str) -> str:
    if not _LISTING_CHARACTERS.search(run):
        return run
    found = _RUN_PROPERTIES.search(run)
    rpr = found.group(0) if found else ""
    return _LISTING_TEXT.sub(lambda text: _resolve_text(ppr, rpr, text.group(0)), run)


def _resolve_text(ppr: str, rpr: str, text: str) -> str:
    text = text.replace("\t", f'</w:t></w:r><w:r>{rpr}<w:tab/></w:r><w:r>{rpr}<w:t xml:space="preserve">')
    text = text.replace("\a", f'</w:t></w:r></w:p><w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">')
    text = text.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    return text.replace(
        "\f", f'</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/></w:r></w:p><w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">'
    )


def fix_table_grids(tree) -> None:
    """Each table's grid columns made to match its rows' cells (a column loop of a template
    adds or removes cells), the table keeping its width."""
    from lxml import etree

    ns = "{" + tree.nsmap["w"] + "}"
    grid_col, width = ns + "gridCol", ns + "w"
    for table in tree.iter(ns + "tbl"):
        grid = table.find(ns + "tblGrid")
        columns = grid.findall(grid_col)
        to_add = 0
        for row in table.iter(ns + "tr"):
            cells = len(row.findall(ns + "tc"))
            if len(columns) + to_add < cells:
                to_add = cells - len(columns)
        if to_add > 0:
            total = sum(float(c.get(width)) for c in columns if c.get(width) is not None)
            if total > 0:
                old_average, new_average = total / len(columns), total / (len(columns) + to_add)
                for column in columns:
                    column.set(width, str(int(float(column.get(width)) * new_average / old_average)))
                for _ in range(to_add):
                    etree.SubElement(grid, grid_col, {width: str(int(new_average))})
        columns = grid.findall(grid_col)
        widest_row = 0
        for row in table.iter(ns + "tr"):
            spanned = 0
            for cell in row.findall(ns + "tc"):
                properties = cell.find(ns + "tcPr")
                span = None if properties is None else properties.find(ns + "gridSpan")
                spanned += 1 if span is None else int(span.get(ns + "val"))
            widest_row = max(widest_row, spanned)
        to_remove = len(columns) - widest_row
        if to_remove > 0:
            removed = 0.0
            for column in columns[-to_remove:]:
                removed += float(column.get(width))
                grid.remove(column)
            left = grid.findall(grid_col)
            extra = int(removed / len(left)) if left else 0
            for column in left:
                column.set(width, str(int(float(column.get(width)) + extra)))


_DRAWING_PROPERTIES = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


def number_drawings(tree) -> None:
    """Every drawing a unique id (1001, 1002, ...): a template's loop copies its pictures."""
    for number, element in enumerate(tree.iter(_DRAWING_PROPERTIES), start=1001):
        element.set("id", str(number))


# -- the package -----------------------------------------------------------------------

def _deflate(data: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) the way zipfile compresses a member."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


# DOS date and time of _ZIP_TIME (1980-01-01 00:00:00), as zipfile writes them.
_DOS_DATE = ((_ZIP_TIME[0] - 1980) << 9) | (_ZIP_TIME[1] << 5) | _ZIP_TIME[2]
_DOS_TIME = (_ZIP_TIME[3] << 11) | (_ZIP_TIME[4] << 5) | (_ZIP_TIME[5] // 2)
_EXTERNAL_ATTR = 0o644 << 16


def _zip(entries: dict[str, bytes], packed: dict[str, tuple[bytes, int, int]] | None = None) -> bytes:
    """The .docx package: the same bytes zipfile writes, [Content_Types].xml first.

    Written by hand so that parts compressed once (*packed*, from the template) are
    copied in as they are instead of being compressed again for every document.
    """
    packed = packed or {}
    order = ["[Content_Types].xml"] + [n for n in entries if n != "[Content_Types].xml"]
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name in order:
        data, crc, size = packed[name] if name in packed else _deflate(entries[name])
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), 0x800
        header = struct.pack(
            "<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, flags, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE,
            crc, len(data), size, len(encoded), 0,
        )
        central.append(struct.pack(
            "<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, flags, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE,
            crc, len(data), size, len(encoded), 0, 0, 0, 0, _EXTERNAL_ATTR, offset,
        ) + encoded)
        out += (header, encoded, data)
        offset += len(header) + len(encoded) + len(data)
    directory = b"".join(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(order), len(order), len(directory), offset, 0)
    return b"".join(out) + directory + end


def _zip_with_zipfile(entries: dict[str, bytes]) -> bytes:
    """The reference _zip must match byte for byte (kept for the tests)."""
    buffer = io.BytesIO()
    order = ["[Content_Types].xml"] + [n for n in entries if n != "[Content_Types].xml"]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = _EXTERNAL_ATTR
            archive.writestr(info, entries[name])
    return buffer.getvalue()


def _main_part_name(package_rels: bytes) -> str:
    match = re.search(rb'Type="[^"]*/officeDocument"[^>]*Target="/?([^"]+)"', package_rels) or re.search(
        rb'Target="/?([^"]+)"[^>]*Type="[^"]*/officeDocument"', package_rels
    )
    if not match:
        raise ValueError("pakken har intet hoveddokument")
    return match.group(1).decode("utf-8")


def _text_parts(entries: dict[str, bytes], main_part: str) -> list[tuple[str, str]]:
    """(part name, Danish label) of the headers, footers, notes and comments the body uses."""
    folder, _, name = main_part.rpartition("/")
    rels = entries.get(f"{folder}/_rels/{name}.rels", b"").decode("utf-8", "replace")
    parts = []
    for rel in re.findall(r"<Relationship [^>]*>", rels):
        rel_type = re.search(r'Type="([^"]+)"', rel)
        target = re.search(r'Target="([^"]+)"', rel)
        if not rel_type or not target or rel_type.group(1) not in _TEXT_PART_LABELS or "TargetMode=\"External\"" in rel:
            continue
        target_name = target.group(1)
        part = target_name.lstrip("/") if target_name.startswith("/") else f"{folder}/{target_name}" if folder else target_name
        if part in entries and part != main_part and part not in (p for p, _ in parts):
            parts.append((part, _TEXT_PART_LABELS[rel_type.group(1)]))
    return parts


def _with_custom_override(content_types: str) -> str:
    if 'PartName="/docProps/custom.xml"' in content_types:
        return content_types
    override = f'<Override PartName="/docProps/custom.xml" ContentType="{_CUSTOM_CT}"/>'
    return content_types.replace("</Types>", override + "</Types>")


def _with_custom_rel(rels: str) -> str:
    if _CUSTOM_REL in rels:
        return rels
    ids = set(re.findall(r'Id="([^"]+)"', rels))
    new_id = next(f"rIdDrafter{i}" for i in range(1, 1000) if f"rIdDrafter{i}" not in ids)
    rel = f'<Relationship Id="{new_id}" Type="{_CUSTOM_REL}" Target="docProps/custom.xml"/>'
    return rels.replace("</Relationships>", rel + "</Relationships>")


def _core_xml(props: dict[str, str]) -> str:
    def element(tag: str, key: str) -> str:
        value = props.get(key)
        return f"<{tag}>{xml_escape(value)}</{tag}>" if value else ""

    created = xml_escape(props["created"])
    return (
        _XML_DECL
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        + element("dc:title", "title")
        + element("dc:subject", "subject")
        + element("dc:creator", "author")
        + element("cp:keywords", "keywords")
        + element("dc:description", "description")
        + element("cp:category", "category")
        + element("cp:contentStatus", "contentStatus")
        + element("cp:lastModifiedBy", "author")
        + "<dc:language>da-DK</dc:language>"
        + f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
        + f'<dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified>'
        + "</cp:coreProperties>"
    )
