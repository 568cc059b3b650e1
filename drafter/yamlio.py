"""Answer files as text people keep: a new file in drafter's readable style, and saves to an
existing file that change the lines of the answers that changed and nothing else.

An answer file is kept for years, commented and put in git, so a save must not rewrite it.
An existing file is *patched*: PyYAML's node positions say where each value stands in the
text, and only values whose answer differs are replaced, in the style they were written
in (plain, quoted, ``|`` block). Comments (also at line ends and above list items), blank
lines, key order, indentation, quoting and line ends of everything else stay byte for
byte; a save that changes no answer writes nothing. Before it is written, every patched
text is read back and compared with the intended answers; a place the fine patch cannot
handle is replaced whole (a section, at worst the file), never written wrong.

Why not ruamel.yaml's round-trip mode: it re-emits the whole file, which normalises what
it does not model (sequence indentation per file, folding of long plain lines, hand-wrapped
plain text, CRLF line ends), so "one answer changed = only its lines changed" would not
hold for hand-written files; it would also be a new dependency (~60 ms to import). The
patch needs only PyYAML, which every command loads already.

Lost edits: a save names the bytes the file had when drafter last read it; if the file on
disk is no longer those bytes (someone edited it meanwhile), StaleFile is raised and
nothing is written. The comparison is repeated just before the rename.
"""

from __future__ import annotations

import re
from pathlib import Path
from functools import lru_cache
from typing import Any, Callable

