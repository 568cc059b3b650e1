"""A commission kind's questionnaire: its sections and questions, loaded from data.

The questionnaire is the single source of truth. ``Question.check`` holds the rules for a
single value; answer-file validation and the interview both call it, so the file and the
prompt can never disagree about what is a valid answer.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from functools import lru_cache
from pathlib import Path

from drafter import inputs, reference, workspace
from drafter.dates import MONTHS_DA, long_date
from drafter.errors import AnswerFileError, InvalidValue, KindError, UnknownKind
from drafter.fsutil import UnsafeFile, describe_oserror, read_regular_file
from drafter.plain import Plain
from drafter.problems import Problem
from drafter.suggest import suggest
from drafter.yamlread import parse_file_bytes

TYPE_CHECKING = False  # typing is for the annotations only: a check does not load it (~1.5 ms)
if TYPE_CHECKING:
    from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
BUILTIN_KINDS_DIR = PACKAGE_DIR / "kinds"
# Extra folders with <kind>.yaml (and <kind>.docx beside them), for a secretariat's own kinds.
KINDS_PATH_ENV = "DRAFTER_KINDS_PATH"

QUESTION_TYPES = ("text", "paragraphs", "date", "choice", "bool", "list", "records")
FIELD_TYPES = ("text", "paragraphs", "date", "choice", "bool")

# Characters XML 1.0 cannot hold (tab, newline and carriage return are fine), plus the
# two non-characters and lone surrogates that no Word file can store either.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")

# Longest value accepted, in characters; far beyond any real commission, short of
# anything that would make Word (or the renderer) crawl.
MAX_LENGTH = {"text": 2_000, "paragraphs": 50_000}

# Keys that would be shadowed by dict methods in the Word template (``x.items``).
_RESERVED_KEYS = {name for name in dir(dict) if not name.startswith("_")}
# Names the templates use beside the sections: the profile's words (profil.ord.*).
PROFILE_CONTEXT_KEY = "profil"
# The letterhead's name for what drafter.body builds (title, subtitle, facts, body).
BODY_CONTEXT_KEY = "kommissorium"
RESERVED_SECTION_KEYS = {PROFILE_CONTEXT_KEY, BODY_CONTEXT_KEY}


# Danish nouns are common or neuter gender: "én opgave", but "ét medlem". The item names
# the kinds use that are neuter (a kind's own noun not listed here reads as common gender).
_NEUTER_NOUNS = {"medlem", "netværk", "bilag", "punkt", "møde", "projekt", "udvalg", "råd", "emne", "dokument", "tema",
                 "forum"}


def one(noun: str) -> str:
    """'én opgave', 'ét medlem': the numeral one before a Danish noun, in its gender."""
    last = noun.split()[-1].lower() if noun.strip() else noun
    return f"{'ét' if any(last.endswith(n) for n in _NEUTER_NOUNS) else 'én'} {noun}"


# How a question is shown in the document the body builds (drafter.body); by type when
# the kind does not say.
SHOW_KINDS = ("paragraphs", "bullets", "table", "lines", "fact", "none")
_DEFAULT_SHOW = {"paragraphs": "paragraphs", "list": "bullets", "records": "table", "bool": "none"}
# A placeholder in a text of the kind: {section.question}, {field} in a record's line,
# {profil.ord.word}; filters after a bar: {gruppe.type|stort}.
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)((?:\|[a-z_]+)*)\}")
TEXT_FILTERS = ("stort", "lille", "tankestreg")


def default_show(question: "Question") -> str:
    return _DEFAULT_SHOW.get(question.type, "fact")


def text_alternatives(spec: Any) -> list[tuple[str, dict]]:
    """A text of the kind as (text, when) alternatives: a text, {text, when}, or a list of them."""
    if spec is None:
        return []
    if isinstance(spec, str):
        return [(spec, {})]
    if isinstance(spec, dict):
        return [(str(spec.get("text", "")), dict(spec.get("when") or {}))]
    if isinstance(spec, list):
        return [alt for item in spec for alt in text_alternatives(item)]
    return []


def each(noun: str) -> str:
    """'hver opgave', 'hvert medlem': 'each' before a Danish noun, in its gender."""
    last = noun.split()[-1].lower() if noun.strip() else noun
    return f"{'hvert' if any(last.endswith(n) for n in _NEUTER_NOUNS) else 'hver'} {noun}"


class Question(Plain):
    __slots__ = ("key", "path", "type", "prompt", "help", "label", "required", "default", "choices", "allow_other",
                 "fields", "item_name", "not_before", "when", "choices_from", "default_from", "kind_for", "show",
                 "heading", "lead", "line", "group_by", "columns", "value", "fact_label")
    key: str
    path: str  # dotted path in the answer file, e.g. "tidsplan.slut"
    type: str
    prompt: str
    help: str
    label: str  # a short name for summaries ("Slutdato"); the prompt when not given
    required: bool
    default: Any
    choices: list[str]
    allow_other: bool
    fields: list[Question]  # for "records"
    item_name: str  # Danish noun for one entry of a list, e.g. "milepæl"
    not_before: str | None  # dotted path of a date this date may not precede
    when: str | None  # dotted path of a yes/no answer that must be true
    choices_from: str | None  # name of a reference list (drafter/data) the choices came from
    default_from: dict | None  # a default computed from reference data and earlier answers
    # choice -> the kind a new interview continues as when it is chosen (one route to a kind:
    # a project group chosen in the ad-hoc kind continues as the project-group kind)
    kind_for: dict
    # How the document shows it (drafter.body): see SHOW_KINDS; the texts are the kind's
    # own, with placeholders (PLACEHOLDER).
    show: str | None
    heading: Any  # a sub-heading above it
    lead: Any  # a lead-in sentence before it ("Gruppen skal:")
    line: Any  # one record as a line ("{navn}[, {titel}]")
    group_by: str | None  # lines under a label per value of this field
    columns: list | None  # a table's columns: field keys or {key, header, width}
    value: Any  # a fact's value as text ("{gruppe.periode|tankestreg}")
    fact_label: Any  # a fact's label as text, where it is not the fixed label ("{profil.ord.organisation}")

    def __init__(self, key: str, path: str, type: str, prompt: str, help: str = "", label: str = "",
                 required: bool = False, default: Any = None, choices: list[str] | None = None,
                 allow_other: bool = False, fields: list[Question] | None = None, item_name: str = "",
                 not_before: str | None = None, when: str | None = None, choices_from: str | None = None,
                 default_from: dict | None = None, kind_for: dict | None = None, show: str | None = None,
                 heading: Any = None, lead: Any = None, line: Any = None, group_by: str | None = None,
                 columns: list | None = None, value: Any = None, fact_label: Any = None):
        self.key = key
        self.path = path
        self.type = type
        self.prompt = prompt
        self.help = help
        self.label = label
        self.required = required
        self.default = default
        self.choices = [] if choices is None else choices
        self.allow_other = allow_other
        self.fields = [] if fields is None else fields
        self.item_name = item_name
        self.not_before = not_before
        self.when = when
        self.choices_from = choices_from
        self.default_from = default_from
        self.kind_for = {} if kind_for is None else kind_for
        self.show = show
        self.heading = heading
        self.lead = lead
        self.line = line
        self.group_by = group_by
        self.columns = columns
        self.value = value
        self.fact_label = fact_label

    @property
    def is_repeating(self) -> bool:
        return self.type in ("list", "records")

    @property
    def short_name(self) -> str:
        """The answer's name in a summary or a review, in every front end: its `label`, else
        its prompt without the "?" and the interview's "(kan springes over)"."""
        if self.label:
            return self.label
        return " ".join(self.prompt.replace("(kan springes over)", "").rstrip().rstrip("?").split())

    def field_named(self, key: str) -> "Question | None":
        return next((f for f in self.fields if f.key == key), None)

    def default_value(self, today: _dt.date | None = None, answers: dict | None = None) -> Any:
        """The suggested answer; with *answers* (section -> key -> value, the answers so far)
        a ``default_from`` lookup in the reference data is tried first."""
        if self.default_from and answers is not None:
            suggested = reference.lookup(self.default_from, answers)
            if suggested not in (None, "", []):
                return suggested
        if self.type == "date" and self.default == "today":
            return (today or _dt.date.today()).isoformat()
        return self.default

    def offered_choices(self, value: Any) -> list[str]:
        """The choices both front ends offer when *value* (the answer, or the suggestion) is
        shown: the listed ones, and first *value* itself when it is a text of its own the
        question allows (the workspace's organisation, not in the profile's lists)."""
        if self.allow_other and isinstance(value, str) and value.strip() and value not in self.choices:
            return [value, *self.choices]
        return list(self.choices)

    def default_note(self, answers: dict | None) -> str | None:
        """Why the reference data gives no suggestion here (e.g. an unreadable cell), or None."""
        if not self.default_from or answers is None:
            return None
        return reference.lookup_note(self.default_from, answers)

    # -- rules for one value -------------------------------------------------------
    def check(self, value: Any) -> Any:
        """Return the normalised value, or raise InvalidValue with a Danish reason.

        ``None`` (and empty text or lists) mean "not answered"; whether that is allowed
        is decided by the caller, which knows about ``required``.
        """
        checker = getattr(self, f"_check_{self.type}")
        return checker(value)

    def _check_text(self, value: Any) -> str:
        text = _as_text(value)
        if len(text) > MAX_LENGTH["text"]:
            raise InvalidValue(
                f"teksten er for lang ({len(text):,} tegn; højst {MAX_LENGTH['text']:,})".replace(",", ".")
            )
        return text.strip()

    def _check_paragraphs(self, value: Any) -> str:
        text = _as_text(value)
        if len(text) > MAX_LENGTH["paragraphs"]:
            raise InvalidValue(
                f"teksten er for lang ({len(text):,} tegn; højst {MAX_LENGTH['paragraphs']:,})".replace(",", ".")
            )
        return "\n\n".join(split_paragraphs(text))

    def _check_date(self, value: Any) -> str:
        if isinstance(value, _dt.datetime):
            value = value.date()
        if isinstance(value, _dt.date):
            return value.isoformat()
        if not isinstance(value, str):
            raise InvalidValue(f"skal være en dato på formen ÅÅÅÅ-MM-DD, ikke {_describe(value)}")
        text = value.strip()
        if not _ISO_DATE.match(text):
            raise InvalidValue(f'"{_clip(text)}" er ikke en dato på formen ÅÅÅÅ-MM-DD (fx 2026-11-25)')
        try:
            return _dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise InvalidValue(f'"{text}" er ikke en gyldig dato (findes den dag i kalenderen?)') from None

    def _check_choice(self, value: Any) -> str:
        text = self._check_text(value)
        if not text or text in self.choices:
            return text
        lowered = {c.lower(): c for c in self.choices}
        if text.lower() in lowered:
            return lowered[text.lower()]  # spelled as the list spells it, free text or not
        if self.allow_other:
            return text
        options = ", ".join(f'"{c}"' for c in self.choices)
        raise InvalidValue(f'"{_clip(text)}" er ikke en af mulighederne: {options}{suggest(text, self.choices)}')

    def _check_bool(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("ja", "nej"):
            return value.strip().lower() == "ja"
        raise InvalidValue(f"skal være ja eller nej (true/false), ikke {_describe(value)}")

    @property
    def item_question(self) -> "Question":
        """One entry of a plain list, checked as short text."""
        return Question(key=self.key, path=self.path, type="text", prompt=self.prompt, item_name=self.item_name)

    def _check_list(self, value: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise InvalidValue(f"skal være en liste (linjer der begynder med '- '), ikke {_describe(value)}")
        return [item for item in (self._check_text(v) for v in value) if item]

    def _check_records(self, value: Any) -> list[dict]:
        # Entries are checked field by field by the caller, which knows their lines.
        if value is None:
            return []
        if not isinstance(value, list):
            raise InvalidValue(f"skal være en liste af punkter (linjer der begynder med '- '), ikke {_describe(value)}")
        return value


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by a blank line; each is trimmed, empty ones dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        raise InvalidValue(
            f"skal være tekst, men YAML læser værdien som ja/nej ({'true' if value else 'false'}); "
            'sæt anførselstegn om teksten, fx "nej"'
        )
    if isinstance(value, (int, float)):
        raise InvalidValue(
            f"skal være tekst, men er et tal ({value}); sæt anførselstegn om værdien, "
            f'hvis den er ment som tekst, fx "{value}"'
        )
    if isinstance(value, (_dt.date, _dt.datetime)):
        raise InvalidValue(f'skal være tekst, men er en dato; sæt anførselstegn om værdien, fx "{value}"')
    if not isinstance(value, str):
        raise InvalidValue(f"skal være tekst, ikke {_describe(value)}")
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    bad = _XML_ILLEGAL.search(text)
    if bad:
        char = bad.group()
        raise InvalidValue(
            f"indeholder tegnet U+{ord(char):04X} (på plads {bad.start() + 1}), som ikke kan stå i et "
            "Word-dokument; fjern det"
        )
    return text


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "en gruppe af felter"
    if isinstance(value, list):
        return "en liste"
    if isinstance(value, bool):
        return "ja/nej"
    if isinstance(value, (int, float)):
        return f"et tal ({value})"
    if value is None:
        return "ingenting"
    return f'"{_clip(str(value))}"'


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Section(Plain):
    __slots__ = ("key", "title", "number", "intro", "questions", "cover", "page_break_before", "parts", "form")
    key: str
    title: str
    number: int | None
    intro: str
    questions: list[Question]
    cover: bool  # its facts stand under the title, it has no heading of its own
    page_break_before: bool
    parts: list | None  # question keys and fixed sentences, in the document's order
    form: bool  # the interview asks its leading one-line questions together, on one form

    def __init__(self, key: str, title: str, number: int | None, intro: str, questions: list[Question],
                 cover: bool = False, page_break_before: bool = False, parts: list | None = None, form: bool = False):
        self.key = key
        self.title = title
        self.number = number
        self.intro = intro
        self.questions = questions
        self.cover = cover
        self.page_break_before = page_break_before
        self.parts = parts
        self.form = form

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


class Questionnaire(Plain):
    __slots__ = ("kind", "name", "description", "schema_version", "template", "sections", "document", "source_file",
                 "source", "removed", "cover", "requires_one_of")
    kind: str
    name: str
    description: str
    schema_version: int
    template: str
    sections: list[Section]
    document: dict[str, str]
    source_file: Path
    source: str
    removed: list[Section]  # taken away from the parent kind
    cover: dict  # the document's title and subtitle (texts of the kind)
    # groups of answer paths of which at least one must be answered ("a purpose or tasks")
    requires_one_of: list[list[str]]

    def __init__(self, kind: str, name: str, description: str, schema_version: int, template: str,
                 sections: list[Section], document: dict[str, str], source_file: Path, source: str = "",
                 removed: list[Section] | None = None, cover: dict | None = None,
                 requires_one_of: list[list[str]] | None = None):
        self.kind = kind
        self.name = name
        self.description = description
        self.schema_version = schema_version
        self.template = template
        self.sections = sections
        self.document = document
        self.source_file = source_file
        self.source = source
        self.removed = [] if removed is None else removed
        self.cover = {} if cover is None else cover
        self.requires_one_of = [] if requires_one_of is None else requires_one_of

    @property
    def uses_body(self) -> bool:
        """True when the document is built from the kind (drafter.body) inside a letterhead;
        False for a kind that names a full-layout template of its own."""
        return not self.template

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def body_sections(self, orden: list[str] | None = None) -> list[Section]:
        """The sections of the document's body (not the cover's) in the order an answer
        file's ``orden`` gives; the sections it does not name follow in the kind's order."""
        body = [s for s in self.sections if not s.cover]
        by_key = {s.key: s for s in body}
        named = [by_key[k] for k in dict.fromkeys(orden or []) if isinstance(k, str) and k in by_key]
        return named + [s for s in body if s not in named]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def question(self, path: str) -> Question | None:
        return next((q for q in self.questions if q.path == path), None)

    @property
    def template_path(self) -> Path:
        """The Word template: the workspace's templates/<kind>.docx if there is one (a
        letterhead), else the kind's own template, looked for in template_dirs()."""
        own = workspace.current().templates_dir
        if own is not None and (own / f"{self.kind}.docx").is_file():
            return own / f"{self.kind}.docx"
        if self.uses_body:
            return letterhead_path()
        return find_template(self.template, self.source_file.parent)

    @property
    def template_sections(self) -> list[Section]:
        """What a Word template may refer to: the sections, plus what the kind removed from
        its parent (``remove``), so that an inherited template still finds those names and,
        given nothing, prints nothing there."""
        if not self.removed:
            return self.sections
        out = [Section(s.key, s.title, s.number, s.intro, list(s.questions)) for s in self.sections]
        by_key = {s.key: s for s in out}
        for gone in self.removed:
            if gone.key in by_key:
                by_key[gone.key].questions.extend(gone.questions)
            else:
                out.append(gone)
        return out

    @property
    def builtin_template(self) -> bool:
        """True when the template is one of drafter's own (checked by its tests, not at run time)."""
        path = self.template_path.resolve()
        return any(path.parent == folder.resolve() for folder in template_dirs(BUILTIN_KINDS_DIR)[1:])


def kinds_dirs() -> list[Path]:
    """Folders searched for kinds: the workspace's kinds/, the user's own (DRAFTER_KINDS_PATH),
    then the built-in ones. A kind found earlier hides a built-in kind of the same name."""
    own = workspace.current().kinds_dir
    extra = [Path(p) for p in os.environ.get(KINDS_PATH_ENV, "").split(os.pathsep) if p]
    return [*([own] if own is not None else []), *extra, BUILTIN_KINDS_DIR]


def available_kinds() -> list[str]:
    names: list[str] = []
    for folder in kinds_dirs():
        if inputs.is_dir(folder):
            for path in workspace.yaml_files(folder):
                # Only a file is a kind (a FIFO or folder named x.yaml is not; _kind_file agrees).
                if path.stem not in names and inputs.is_file(path):
                    names.append(path.stem)
    return names


def _kind_file(kind: str, exclude: Path | None = None) -> Path | None:
    for folder in kinds_dirs():
        path = folder / f"{kind}.yaml"
        if inputs.is_file(path):
            found = path.resolve()
            inputs.resolved(path, found)
            if found != exclude:
                return found
    return None


def load_questionnaire(kind: str) -> Questionnaire:
    path = _kind_file(kind)
    if path is not None:
        with workspace.filling_cache:  # the lookup and the store of the cache within: see workspace.read_afresh
            return _load_file(path)
    known = available_kinds()
    raise UnknownKind(
        f'ukendt kommissorietype "{kind}"; kendte typer: {", ".join(known)}{suggest(kind, known)}'
    )


# A kind file is data from a shared folder: read like an answer file (no aliases, bounded
# size and depth), and its `extends` chain is bounded too.
MAX_KIND_BYTES = 1_000_000
MAX_EXTENDS = 10


@lru_cache(maxsize=None)
def _load_file(path: Path) -> Questionnaire:
    data, lines, parents = _read_with_parents(path)
    # A kind built on others may be broken by one of them: named, so the right file is mended.
    inherited = f" (typen bygger videre på {and_list([str(p) for p in parents])}, så fejlen kan stå dér)" if parents else ""
    try:
        return _build(data, path)
    except _KindProblem as exc:
        line = lines.get(exc.where) if lines else None
        raise KindError(Problem(f"spørgeskemaet er ugyldigt: {exc.message}{inherited}", path=exc.where, file=str(path),
                                line=line)) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise KindError(f"{path}: spørgeskemaet er ugyldigt: {_reason(exc)}{inherited}") from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"feltet '{exc.args[0]}' mangler"
    if isinstance(exc, (TypeError, AttributeError)):
        return "et felt har en forkert form (fx en tekst, hvor der skal stå en liste eller en gruppe af felter)"
    return str(exc)


def _read_yaml(path: Path) -> tuple[dict, dict]:
    """(data, line of every value) of one kind file, read as safely as an answer file."""

    try:
        raw = read_regular_file(path, MAX_KIND_BYTES)
    except UnsafeFile as exc:
        inputs.unreadable(path)
        raise KindError(f"{path}: {exc}") from None
    except OSError as exc:
        inputs.unreadable(path)
        raise KindError(f"{path}: spørgeskemaet kan ikke læses ({describe_oserror(exc)})") from None
    inputs.read(path, raw)
    try:
        parsed = parse_file_bytes(raw, str(path), "typefil")
    except AnswerFileError as exc:
        raise KindError(exc.problems) from None
    return parsed.data, parsed.lines


def _read_with_parents(path: Path) -> tuple[dict, dict, list[Path]]:
    """The kind's raw data, with ``extends: <kind>`` resolved (see merge_kind), the
    lines of the kind's own file (None when values come from a parent), and the files of its parents."""
    chain = [path]
    layers = [_read_yaml(path)]
    while True:
        data = layers[-1][0]
        parent_kind = data.get("extends")
        if parent_kind is None:
            break
        current = chain[-1]
        parent_path = _kind_file(str(parent_kind), exclude=current)
        if parent_path is None:
            raise KindError(f'{current}: "extends: {parent_kind}" henviser til en type, der ikke findes')
        if parent_path in chain:
            raise KindError(f'{path}: "extends" går i ring ({" -> ".join(p.stem for p in (*chain, parent_path))})')
        if len(chain) > MAX_EXTENDS:
            raise KindError(
                f'{path}: "extends" kæder mere end {MAX_EXTENDS} typer sammen ({" -> ".join(p.stem for p in chain[:4])} -> …); '
                "en type kan højst bygge på {MAX_EXTENDS} andre".replace("{MAX_EXTENDS}", str(MAX_EXTENDS))
            )
        chain.append(parent_path)
        layers.append(_read_yaml(parent_path))
    merged = dict(layers[-1][0])
    merged.pop("extends", None)
    for child_path, (child, _) in zip(reversed(chain[:-1]), reversed(layers[:-1])):
        child = {k: v for k, v in child.items() if k != "extends"}
        lineage = [*merged.get("_lineage", []), merged.get("kind")]
        try:
            merged = merge_kind(merged, child)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise KindError(f"{child_path}: spørgeskemaet er ugyldigt: {_reason(exc)}") from None
        merged["_lineage"] = lineage
    return merged, (layers[0][1] if len(layers) == 1 else {}), chain[1:]


class _KindProblem(ValueError):
    """A problem at a place in a kind's data (a path as in the answer files' lines)."""

    def __init__(self, where: tuple, message: str):
        super().__init__(message)
        self.where, self.message = where, message



def merge_kind(parent: dict, child: dict) -> dict:
    """A child kind = its parent with the child's changes.

    Top-level fields of the child replace the parent's (``document`` is merged by name).
    ``sections`` are matched by ``key``: a known section takes the child's fields, and
    within it ``questions`` are matched by ``key`` too (the child's fields replace the
    parent's; a new key is added at the end); a new section is added at the end.
    """
    merged = {k: v for k, v in parent.items() if k not in ("sections", "remove")}
    for key, value in child.items():
        if key == "document":
            merged["document"] = {**parent.get("document", {}), **value}
        elif key not in ("sections", "remove"):
            merged[key] = value
    merged["sections"] = _merge_by_key(parent.get("sections", []), child.get("sections", []), _merge_section)
    removed = list(parent.get("_removed", []))
    for path in child.get("remove") or []:
        removed.append(_remove(merged["sections"], path))
    if removed:
        merged["_removed"] = removed
    return merged


def _remove(sections: list[dict], path: Any) -> dict:
    """Take a section ("kommunikation") or a question ("opgaver.snitflader") out of *sections*;
    return what was taken, as a section holding it."""
    if not isinstance(path, str) or not path.strip():
        raise ValueError("'remove' skal være en liste af afsnit ('afsnit') og spørgsmål ('afsnit.spørgsmål')")
    section_key, _, question_key = path.strip().partition(".")
    question_key, _, field_key = question_key.partition(".")
    section = next((s for s in sections if s.get("key") == section_key), None)
    if section is None:
        known = [s.get("key") for s in sections]
        raise ValueError(f"remove: afsnittet '{section_key}' findes ikke{suggest(section_key, known)}")
    if not question_key:
        sections.remove(section)
        return section
    questions = section.get("questions", [])
    question = next((q for q in questions if q.get("key") == question_key), None)
    if question is None:
        known = [q.get("key") for q in questions]
        raise ValueError(f"remove: spørgsmålet '{path}' findes ikke{suggest(question_key, known)}")
    if field_key:  # a field of a records question ("sammensaetning.medlemmer.rolle")
        fields = question.get("fields") or []
        gone = next((f for f in fields if f.get("key") == field_key), None)
        if gone is None:
            known = [f.get("key") for f in fields]
            raise ValueError(f"remove: feltet '{path}' findes ikke{suggest(field_key, known)}")
        question["fields"] = [f for f in fields if f is not gone]
        return {**{k: v for k, v in section.items() if k != "questions"}, "questions": [{**question, "fields": [gone]}]}
    section["questions"] = [q for q in questions if q is not question]
    return {**{k: v for k, v in section.items() if k != "questions"}, "questions": [question]}


def _merge_section(parent: dict, child: dict) -> dict:
    out = {**parent, **{k: v for k, v in child.items() if k != "questions"}}
    out["questions"] = _merge_by_key(parent.get("questions", []), child.get("questions", []), _merge_question)
    return out


def _merge_question(parent: dict, child: dict) -> dict:
    """A question of a child kind: its fields replace the parent's, and the fields of a
    records question are merged by key as questions are (a new field is added at the end)."""
    out = {**parent, **child}
    if isinstance(parent.get("fields"), list) and isinstance(child.get("fields"), list):
        out["fields"] = _merge_by_key(parent["fields"], child["fields"], lambda p, c: {**p, **c})
    return out


def _merge_by_key(parents: list[dict], children: list[dict], merge) -> list[dict]:
    by_key = {c["key"]: c for c in children}
    out = [merge(p, by_key.pop(p["key"])) if p["key"] in by_key else p for p in parents]
    return out + [c for c in children if c["key"] in by_key]


def _build(data: dict, path: Path) -> Questionnaire:
    for name in ("kind", "name", "description", "schema_version", "sections"):
        if name not in data:
            raise _KindProblem((), f"feltet '{name}' mangler")
    if not isinstance(data["sections"], list):
        raise _KindProblem(("sections",), "skal være en liste af afsnit")
    document = data.get("document", {})
    if not isinstance(document, dict) or not all(isinstance(v, str) for v in document.values()):
        raise _KindProblem(("document",), "skal være felter med tekst (title: ..., subject: ...)")
    profile = workspace.profile()
    kinds = [data["kind"], *reversed(data.get("_lineage", []))]  # the kind's own settings first
    raw_sections = _ordered(data["sections"], data.get("order"))
    sections = []
    for i, raw in enumerate(raw_sections):
        where = ("sections", i)
        try:
            if not isinstance(raw, dict) or not isinstance(raw.get("questions"), list):
                raise ValueError("et afsnit skal have 'key', 'title' og en liste 'questions'")
            questions = []
            for j, q in enumerate(raw["questions"]):
                where = ("sections", i, "questions", j)
                if not isinstance(q, dict):
                    raise ValueError("et spørgsmål skal være en gruppe af felter (key, type, prompt, ...)")
                questions.append(_question(q, raw["key"]))
                _apply_profile(questions[-1], profile, kinds)
            where = ("sections", i)
            parts = raw.get("parts")
            if parts is not None and not isinstance(parts, list):
                raise ValueError("'parts' skal være en liste af spørgsmål (nøgler) og sætninger ({text: ...})")
            sections.append(
                Section(
                    key=_key(raw["key"]),
                    title=raw["title"],
                    number=raw.get("number"),
                    intro=raw.get("intro", ""),
                    questions=questions,
                    cover=bool(raw.get("cover", False)),
                    page_break_before=bool(raw.get("page_break_before", False)),
                    parts=list(parts) if parts is not None else None,
                    form=bool(raw.get("form", False)),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _KindProblem(where, _reason(exc)) from None
    for built in sections:
        if built.key in RESERVED_SECTION_KEYS:
            raise ValueError(f"{built.key!r} kan ikke bruges som afsnit; skabelonerne bruger navnet til profilens ord")
    removed = [
        Section(_key(raw["key"]), raw["title"], raw.get("number"), raw.get("intro", ""),
                [_question(q, raw["key"]) for q in raw["questions"]])
        for raw in data.get("_removed", [])
    ]
    template = data.get("template")
    if template is None and inputs.is_file(path.parent / f"{data['kind']}.docx"):
        template = f"{data['kind']}.docx"  # a kind's own full-layout template beside it
    cover = data.get("cover") or {}
    if not isinstance(cover, dict):
        raise _KindProblem(("cover",), "skal være felter med tekst (title: ..., subtitle: ...)")
    requires = data.get("requires_one_of") or []
    if not isinstance(requires, list) or not all(isinstance(g, list) and g for g in requires):
        raise _KindProblem(("requires_one_of",), "skal være en liste af lister af svar (afsnit.spørgsmål)")
    built = Questionnaire(
        kind=str(data["kind"]),
        name=str(data["name"]),
        description=str(data["description"]),
        schema_version=int(data["schema_version"]),
        template=str(template) if template else "",
        sections=sections,
        document=dict(document),
        source_file=path,
        source=data.get("source", ""),
        removed=removed,
        cover=dict(cover),
        requires_one_of=[[str(p) for p in group] for group in requires],
    )
    _check_layout(built, data)
    return built


def _ordered(sections: list, order: Any) -> list:
    """The sections with those *order* names first, in its order (a kind that extends
    another can reorder the sections it inherits); the others follow as they stand."""
    if order is None:
        return sections
    if not isinstance(order, list):
        raise _KindProblem(("order",), "skal være en liste af afsnit (nøgler), fx order: [baggrund, formaal]")
    by_key = {s.get("key"): s for s in sections if isinstance(s, dict)}
    for i, key in enumerate(order):
        if key not in by_key:
            raise _KindProblem(("order", i), f"'{key}' er ikke et afsnit i typen{suggest(str(key), [str(k) for k in by_key])}")
    named = [by_key[k] for k in dict.fromkeys(order)]
    return named + [s for s in sections if not (isinstance(s, dict) and s.get("key") in order)]


def _check_layout(q: "Questionnaire", data: dict) -> None:
    """Every text of the kind names answers that exist, and every part of its layout is known."""
    paths = {question.path for question in q.questions}
    # What the kind removed from its parent may still be named: it is simply never there.
    gone = {f"{question.path}.{f.key}" for section in q.removed for question in section.questions for f in question.fields}
    gone |= {question.path for section in q.removed for question in section.questions}
    paths |= gone

    def texts(spec: Any, where: tuple, record: Question | None = None) -> None:
        if spec is not None and not isinstance(spec, (str, dict, list)):
            raise _KindProblem(where, "skal være en tekst, {text: ..., when: ...} eller en liste af dem")
        for text, when in text_alternatives(spec):
            for name in when:
                if name not in paths:
                    raise _KindProblem(where, f"'when' nævner '{name}', som ikke er et spørgsmål{suggest(str(name), sorted(paths))}")
            for match in PLACEHOLDER.finditer(text):
                name, filters = match.group(1), [f for f in match.group(2).split("|") if f]
                for unknown in (f for f in filters if f not in TEXT_FILTERS):
                    raise _KindProblem(where, f"ukendt filter '|{unknown}' i {{{name}}} (kendte: {', '.join(TEXT_FILTERS)})")
                if name.startswith(PROFILE_CONTEXT_KEY + "."):
                    continue
                if record is not None and "." not in name:
                    if record.field_named(name) is None and f"{record.path}.{name}" not in gone:
                        known = [f.key for f in record.fields]
                        raise _KindProblem(where, f"{{{name}}} er ikke et felt i {record.path} (felterne: {', '.join(known)}){suggest(name, known)}")
                    continue
                if name not in paths:
                    raise _KindProblem(where, f"{{{name}}} er ikke et spørgsmål i typen{suggest(name, sorted(paths))}")

    texts(q.cover.get("title"), ("cover", "title"))
    texts(q.cover.get("subtitle"), ("cover", "subtitle"))
    for g, group in enumerate(q.requires_one_of):
        for name in group:
            if name not in paths:
                raise _KindProblem(("requires_one_of", g), f"'{name}' er ikke et spørgsmål i typen{suggest(name, sorted(paths))}")
    for i, section in enumerate(q.sections):
        keys = [question.key for question in section.questions]
        for k, part in enumerate(section.parts or []):
            if isinstance(part, str):
                if part not in keys:
                    raise _KindProblem(("sections", i, "parts", k), f"'{part}' er ikke et spørgsmål i afsnittet{suggest(part, keys)}")
            else:
                texts(part, ("sections", i, "parts", k))
        for j, question in enumerate(section.questions):
            where = ("sections", i, "questions", j)
            if question.show is not None and question.show not in SHOW_KINDS:
                raise _KindProblem(where + ("show",), f"ukendt visning '{question.show}' (kendte: {', '.join(SHOW_KINDS)})")
            fitting = {"table": ("records",), "lines": ("records", "list"), "bullets": ("records", "list")}
            if question.show in fitting and question.type not in fitting[question.show]:
                raise _KindProblem(where + ("show",), f"'{question.show}' passer ikke til spørgsmålstypen '{question.type}'")
            for name in ("heading", "lead", "value", "fact_label"):
                texts(getattr(question, name), where + (name,))
            texts(question.line, where + ("line",), question if question.type == "records" else None)
            if question.group_by and question.field_named(question.group_by) is None:
                raise _KindProblem(where + ("group_by",), f"'{question.group_by}' er ikke et felt i {question.path}")
            for c, column in enumerate(question.columns or []):
                key = column.get("key") if isinstance(column, dict) else column
                if question.type != "records" or not isinstance(key, str) or question.field_named(key) is None:
                    raise _KindProblem(where + ("columns", c), f"'{key}' er ikke et felt i {question.path}")
                if isinstance(column, dict) and column.get("width") is not None and not (
                    isinstance(column["width"], (int, float)) and 0.5 <= column["width"] <= 30
                ):
                    raise _KindProblem(where + ("columns", c, "width"), "bredden skal være et tal i cm mellem 0,5 og 30")


def _apply_profile(question: Question, profile, kinds: list[str]) -> None:
    """The profile's suggestion (forslag) and extra choices (valg, after the kind's own) for a
    question and the fields of its entries; the most specific kind's setting wins."""
    for field_ in question.fields:
        _apply_profile(field_, profile, kinds)
    for kind in kinds:
        setting = profile.question_setting(kind, question.path)
        if setting:
            if "forslag" in setting:
                question.default = setting["forslag"]
            question.choices = question.choices + [c for c in setting.get("valg") or [] if c not in question.choices]
            return


def _question(raw: dict, parent: str) -> Question:
    key = _key(raw["key"])
    qtype = raw["type"]
    allowed = QUESTION_TYPES if "." not in parent else FIELD_TYPES
    if qtype not in allowed:
        raise ValueError(f"{parent}.{key}: ukendt spørgsmålstype {qtype!r} (kendte: {', '.join(allowed)})")
    path = f"{parent}.{key}"
    fields = [_question(f, path) for f in raw.get("fields", [])]
    if qtype == "records" and not fields:
        raise ValueError(f"{path}: en 'records'-liste skal have 'fields'")
    choices = list(raw.get("choices", []))
    choices_from = raw.get("choices_from")
    if choices_from:
        try:
            listed = reference.choices(choices_from)
        except KeyError as exc:
            raise ValueError(f"{path}: {exc.args[0]}") from None
        choices = listed + [c for c in choices if c not in listed]
    default_from = raw.get("default_from")
    if default_from is not None:
        if not isinstance(default_from, dict) or default_from.get("lookup") not in reference.LOOKUPS:
            raise ValueError(f"{path}: 'default_from' skal have 'lookup' (kendte: {', '.join(reference.LOOKUPS)})")
        missing = [f for f in reference.LOOKUP_FIELDS[default_from["lookup"]] if not isinstance(default_from.get(f), str)]
        if missing:
            raise ValueError(f"{path}: 'default_from' med lookup {default_from['lookup']!r} mangler {', '.join(missing)}")
    return Question(
        key=key,
        path=path,
        type=qtype,
        prompt=raw["prompt"],
        help=raw.get("help", ""),
        label=raw.get("label", ""),
        required=bool(raw.get("required", False)),
        default=raw.get("default"),
        choices=choices,
        allow_other=bool(raw.get("allow_other", False)),
        fields=fields,
        item_name=raw.get("item_name", ""),
        not_before=raw.get("not_before"),
        when=raw.get("when"),
        choices_from=choices_from,
        default_from=default_from,
        kind_for=_kind_for(raw.get("kind_for"), path, choices),
        show=raw.get("show"),
        heading=raw.get("heading"),
        lead=raw.get("lead"),
        line=raw.get("line"),
        group_by=raw.get("group_by"),
        columns=list(raw["columns"]) if isinstance(raw.get("columns"), list) else None,
        value=raw.get("value"),
        fact_label=raw.get("fact_label"),
    )


def _kind_for(raw: Any, path: str, choices: list[str]) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise ValueError(f"{path}: 'kind_for' skal være valg: type, fx {{projektgruppe: projektgruppe}}")
    unknown = [k for k in raw if k not in choices]
    if unknown:
        raise ValueError(f"{path}: 'kind_for' nævner {', '.join(unknown)}, som ikke er et af valgene")
    return dict(raw)


def _key(key: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key) or key in _RESERVED_KEYS:
        raise ValueError(f"{key!r} kan ikke bruges som nøgle (små bogstaver a-z, cifre og _; ikke et ord, som Jinja bruger)")
    return key


def template_dirs(kind_dir: Path) -> list[Path]:
    """Where a kind's Word template is looked for, most specific first."""
    own = workspace.current().templates_dir
    return [
        *([own] if own is not None else []),  # the workspace's templates/ (letterhead)
        kind_dir,  # a user's kind folder may keep its .docx beside the .yaml
        PACKAGE_DIR / "_templates" / "docx",  # installed wheel
        PACKAGE_DIR.parent / "templates" / "docx",  # checkout / editable install
    ]


LETTERHEAD = "letterhead.docx"


def letterhead_path() -> Path:
    """The letterhead a kind without a template of its own is rendered in: the workspace's
    (templates/letterhead.docx, made with `drafter template new --letterhead`), else drafter's."""
    own = workspace.current().templates_dir
    if own is not None and (own / LETTERHEAD).is_file():
        return own / LETTERHEAD
    return find_template(LETTERHEAD, BUILTIN_KINDS_DIR)


def is_builtin_template(path: Path) -> bool:
    """A Word template shipped with drafter (trusted), as opposed to a user's own."""
    builtin = (PACKAGE_DIR / "_templates" / "docx", PACKAGE_DIR.parent / "templates" / "docx")
    return path.resolve().parent in {folder.resolve() for folder in builtin}


def find_template(name: str, kind_dir: Path) -> Path:
    for folder in template_dirs(kind_dir):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise KindError(f'Word-skabelonen "{name}" findes ikke (ledt i: {", ".join(str(d) for d in template_dirs(kind_dir))})')


# The profile's lists a kind's required question can take its choices from, and what each
# is called when the profile lacks it (the lists a cluster kind needs).
PROFILE_LISTS = {
    "klynger": "klynger ('klynger')",
    "perioder": "en plan for rotation i formandskaberne ('rotation')",
    "temagrupper": "temagrupper (grupper med 'er_temagruppe: true')",
}
PROFILE_LISTS_SHORT = {"klynger": "klynger", "perioder": "rotationsplan", "temagrupper": "temagrupper"}


def missing_profile_data(questionnaire: "Questionnaire", short: bool = False) -> list[str]:
    """What a kind needs from the profile that the profile lacks: a required question whose
    choices come from one of PROFILE_LISTS, or whose entries are the profile's clusters, finds none."""
    names = PROFILE_LISTS_SHORT if short else PROFILE_LISTS
    missing: list[str] = []
    for question in questionnaire.questions:
        for asked in [question, *question.fields]:
            if not asked.required:
                continue
            needed = asked.choices_from if asked.choices_from in PROFILE_LISTS and not asked.choices else None
            lookup = (asked.default_from or {}).get("lookup")
            if lookup == "klynger" and not asked.default_value(None, {}):
                needed = "klynger"
            if needed and names[needed] not in missing:
                missing.append(names[needed])
    return missing


def missing_profile_note(questionnaire: "Questionnaire") -> str:
    """"mangler temagrupper, klynger og rotationsplan": what a kind lacks in the profile, in
    a few words beside its name in a list of kinds ("" when it lacks nothing)."""
    missing = missing_profile_data(questionnaire, short=True)
    return f"mangler {and_list(missing)}" if missing else ""


def and_list(items: list[str]) -> str:
    """'a, b og c': items joined as Danish lists them."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]