from drafter.errors import AnswerFileError, DrafterError, InvalidValue
from drafter.fsutil import atomic_write
from drafter.problems import Problem
from drafter.yamlread import MAX_FILE_BYTES, META_KEYS, NodeConverter, is_empty, parse_answer_text

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Plain text that a YAML 1.1 or 1.2 reader (PyYAML, libyaml, ruamel, js-yaml, Go, Excel's
# importers) would take for something else: null, a boolean (1.1 has y/n/yes/no/on/off), a
# number in any base or form (1e3, 0o17, .5, 1_000, 12:30 base 60), a date or time (also
# impossible ones like 2026-13-01, which such readers reject) or the merge and value keys.
# Such text is written in quotes.
_TYPED = re.compile(r"""(?x)^(?:
    ~ | null | Null | NULL
  | y | Y | yes | Yes | YES | n | N | no | No | NO
  | true | True | TRUE | false | False | FALSE | on | On | ON | off | Off | OFF
  | [-+]? \. (?: inf | Inf | INF ) | \. (?: nan | NaN | NAN )
  | [-+]? (?: [0-9][0-9_]* (?: \.[0-9_]* )? | \.[0-9_]+ ) (?: [eE][-+]?[0-9]+ )?
  | [-+]? 0 (?: [xX][0-9a-fA-F_]+ | [oO][0-7_]+ | [bB][01_]+ )
  | [-+]? [0-9][0-9_]* (?: :[0-5]?[0-9] )+ (?: \.[0-9_]* )?
  | [0-9]{1,4} - [0-9]{1,2} - [0-9]{1,2}
    (?: (?: [Tt] | [ \t]+ ) [0-9]{1,2} : [0-9]{2} : [0-9]{2} (?: \.[0-9]* )?
        (?: [ \t]* (?: Z | [-+][0-9]{1,2} (?: :[0-9]{2} )? ) )? )?
  | [0-9]{1,2} : [0-9]{2} (?: :[0-9]{2} )?
  | = | <<
)$""")


# Plain text that means the same inside {…} or […] to every YAML reader: letters, digits and
# a few separators, beginning with a letter or digit; anything else goes in double quotes.
_FLOW_SAFE_PLAIN = re.compile(r"[^\W_][\w .\-/]*(?<! )")


def _real_date(text: str) -> bool:
    import datetime as _dt

    try:
        _dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False
MISSING = object()  # "no such key" for the same() callback
FRESH_WIDTH = 100  # line width of new files (long plain text is folded there)
_UNSET = object()


class StaleFile(DrafterError):
    """The answer file on disk is no longer what drafter read: someone changed it meanwhile."""

    def __init__(self, path: str | Path, exists: bool = True):
        self.path = Path(path)
        if exists:
            message = (
                "filen er ændret på disken, efter drafter læste den (fx i en editor); "
                "den overskrives ikke, så ændringerne ikke går tabt"
            )
        else:
            message = "filen er slettet eller flyttet, efter drafter læste den; den skrives ikke igen uden at spørge"
        super().__init__(Problem(message, file=str(path)))


class NewFileExists(DrafterError):
    """A new answer file was to be written, but a file of that name appeared meanwhile."""

    def __init__(self, path: str | Path):
        super().__init__(Problem("findes allerede; en eksisterende svarfil overskrives aldrig af en ny", file=str(path)))


# -- the readable style of new files -------------------------------------------------------

@lru_cache(maxsize=2)
def readable_dumper(indent_sequences: bool = False):
    """PyYAML's safe dumper writing values as a person would type them; *indent_sequences*:
    a list's "- " indented under its key, as in a file written that way."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        if indent_sequences:
            def increase_indent(self, flow=False, indentless=False):
                return super().increase_indent(flow, False)

    def _str(dumper: yaml.SafeDumper, text: str):
        if _ISO_DATE.match(text) and _real_date(text):
            # Written bare (2027-01-04), as a person would type it; the loader keeps dates as text.
            return dumper.represent_scalar("tag:yaml.org,2002:timestamp", text)
        if _TYPED.match(text):
            return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="'")
        # A block keeps its text exactly, except one that ends in a blank line: PyYAML then
        # writes "|+" and ends the document with "...", which would cut the file short.
        breaks = "\n\x85\u2028\u2029"
        keep = text[-1:] in tuple(breaks) and (len(text) == 1 or text[-2] in breaks)
        style = "|" if "\n" in text and not keep else None
        if any(ch in text for ch in "\x85\u2028\u2029\ufeff"):
            # Line breaks to YAML that PyYAML would write raw in a plain or single-quoted
            # value, where they fold into spaces; double quotes write them as escapes.
            style = '"'
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    _Dumper.add_representer(str, _str)
    return _Dumper


def dump_fresh(data: Any, indent_sequences: bool = False) -> str:
    """*data* (a mapping or list) in the readable style of new files."""
    import yaml

    return yaml.dump(data, Dumper=readable_dumper(indent_sequences), allow_unicode=True, sort_keys=False,
                     width=FRESH_WIDTH)


# A key followed (after blank or comment lines) by the first "- " of its list.
_LIST_UNDER_KEY = re.compile(r"^( *)[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*( *)- ", re.M)


def indents_sequences(text: str) -> bool:
    """Whether a file writes its lists indented under their keys ("key:\n  - a")."""
    match = _LIST_UNDER_KEY.search(text)
    return bool(match) and len(match.group(2)) > len(match.group(1))


def without_empty(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_empty(v) for k, v in value.items() if not is_empty(v)}
    if isinstance(value, list):
        return [without_empty(v) for v in value]
    return value


# -- answers deliberately left empty -------------------------------------------------------
#
# An optional question with a suggestion (a default, or one from the profile or reference
# data) that a person left empty is a decision, not a question not asked yet: the file keeps
# its key with an empty value ("sekretariat: ''", "opgaver: []"), so that no front end offers
# the suggestion again. Everywhere else an empty answer is left out of the file, as always.

def keeps_empty(question) -> bool:
    """Whether the answer file records *question* answered empty: optional, with a suggestion.
    (An optional date suggested as "today" is never offered: it has nothing to decline; a
    yes/no is answered yes or no, never empty.)"""
    if question.required or question.type == "bool" or (question.type == "date" and question.default == "today"):
        return False
    return question.default_from is not None or not is_empty(question.default)


def empty_answer(question) -> Any:
    """How the file writes *question* answered empty: ``''``, or ``[]`` for a list."""
    return [] if question.is_repeating else ""


def recorded_empty(questionnaire, data: Any) -> set[str]:
    """The answer paths plain answer *data* (a file as read) records as answered empty: an
    optional question with a suggestion whose key is there with nothing (or '' or [])."""
    found: set[str] = set()
    if not isinstance(data, dict):
        return found
    for section in questionnaire.sections:
        block = data.get(section.key)
        if isinstance(block, dict):
            found.update(q.path for q in section.questions if q.key in block and is_empty(block[q.key]) and keeps_empty(q))
    return found


def file_data(questionnaire, values: dict, complete: bool = True, meta: dict | None = None,
              left_empty: Any = ()) -> dict[str, Any]:
    """The plain data an answer file holds for these answers, in the order it is written;
    *left_empty*: answer paths answered empty on purpose (written as such, see keeps_empty)."""
    data: dict[str, Any] = {"kind": questionnaire.kind, "schema_version": questionnaire.schema_version}
    if not complete:
        data["complete"] = False
    for key, value in (meta or {}).items():
        if key in META_KEYS and key not in data and key != "complete" and not is_empty(value):
            data[key] = value
    for section in questionnaire.sections:
        given = values.get(section.key, {}) or {}
        given = given if isinstance(given, dict) else {}
        kept = {}
        for question in section.questions:
            value = without_empty(given.get(question.key))
            if not is_empty(value):
                kept[question.key] = value
            elif question.path in left_empty and keeps_empty(question):
                kept[question.key] = empty_answer(question)
        if kept:
            data[section.key] = kept
    return data


def to_yaml(questionnaire, values: dict, complete: bool = True, meta: dict | None = None,
            header: list[str] | None = None, left_empty: Any = ()) -> str:
    """Answers as a new, readable file: questionnaire order, a heading comment per section,
    multi-line text as ``|`` blocks. *meta* holds further meta keys to keep (e.g. "undtagelser");
    *header* other comment lines to begin with (what the file is, what to do with it);
    *left_empty* as for file_data."""
    data = file_data(questionnaire, values, complete, meta, left_empty)
    headings = {s.key: s.heading for s in questionnaire.sections}
    lines = [f"# {line}" for line in header] if header else [
        f"# Svar til drafter: {questionnaire.name}.",
        "# Rediger gerne i hånden, og lav Word-filen igen med: drafter render <denne fil>",
        "# Datoer skrives ÅÅÅÅ-MM-DD. En tom linje i en tekst skiller to afsnit.",
    ]
    head = {k: v for k, v in data.items() if k in ("kind", "schema_version", "complete")}
    lines.append(dump_fresh(head).rstrip("\n"))
    extra = {k: v for k, v in data.items() if k not in head and k not in headings}
    if extra:
        lines.append("")
        lines.append(dump_fresh(extra).rstrip("\n"))
    for key, value in data.items():
        if key in headings:
            lines.append("")
            lines.append(f"# {headings[key]}")
            lines.append(dump_fresh({key: value}).rstrip("\n"))
    return "\n".join(lines) + "\n"


# -- answer-aware comparison -------------------------------------------------------------

class _Unreadable:
    """A value that is not a valid answer: equal to nothing but itself."""


def _normal(question, value: Any) -> Any:
    """The answer *value* means, as validation normalises it (empties dropped)."""
    try:
        if question.type == "records":
            if value is None:
                return []
            if not isinstance(value, list):
                return _Unreadable
            out = []
            for entry in value:
                if not isinstance(entry, dict):
                    return _Unreadable
                record = {}
                for field in question.fields:
                    normal = _normal(field, entry.get(field.key))
                    if normal is _Unreadable:
                        return _Unreadable
                    if not is_empty(normal):
                        record[field.key] = normal
                if set(entry) - {f.key for f in question.fields}:
                    return _Unreadable
                out.append(record)
            return out
        return None if value is None else question.check(value)
    except InvalidValue:
        return _Unreadable


def answer_comparer(questionnaire) -> Callable[[tuple, Any, Any], bool]:
    """same(path, old plain value, new value or MISSING): do they mean the same answer?

    At an answer's path, and below it, values are compared as validation normalises them
    (text trimmed, paragraphs re-joined, empty fields dropped), so a save never rewrites
    text that means what it meant.
    """

    def question_at(path: tuple):
        if len(path) < 2 or not isinstance(path[0], str) or not isinstance(path[1], str):
            return None, ()
        question = questionnaire.question(f"{path[0]}.{path[1]}")
        return question, path[2:]

    def same(path: tuple, old: Any, new: Any) -> bool:
        if not path:
            return False
        if len(path) == 1:
            if path[0] == "complete":
                old = True if old is MISSING else old
                new = True if new is MISSING else new
                return old is new
            if new is MISSING:
                return is_empty(old)
            section = questionnaire.section(path[0]) if isinstance(path[0], str) else None
            if section is None or not isinstance(old, dict) or not isinstance(new, dict):
                return old == new
            keys = set(old) | set(new)
            return all(same((*path, key), old.get(key, MISSING), new.get(key, MISSING)) for key in keys)
        question, rest = question_at(path)
        if question is None:
            return old == new
        if not rest and keeps_empty(question) and _left_empty(old) != _left_empty(new):
            return False  # answered empty ("key: ''") is not the same as not answered (no key)
        new_value = None if new is MISSING else new
        old_value = None if old is MISSING else old
        if not rest:
            a, b = _normal(question, old_value), _normal(question, new_value)
            if a is _Unreadable or b is _Unreadable:
                return old_value == new_value
            return (is_empty(a) and is_empty(b)) or a == b
        if question.type == "list" and len(rest) == 1:
            a, b = _normal(question.item_question, old_value), _normal(question.item_question, new_value)
            return a is not _Unreadable and a == b or old_value == new_value
        if question.type == "records":
            if len(rest) == 1:  # one record
                a, b = _normal(question, [old_value]), _normal(question, [new_value])
                return a is not _Unreadable and a == b or old_value == new_value
            field = question.field_named(rest[1]) if len(rest) == 2 and isinstance(rest[1], str) else None
            if field is not None:
                a, b = _normal(field, old_value), _normal(field, new_value)
                if a is _Unreadable or b is _Unreadable:
                    return old_value == new_value
                return (is_empty(a) and is_empty(b)) or a == b
        return old_value == new_value

    return same


def _left_empty(value: Any) -> bool:
    """A key that is there with nothing: answered empty (for a question that keeps_empty)."""
    return value is not MISSING and is_empty(value)


# -- the patch ---------------------------------------------------------------------------

class _Coarser(Exception):
    """This value cannot be patched in place; its parent replaces it whole."""


class _Patcher:
    def __init__(self, text: str, same: Callable, headings: dict[str, str], whole_entries: bool = False):
        self.text = text
        self.whole_entries = whole_entries
        self.same_plain = same
        self.headings = headings
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.indent_sequences = indents_sequences(text)  # a list added is indented as the file's are
        self.edits: list[tuple[int, int, int, str]] = []  # (start, end, order, replacement)
        self.plains: dict[int, Any] = {}  # node id -> its plain value (the nodes live as long as this)

    # positions ---------------------------------------------------------------------------
    def line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def line_end(self, index: int) -> int:
        """Index after the line break that ends the line holding *index*."""
        found = self.text.find("\n", index)
        return len(self.text) if found < 0 else found + 1

    def first_on_line(self, index: int) -> bool:
        return self.text[self.line_start(index):index].strip(" ") == ""

    def content_end(self, node: Any) -> int:
        import yaml

        if isinstance(node, yaml.ScalarNode):
            if node.style in ("|", ">"):
                # The block's span runs on over the blank lines after it; they stay.
                span = self.text[node.start_mark.index:node.end_mark.index]
                return node.start_mark.index + len(span.rstrip(" \t\r\n"))
            return node.end_mark.index
        if node.flow_style or not node.value:
            return node.end_mark.index
        last = node.value[-1]
        return self.content_end(last[1] if isinstance(node, yaml.MappingNode) else last)

    def extent_end(self, node: Any) -> int:
        return self.line_end(max(self.content_end(node) - 1, node.start_mark.index))

    def dash_of(self, item: Any) -> int:
        """Index of the '- ' that begins a block sequence item; _Coarser unless it begins its line."""
        start = item.start_mark.index
        line = self.line_start(start)
        head = self.text[line:start]
        dash = head.rfind("-")
        if dash < 0 or head[:dash].strip(" ") != "" or head[dash + 1:].strip(" ") != "":
            raise _Coarser
        return line + dash

    # edits -------------------------------------------------------------------------------
    def edit(self, start: int, end: int, replacement: str) -> None:
        if start == end and not replacement:
            return
        self.edits.append((start, end, len(self.edits), replacement))

    def indented(self, fragment: str, column: int) -> str:
        pad = " " * column
        lines = fragment.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return "".join((pad + line if line else "") + self.newline for line in lines)

    def apply(self) -> str:
        # From the end backwards; at one position the replacements first, then insertions
        # in the order they were made.
        ordered = sorted(self.edits, key=lambda e: (e[0], e[1] > e[0], e[2]), reverse=True)
        text = self.text
        limit = len(text) + 1
        for start, end, _order, replacement in ordered:
            if end > limit:
                raise _Coarser  # overlapping edits: never guess
            text = text[:start] + replacement + text[end:]
            limit = start
        return text

    # plain values ------------------------------------------------------------------------
    def plain(self, node: Any) -> Any:
        key = id(node)
        if key not in self.plains:
            self.plains[key] = NodeConverter("").convert(node, (), 0)
        return self.plains[key]

    def same(self, path: tuple, node: Any, new: Any) -> bool:
        return self.same_plain(path, self.plain(node), new)

    # the walk ----------------------------------------------------------------------------
    def patch_mapping(self, node: Any, target: dict, path: tuple) -> None:
        import yaml

        if isinstance(node, yaml.MappingNode) and node.flow_style:
            self.patch_flow(node, target, path)  # {…}: values set in place, or _Coarser
            return
        if not isinstance(node, yaml.MappingNode) or not node.value:
            raise _Coarser
        entries: dict[str, tuple[Any, Any]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value in entries:
                raise _Coarser
            entries[key_node.value] = (key_node, value_node)
        column = node.value[0][0].start_mark.column
        for key, (key_node, value_node) in entries.items():
            if key not in target and not self.same((*path, key), value_node, MISSING):
                if not self.first_on_line(key_node.start_mark.index):
                    raise _Coarser
                self.edit(self.line_start(key_node.start_mark.index), self.extent_end(value_node), "")
        order = list(target)
        previous_at: int | None = None  # where the previous new key went, if the one before was new too
        for index, key in enumerate(order):
            if key in entries:
                key_node, value_node = entries[key]
                self.patch_entry(key_node, value_node, target[key], (*path, key))
                previous_at = None
                continue
            before = [k for k in order[:index] if k in entries]
            if before:
                at = self.extent_end(entries[before[-1]][1])
            else:
                first = node.value[0][0]
                at = (
                    self.line_start(first.start_mark.index)
                    if self.first_on_line(first.start_mark.index)
                    else self.extent_end(node.value[-1][1])
                )
            if previous_at is not None and previous_at > at:
                at = previous_at  # after the new key before it, which went under its kept heading
            fragment = self.indented(dump_fresh({key: target[key]}, self.indent_sequences), column)
            if not path and key in self.headings:
                # A section emptied earlier left its heading comment behind: the answers
                # go back under it, rather than under a second copy of it.
                kept = self.heading_below(at, self.headings[key])
                if kept is not None:
                    at = kept
                else:
                    fragment = self.newline + f"# {self.headings[key]}" + self.newline + fragment
            self.edit(at, at, fragment)
            previous_at = at

    def heading_below(self, index: int, heading: str) -> int | None:
        """The index after the comment line '# *heading*', if it follows *index* with only
        blank lines and comments between; None otherwise."""
        position = index
        while position < len(self.text):
            end = self.line_end(position)
            line = self.text[position:end].strip()
            if line == f"# {heading}":
                return end
            if line and (not line.startswith("#") or line[1:].strip() in self.headings.values()):
                return None  # an answer, or another section's heading: not this one's place
            if end <= position:
                return None
            position = end
        return None

    def patch_entry(self, key_node: Any, value_node: Any, new: Any, path: tuple) -> None:
        if self.same(path, value_node, new):
            return
        mark = len(self.edits)
        try:
            if self.whole_entries:
                raise _Coarser
            self.patch_value(value_node, new, path, key_node.start_mark.column)
        except _Coarser:
            del self.edits[mark:]
            if not self.first_on_line(key_node.start_mark.index):
                raise
            start = self.line_start(key_node.start_mark.index)
            end = self.extent_end(value_node)
            fragment = self.indented(dump_fresh({key_node.value: new}, self.indent_sequences), key_node.start_mark.column)
            self.edit(start, end, self.keep_line_comment(key_node, value_node, fragment))

    def keep_line_comment(self, key_node: Any, value_node: Any, fragment: str) -> str:
        """Carry a comment at the end of the key's line over to the new first line, where it fits."""
        key_line_end = self.line_end(key_node.end_mark.index)
        after = value_node.end_mark.index if value_node.end_mark.index < key_line_end else key_node.end_mark.index
        rest = self.text[after:key_line_end].rstrip("\r\n")
        hash_at = rest.find("#")
        if hash_at < 0 or rest[:hash_at].strip(" :") != "" :
            return fragment
        first, sep, others = fragment.partition(self.newline)
        if others and not first.rstrip().endswith((":", "|", "|-", ">", ">-")):
            return fragment
        return first + "  " + rest[hash_at:] + sep + others

    def patch_value(self, node: Any, new: Any, path: tuple, column: int) -> None:
        import yaml

        if isinstance(new, dict):
            self.patch_mapping(node, new, path)
        elif isinstance(new, list):
            self.patch_sequence(node, new, path)
        elif isinstance(node, yaml.ScalarNode):
            self.patch_scalar(node, new, column)
        else:
            raise _Coarser

    def patch_sequence(self, node: Any, target: list, path: tuple) -> None:
        import yaml

        if isinstance(node, yaml.SequenceNode) and node.flow_style:
            self.patch_flow(node, target, path)  # […]: values set in place, or _Coarser
            return
        if not isinstance(node, yaml.SequenceNode) or not node.value or not target:
            raise _Coarser
        items = node.value
        n, m = len(items), len(target)
        prefix = 0
        while prefix < min(n, m) and self.same((*path, prefix), items[prefix], target[prefix]):
            prefix += 1
        suffix = 0
        while suffix < min(n, m) - prefix and self.same((*path, n - 1 - suffix), items[n - 1 - suffix], target[m - 1 - suffix]):
            suffix += 1
        old_middle = list(range(prefix, n - suffix))
        new_middle = list(range(prefix, m - suffix))
        pairs = min(len(old_middle), len(new_middle))
        column = self.text[self.line_start(self.dash_of(items[0])):self.dash_of(items[0])].count(" ")
        for old_index, new_index in zip(old_middle[:pairs], new_middle[:pairs]):
            self.patch_item(items[old_index], target[new_index], (*path, new_index), column)
        for old_index in old_middle[pairs:]:
            self.edit(self.line_start(self.dash_of(items[old_index])), self.extent_end(items[old_index]), "")
        added = new_middle[pairs:]
        if added:
            fragment = "".join(self.indented(dump_fresh([target[i]], self.indent_sequences), column) for i in added)
            anchor = prefix + pairs - 1
            if anchor >= 0:
                at = self.extent_end(items[anchor])
            else:
                at = self.line_start(self.dash_of(items[0]))
            self.edit(at, at, fragment)

    def patch_flow(self, node: Any, new: Any, path: tuple) -> None:
        """A flow collection ({…}, […], a JSON file) whose keys or length stay: each value
        that changed is replaced where it stands, so the comments inside stay. Anything
        else (a key added, an entry removed) is _Coarser: the owner is written anew."""
        import yaml

        if isinstance(node, yaml.MappingNode) and node.flow_style and isinstance(new, dict):
            keys = [k.value if isinstance(k, yaml.ScalarNode) else None for k, _ in node.value]
            if keys != list(new):
                raise _Coarser
            pairs = [((*path, key), value_node, new[key]) for key, (_, value_node) in zip(keys, node.value)]
        elif isinstance(node, yaml.SequenceNode) and node.flow_style and isinstance(new, list):
            if len(node.value) != len(new):
                raise _Coarser
            pairs = [((*path, index), item, new[index]) for index, item in enumerate(node.value)]
        elif isinstance(node, yaml.ScalarNode) and node.style not in ("|", ">") and not isinstance(new, (dict, list)):
            self.edit(node.start_mark.index, node.end_mark.index, self.flow_scalar(new, node.style))
            return
        else:
            raise _Coarser
        for where, child, value in pairs:
            if not self.same(where, child, value):
                self.patch_flow(child, value, where)

    def flow_scalar(self, value: Any, style: str | None) -> str:
        """*value* as one scalar inside a flow collection: plain where that is safe, else in
        JSON's double quotes (which YAML reads alike), always in them where it was quoted so."""
        import json

        if isinstance(value, str):
            if style == '"' or "\n" in value:
                return json.dumps(value, ensure_ascii=False)
            plain, _ = self.render_scalar(value, style, 0)
            if _FLOW_SAFE_PLAIN.fullmatch(plain):
                return plain  # words, numbers in quotes' stead only where no reader could stumble
            return json.dumps(value, ensure_ascii=False)
        return json.dumps(value) if value is None or isinstance(value, (bool, int, float)) else self.render_scalar(value, style, 0)[0]

    def patch_item(self, item: Any, new: Any, path: tuple, column: int) -> None:
        mark = len(self.edits)
        try:
            self.patch_value(item, new, path, column)
        except _Coarser:
            del self.edits[mark:]
            start = self.line_start(self.dash_of(item))
            self.edit(start, self.extent_end(item), self.indented(dump_fresh([new], self.indent_sequences), column))

    def patch_scalar(self, node: Any, new: Any, column: int) -> None:
        """Replace one scalar in the style it was written in; *column*: its owner's indentation."""
        start, end = node.start_mark.index, node.end_mark.index
        block = node.style in ("|", ">")
        if block:
            header_end = start
            while header_end < len(self.text) and self.text[header_end] in "|>+-0123456789":
                header_end += 1
            content_start = self.line_end(start)
            last = self.content_end(node)
            content_end = self.line_end(last - 1) if last > content_start else content_start
            indent = max(self._block_indent(content_start, content_end, column), column + 1)
        else:
            header_end = end
            content_start = content_end = self.line_end(max(end - 1, start)) if end > start else self.line_end(start)
            indent = column + 2
        # An empty value is quoted because it must be ('' answered empty), not by a person's choice.
        style = None if node.value == "" and node.style in ("'", '"') else node.style
        header, content = self.render_scalar(new, style, indent)
        if block and header.startswith("|"):
            # The person's own chomping stays as written (answers are compared trimmed, so it
            # never changes an answer). An indentation digit goes: the new text begins with
            # no space, so it needs none, and a digit kept beside text at another indentation
            # would make every reader see leading spaces.
            original = self.text[start:header_end]
            header = "|" + "".join(ch for ch in original[1:] if ch in "+-")
        if start == header_end:  # an empty value: "key:" with nothing after the colon
            header = " " + header
        self.edit(start, header_end, header)
        self.edit(content_start, content_end, content)

    def _block_indent(self, start: int, end: int, column: int) -> int:
        for line in self.text[start:end].split("\n"):
            if line.strip():
                return len(line) - len(line.lstrip(" "))
        return column + 2

    def render_scalar(self, value: Any, style: str | None, indent: int) -> tuple[str, str]:
        """(text on the key's line, block lines after it) for a new scalar value."""
        import yaml

        # A "|" block stays a block when its new text fits on one line: a person chose it.
        if isinstance(value, str) and value and ("\n" in value or style == "|") and style != '"' and _fits_literal(value):
            chomp = "-" if not value.endswith("\n") else ""
            lines = value[:-1].split("\n") if value.endswith("\n") else value.split("\n")
            pad = " " * indent
            return "|" + chomp, "".join((pad + line if line else "") + self.newline for line in lines)
        if isinstance(value, str):
            forced = style if style in ("'", '"') else None
            if forced:
                text = yaml.dump(value, Dumper=yaml.SafeDumper, default_style=forced, allow_unicode=True, width=1 << 30)
            else:
                text = yaml.dump(value, Dumper=readable_dumper(), allow_unicode=True, width=1 << 30)
        else:
            text = yaml.dump(value, Dumper=yaml.SafeDumper, width=1 << 30)
        text = text[:-len("\n...\n")] if text.endswith("\n...\n") else text.rstrip("\n")
        if "\n" in text:
            raise _Coarser
        return text, ""


def _fits_literal(value: str) -> bool:
    """Can *value* be written as a literal block exactly as it is?"""
    if value.endswith("\n\n") or value[:1] in (" ", "\t", "\n"):
        return False
    if any(ch in value for ch in "\r\x85\u2028\u2029\ufeff"):
        return False
    return all(ch in "\n\t" or ch >= " " and ch != "\x7f" and not "\x80" <= ch <= "\x9f" for ch in value)


def patch_text(
    text: str, target: dict, same: Callable, headings: dict[str, str] | None = None, whole_entries: bool = False
) -> str:
    """*text* changed so that it holds *target*, touching only values that differ.

    *whole_entries*: a top-level entry that differs is written whole instead of value by
    value. Raises ValueError when the text is no block mapping the patch can work on.
    """
    import yaml

    added_break = not text.endswith("\n")
    work = text + "\n" if added_break else text  # block lines can only follow a line break
    try:
        # libyaml's marks count characters (not bytes), as the text is indexed here.
        node = yaml.compose(work, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        raise ValueError("filen kan ikke læses") from None
    if node is None:
        raise ValueError("tom fil")
    patcher = _Patcher(work, same, headings or {}, whole_entries)
    try:
        patcher.patch_mapping(node, target, ())
        result = patcher.apply()
    except _Coarser:
        raise ValueError("filen kan ikke rettes på stedet") from None
    if added_break and result.endswith("\n"):
        result = result[:-1]
    return result


def kept_meta(data: dict) -> dict[str, Any]:
    """Meta keys of a file's data that a save must keep though nobody asks about them (undtagelser)."""
    return {k: data[k] for k in META_KEYS if k in data and k not in ("kind", "schema_version", "complete")}


# -- reading and writing answer files ------------------------------------------------------

def _read_bytes(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError:
        return None


def check_unchanged(path: str | Path, base: bytes | None) -> None:
    """Raise StaleFile (or NewFileExists) if *path* no longer holds *base* (None: must not exist)."""
    path = Path(path)
    current = _read_bytes(path)
    if base is None:
        if current is not None or path.is_symlink():
            raise NewFileExists(path)
        return
    if current is None:
        raise StaleFile(path, exists=False)
    if current != base:
        raise StaleFile(path)


def answers_text(questionnaire, values: dict, complete: bool, meta: dict | None, base: bytes | None,
                 left_empty: Any = None) -> bytes:
    """The bytes to write for these answers: *base* patched, or a fresh file when there is none.

    The patched text is read back and must hold exactly these answers; where the fine patch
    cannot do it, the sections that changed are written whole instead (comments above them
    stay), and only a file that cannot be read at all is written fresh. *left_empty*: the
    answer paths answered empty on purpose (see keeps_empty); None keeps those *base* records
    (for a writer that changes other answers only: `check --fix`, `replace`).
    """
    if left_empty is None:
        left_empty = _recorded_in(questionnaire, base)
    target = file_data(questionnaire, values, complete, meta, left_empty)
    if base is None:
        return to_yaml(questionnaire, values, complete, meta, left_empty=left_empty).encode("utf-8")
    bom = b"\xef\xbb\xbf" if base.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = base[len(bom):].decode("utf-8")
    except UnicodeDecodeError:
        return to_yaml(questionnaire, values, complete, meta, left_empty=left_empty).encode("utf-8")
    same = answer_comparer(questionnaire)
    headings = {s.key: s.heading for s in questionnaire.sections}

    def holds_target(candidate: str) -> bool:
        try:
            data = parse_answer_text(candidate.encode("utf-8"), "").data
        except AnswerFileError:
            return False
        if not readable_by_others(candidate):
            return False
        keys = set(data) | set(target)
        return all(same((key,), data.get(key, MISSING), target.get(key, MISSING)) for key in keys)

    for attempt in (_fine, _by_section, _as_json):
        try:
            candidate = attempt(text, target, same, headings)
        except ValueError:
            continue
        if candidate == text or holds_target(candidate):
            return bom + candidate.encode("utf-8")
    return to_yaml(questionnaire, values, complete, meta, left_empty=left_empty).encode("utf-8")


def _recorded_in(questionnaire, base: bytes | None) -> set[str]:
    """The answers *base* (a file's bytes) records as answered empty; none if it does not read."""
    if not base:
        return set()
    try:
        return recorded_empty(questionnaire, parse_answer_text(base, "").data)
    except AnswerFileError:
        return set()


def readable_by_others(text: str) -> bool:
    """Whether PyYAML's safe loader, as other tools use it, reads *text* without an error.

    drafter reads dates as text; PyYAML makes them dates and fails on one that is none
    (2026-13-01), and so would any other tool the file is opened in.

    The pure-Python loader takes about 1 ms per KB, and the interview saves after every
    answer: so a file that is a plain block mapping is read entry by entry, and an entry
    read before (the same text) is not read again. Each top-level entry starts on a line of
    its own at the margin, and nothing in such a file reaches from one entry into another
    (no anchors, aliases, tags or directives: a file with any of them is read whole), so the
    file reads when each entry does. An entry that does not read alone (a line at the margin
    inside a quoted or flow value was taken for a new entry) sends the whole file to the
    loader, which decides.
    """
    entries = _top_level_entries(text)
    if entries is None:
        return _pure_yaml_reads(text)
    for entry in entries:
        readable = _READ_ENTRIES.get(entry)
        if readable is None:
            readable = _pure_yaml_reads(entry)
            if len(_READ_ENTRIES) >= _READ_ENTRIES_KEPT:
                _READ_ENTRIES.clear()
            _READ_ENTRIES[entry] = readable
        if not readable:
            return _pure_yaml_reads(text)
    return True


_READ_ENTRIES: dict[str, bool] = {}  # a top-level entry's text -> whether the pure loader reads it
_READ_ENTRIES_KEPT = 256
# An anchor (&a), an alias (*a) or a tag (!x) where a token may start (more than that:
# "*vigtigt*" too, which only costs the whole file's reading); "a & b" or "Hej!" is none.
_NODE_PROPERTY = re.compile(r"(?:^|[\s\[\{,:?-])[&*!]\S")
_TOP_LEVEL_KEY = re.compile(r"[^\s#\-\[\{?:|>'\"%@`,][^\n]*?:(?:[ \t]|$)")


def _top_level_entries(text: str) -> list[str] | None:
    """*text* cut before each line that starts a top-level key; None when it may not be cut
    (anchors, aliases, tags, directives, document markers, or a line at the margin that is
    neither a key, a comment nor blank)."""
    if _NODE_PROPERTY.search(text) or "\n---" in text or "\n..." in text or text.startswith(("---", "...")):
        return None
    entries: list[str] = []
    start = 0
    position = 0
    keyed = False  # a top-level key has been seen: the mapping starts at the margin
    for line in text.splitlines(keepends=True):
        content = line.strip()
        if line[:1] not in ("", " ", "\t", "#", "\n", "\r") and content:
            if not _TOP_LEVEL_KEY.match(line):
                return None
            if keyed:
                entries.append(text[start:position])
                start = position
            keyed = True
        elif content and not content.startswith("#") and not keyed:
            return None  # content before the first key at the margin: the file decides as a whole
        position += len(line)
    entries.append(text[start:])
    return entries


def _pure_yaml_reads(text: str) -> bool:
    import yaml

    try:
        # The pure-Python loader: libyaml accepts some text it rejects ("[a, 0?]").
        yaml.load(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
        return False
    return True


def _fine(text: str, target: dict, same: Callable, headings: dict) -> str:
    return patch_text(text, target, same, headings)


def _as_json(text: str, target: dict, same: Callable, headings: dict) -> str:
    """A JSON-style file (one {…} from another tool) that cannot be patched stays JSON."""
    import json

    if not text.lstrip().startswith("{"):
        raise ValueError("ikke JSON")
    indent = 2 if "\n" in text.strip() else None
    newline = "\r\n" if "\r\n" in text else "\n"
    return json.dumps(target, ensure_ascii=False, indent=indent).replace("\n", newline) + newline


def _by_section(text: str, target: dict, same: Callable, headings: dict) -> str:
    """Every top-level entry that differs is written whole (the comments above it stay)."""
    return patch_text(text, target, same, headings, whole_entries=True)


def save_answers(
    path: str | Path,
    questionnaire,
    values: dict,
    complete: bool = True,
    meta: dict | None = None,
    base: bytes | None | object = _UNSET,
    left_empty: Any = None,
) -> bytes:
    """Write answers to *path* and return the bytes now on disk (the next save's *base*).

    *base*: the file's bytes when drafter read it (patched, and checked to be still on disk),
    or None for a new file (which must not exist). Without *base* an existing file is read
    now and patched: for callers that read and write in one go. *left_empty*: as for
    answers_text (None: the answers *base* records as answered empty stay so).
    """
    path = Path(path)
    if base is _UNSET:
        base = _read_bytes(path)
    data = answers_text(questionnaire, values, complete, meta, base, left_empty)  # type: ignore[arg-type]
    if base is not None and data == base:
        check_unchanged(path, base)
        return data
    check_unchanged(path, base)  # type: ignore[arg-type]
    atomic_write(path, data, before_replace=lambda: check_unchanged(path, base))  # type: ignore[arg-type]
    return data
