"""Reading YAML files (answer files, kinds, profiles): plain data with the line of every value.

The loader composes YAML nodes itself instead of constructing Python objects, so that it
knows the line of every value, sees duplicate keys, and never builds anything but plain
text, numbers, lists and mappings (no Python objects, no aliases). Reading is bounded in
size and nesting. drafter.yamlio, beside it, writes answer files back.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from drafter import inputs, privcache
from drafter.errors import AnswerFileError
from drafter.fsutil import describe_oserror, describe_special
from drafter.plain import Plain
from drafter.problems import Problem, SourceMap

TYPE_CHECKING = False  # typing is for the annotations only: a check does not load it (~1.5 ms)
if TYPE_CHECKING:
    from typing import Any

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 12
# Machine fields every answer file has, whatever its kind ("undtagelser": rules waived
# with a written reason, read and checked by drafter.rules; "ufaerdige": the answer paths
# of a draft that the interview was stopped in the middle of; "gendannelse": in a recovery
# file, the answer file its answers belong to, see drafter.answers.Recovery).
META_KEYS = ("kind", "schema_version", "complete", "gendannelse", "undtagelser", "ufaerdige", "titel", "overskrifter",
             "orden")
# The commission's own document: its title, its headings (section -> heading) and the order
# of its sections (drafter.body lays them out).
LAYOUT_KEYS = ("titel", "overskrifter", "orden")

Path_ = tuple  # a location in the data: ("tidsplan", "milepaele", 0, "dato")


def is_empty(value: Any) -> bool:
    """No answer: nothing, an empty text, list or mapping."""
    return value is None or value == "" or value == [] or value == {}


class AnswerFile(Plain):
    """Raw answer data as read from a file, with the line of every value."""

    __slots__ = ("path", "data", "lines", "raw")
    path: str
    data: dict[str, Any]
    lines: dict[Path_, int]
    raw: bytes  # the file's bytes as read: what a later save checks is still on disk

    def __init__(self, path: str, data: dict[str, Any], lines: dict[Path_, int] | None = None, raw: bytes = b""):
        self.path = path
        self.data = data
        self.lines = {} if lines is None else lines
        self.raw = raw

    @property
    def source(self) -> SourceMap:
        return SourceMap(self.path, self.lines)

    def line(self, *where: Any) -> int | None:
        """Line of the nearest located ancestor of *where* (the file's first line if none)."""
        return self.source.line(where)



def _at(file: str, message: str, line: int | None = None) -> Problem:
    """A problem with the file itself (not with one answer): named by file and line."""
    return Problem(message, file=file, line=line)


def read_answer_file(path: str | Path, what: str = "svarfil") -> AnswerFile:
    """Parse an answer file into plain data with line numbers; raise AnswerFileError.

    *what* names the file in the messages, in Danish and with "en" before it: "svarfil",
    "typefil" (a kind), "profil", "navnefil"."""
    name = str(path)
    try:
        raw = _read_bounded(path, name, what)
    except AnswerFileError:
        inputs.unreadable(path)  # a file that could not be read is looked for afresh each time
        raise
    inputs.read(path, raw)
    return parse_file_bytes(raw, name, what)


def _read_bounded(path: str | Path, name: str, what: str) -> bytes:
    """The bytes of the file, at most MAX_FILE_BYTES; AnswerFileError when it cannot be read."""
    try:
        special = describe_special(os.stat(path).st_mode)
        if special and not stat.S_ISDIR(os.stat(path).st_mode):
            # Opening a named pipe waits for a writer that may never come; a device never ends.
            raise AnswerFileError(_at(name, special))
        with open(path, "rb", buffering=0, opener=_nonblocking) as handle:
            size = os.fstat(handle.fileno()).st_size
            # Never more than the limit (and one byte) into memory, whatever the file
            # claims: /dev/zero or a pipe has no size.
            raw = handle.read(MAX_FILE_BYTES + 1) if size <= MAX_FILE_BYTES else b""
    except FileNotFoundError:
        raise AnswerFileError(_at(name, "filen findes ikke")) from None
    except IsADirectoryError:
        raise AnswerFileError(_at(name, f"er en mappe, ikke en {what}")) from None
    except OSError as exc:
        raise AnswerFileError(_at(name, f"filen kan ikke læses ({describe_oserror(exc)})")) from None
    if size > MAX_FILE_BYTES or len(raw) > MAX_FILE_BYTES:
        amount = f"{size:,} byte" if size > MAX_FILE_BYTES else f"over {MAX_FILE_BYTES:,} byte"
        raise AnswerFileError(
            _at(name, f"filen er for stor ({amount}; en {what} er højst {MAX_FILE_BYTES:,} byte)".replace(",", "."))
        )
    return raw


# -- parsed files kept between runs --------------------------------------------------------
#
# A cold command spends more on PyYAML than on anything it does with the data: importing it
# (~14 ms) and composing a kind, a profile and an answer file (~4 ms), on a machine where
# Python itself starts in 8 ms. What parse_answer_text makes of a file depends only on its
# bytes, this module and PyYAML, so the result (plain data and the line map) is kept in
# drafter's private cache (drafter/privcache.py: private folder, size cap, SHA-256 checked
# before marshal sees a byte), under the SHA-256 of the bytes. A file read again unchanged
# (the kind, the profile, an answer file checked and then rendered) needs no PyYAML at all.
# Only files that parse without a problem are kept: a problem is always found afresh.

_PARSED_MAGIC = b"drafter-parsed-yaml-1\n"
_PARSED_MAX_BYTES = 4 * MAX_FILE_BYTES  # the line map is larger than the text
_PARSED_KEPT = 1000  # entries kept (the newest); a few KB each
# New entries one process writes at most: a command on one file writes its kind, profile
# and answer file; a batch of thousands writes no more than these (each costs a write).
_PARSED_STORES_PER_PROCESS = 12
_parsed_stores = 0
_parser_key: bytes | None = None


def parse_file_bytes(raw: bytes, name: str, what: str = "svarfil") -> AnswerFile:
    """parse_answer_text of a file's bytes, from the cache when this file was parsed before.
    (*what* names the file in messages only; a file with a problem is never kept.)"""
    entry = _parsed_entry_name(raw)
    if entry is not None:
        kept = privcache.load(entry, _PARSED_MAGIC, _PARSED_MAX_BYTES, _marshal_loads, _valid_parsed)
        if kept is not None:
            return AnswerFile(name, kept[0], kept[1], raw)
    parsed = parse_answer_text(raw, name, what)
    global _parsed_stores
    if entry is not None and _parsed_stores < _PARSED_STORES_PER_PROCESS:
        import marshal

        _parsed_stores += 1
        try:
            content = marshal.dumps((parsed.data, parsed.lines))
        except ValueError:  # not plain data after all: not kept
            return parsed
        if privcache.store(entry, _PARSED_MAGIC, content, _PARSED_MAX_BYTES, durable=False):
            if entry.endswith("00.parsed"):  # about one store in 256 tidies up
                privcache.prune("yaml-*.parsed", _PARSED_KEPT)
    return parsed


def _parsed_entry_name(raw: bytes) -> str | None:
    """The cache entry of these bytes: their SHA-256 with this parser's (None: no cache)."""
    global _parser_key
    if _parser_key is None:
        _parser_key = _parser_fingerprint()
    if not _parser_key:
        return None
    return f"yaml-{privcache.digest(_parser_key + raw).hex()}.parsed"


def _parser_fingerprint() -> bytes:
    """This module's source and PyYAML's installed files (size, time): another parser is
    another key. Empty when either cannot be found (then nothing is cached)."""
    try:
        parts = [_PARSED_MAGIC, Path(__file__).read_bytes()]
        folder = privcache.package_folder("yaml")
        if folder is None:
            return b""
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.endswith((".py", ".so", ".pyd")):
                info = entry.stat()
                parts.append(f"{entry.name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
        return privcache.digest(b"".join(parts))
    except (OSError, ImportError, ValueError):
        return b""


def _marshal_loads(content: bytes) -> Any:
    import marshal

    return marshal.loads(content)


def _valid_parsed(value: Any) -> bool:
    return (type(value) is tuple and len(value) == 2 and type(value[0]) is dict and type(value[1]) is dict
            and all(type(k) is tuple and type(v) is int for k, v in value[1].items()))


def _nonblocking(path: str, flags: int) -> int:
    # A file swapped for a FIFO between the check and the open must not block either.
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def parse_answer_text(raw: bytes, name: str, what: str = "svarfil") -> AnswerFile:
    """The bytes of a YAML file named *name* as plain data with line numbers (see read_answer_file)."""
    as_read = raw
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a BOM from Notepad is harmless
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise AnswerFileError(
            _at(
                name,
                f"filen er ikke gemt som UTF-8 (byte 0x{raw[exc.start]:02X} kan ikke læses); "
                "gem den igen som UTF-8 i din editor",
                line,
            )
        ) from None
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        _check_nesting(text, loader_cls, name, what)
        node = yaml.compose(text, Loader=loader_cls)
    except yaml.MarkedYAMLError as exc:
        line, reason = _locate_yaml_error(exc, text, loader_cls, what)
        raise AnswerFileError(_at(name, f"YAML-fejl: {reason}", line)) from None
    except yaml.reader.ReaderError as exc:
        # A raw control character in the file (the C reader counts bytes, the Python one
        # characters, so the line is found from the character itself).
        at = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        line = text[:at].count("\n") + 1 if at >= 0 else None
        raise AnswerFileError(
            _at(name, f"YAML-fejl: filen indeholder styretegnet U+{exc.character:04X}, som ikke må stå i en {what}; fjern det", line)
            if isinstance(exc.character, int)
            else _at(name, f"YAML-fejl: {exc.reason}")
        ) from None
    except yaml.YAMLError as exc:
        raise AnswerFileError(_at(name, f"YAML-fejl: {exc}")) from None
    except RecursionError:
        raise AnswerFileError(_at(name, "filen er for dybt indlejret")) from None
    if node is None:
        start = "; en svarfil begynder med 'kind:' og 'schema_version:'" if what == "svarfil" else ""
        raise AnswerFileError(_at(name, f"filen er tom{start}", 1))
    converter = NodeConverter(name, what)
    data = converter.convert(node, (), 0)
    if converter.problems:
        raise AnswerFileError(converter.problems)
    if not isinstance(data, dict):
        raise AnswerFileError(
            _at(name, "filen skal bestå af felter ('navn: værdi'), ikke af en liste eller en enkelt værdi", node.start_mark.line + 1)
        )
    return AnswerFile(name, data, converter.lines, as_read)


# Deeper than this is no answer file but an attack: libyaml's composer recurses once per
# level and crashes the process (SIGSEGV) somewhere below 100 000 levels, and its parser
# slows down quadratically with open flow collections. Answer files need about 4 levels.
MAX_NESTING = 50


def _check_nesting(text: str, loader_cls: Any, name: str, what: str) -> None:
    """Refuse absurd nesting before the (recursive) composer sees it.

    The event parser is iterative, and stopping at the first event that is too deep keeps
    even a megabyte of '[' cheap.
    """
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=loader_cls):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise AnswerFileError(
                    _at(name, f"filen er indlejret mere end {MAX_NESTING} niveauer dybt; det er ikke en {what}", event.start_mark.line + 1)
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _locate_yaml_error(exc: Any, text: str, loader_cls: Any, what: str) -> tuple[int | None, str]:
    """The line to show for a YAML error, and why; a missing closing quote is shown where it opens.

    The parser notices a missing quote only where the runaway text ends, often many lines
    later (or at the end of the file); the person needs the line where the quote began.
    """
    import yaml

    if exc.context and "quoted scalar" in exc.context and "end of stream" in (exc.problem or "") and exc.context_mark:
        return exc.context_mark.line + 1, "en tekst i anførselstegn begynder her, men lukkes aldrig (mangler et afsluttende anførselstegn?)"
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    if line is not None:
        runaway = None
        try:
            for token in yaml.scan(text, Loader=loader_cls):
                if (
                    isinstance(token, yaml.ScalarToken)
                    and token.style in ('"', "'")
                    and token.start_mark.line < token.end_mark.line
                    and token.end_mark.line + 1 >= line - 1
                ):
                    runaway = token
                    break
        except yaml.YAMLError:
            pass
        if runaway is not None:
            end = runaway.end_mark.line + 1
            return runaway.start_mark.line + 1, (
                f"en tekst i anførselstegn begynder her og fortsætter til linje {end}, hvor filen ikke giver mening "
                "(mangler et afsluttende anførselstegn?)"
            )
    return line, _yaml_reason(exc, what)


def _yaml_reason(exc: Any, what: str) -> str:
    reason = (exc.problem or exc.context or "ukendt fejl").strip()
    translations = {
        "found character '\\t' that cannot start any token": "tabulator brugt til indrykning; brug mellemrum",
        "found a tab character where an indentation space is expected": "tabulator brugt til indrykning; brug mellemrum",
        # PyYAML 6.0.4's parser stops deep nesting itself (far deeper than MAX_NESTING).
        "exceeded maximum nesting depth": f"filen er indlejret mere end {MAX_NESTING} niveauer dybt; det er ikke en {what}",
        "found unexpected end of stream": "filen slutter midt i en værdi (mangler et afsluttende anførselstegn?)",
        "mapping values are not allowed here": "et kolon står et sted, hvor det ikke må (sæt anførselstegn om teksten?)",
        "could not find expected ':'": "mangler ':' efter et feltnavn",
        "did not find expected key": "en linje passer ikke ind (forkert indrykning, eller mangler et afsluttende anførselstegn?)",
        "found duplicate anchor": "samme YAML-anker (&) står to gange",
        "expected <block end>, but found '-'": "en listelinje ('- ') står forkert indrykket",
        # libyaml's wording (the C loader), where it differs from PyYAML's
        "found character that cannot start any token": "et tegn, som ikke kan begynde en værdi (tabulator brugt til indrykning, eller mangler der anførselstegn?)",
        "found a tab character that violates indentation": "tabulator brugt til indrykning; brug mellemrum",
        "mapping values are not allowed in this context": "et kolon står et sted, hvor det ikke må (sæt anførselstegn om teksten?)",
        "block sequence entries are not allowed in this context": "en listelinje ('- ') står et sted, hvor den ikke må",
        "did not find expected node content": "en værdi mangler eller står forkert (fx en liste '[' der ikke lukkes)",
        "did not find expected ',' or ']'": "en liste i [ ] er ikke lukket korrekt med ']'",
        "did not find expected ',' or '}'": "en gruppe i { } er ikke lukket korrekt med '}'",
        "did not find expected '-' indicator": "en listelinje ('- ') står forkert indrykket",
        "found invalid Unicode character escape code": "ugyldig Unicode-kode efter \\u eller \\U i en tekst i anførselstegn",
        "did not find expected hexdecimal number": "ugyldig tegnkode efter \\x, \\u eller \\U i en tekst i anførselstegn (skriv \\\\ for en omvendt skråstreg, eller brug enkelte anførselstegn)",
        "expected escape sequence of": "ugyldig tegnkode efter \\x, \\u eller \\U i en tekst i anførselstegn (skriv \\\\ for en omvendt skråstreg, eller brug enkelte anførselstegn)",
        "found unknown escape character": "ukendt tegn efter \\ i en tekst i anførselstegn (skriv \\\\ for en omvendt skråstreg, eller brug enkelte anførselstegn)",
        "but found another document": f"filen indeholder flere YAML-dokumenter (en linje med '---' midt i filen?); en {what} er ét dokument",
        "expected a single document": f"filen indeholder flere YAML-dokumenter (en linje med '---' midt i filen?); en {what} er ét dokument",
        "found undefined alias": f"et YAML-alias (*) peger på et anker, der ikke findes; YAML-aliaser kan ikke bruges i en {what}",
        "found undefined tag handle": f"et ukendt YAML-mærke (!); YAML-mærker kan ikke bruges i en {what}",
        # A value that ended (a '{…}', '[…]' or a quoted text alone at the top), and then more.
        "did not find expected <document start>": "der står mere efter en afsluttet værdi (fx tekst efter et '}' eller ']', "
                                                  "eller en ny linje efter en værdi, der skulle have været hele filen)",
    }
    for english, danish in translations.items():
        if english in reason:
            return danish
    return reason


class NodeConverter:
    """YAML node tree -> plain Python data, recording the line of every value."""

    def __init__(self, name: str, what: str = "svarfil"):
        self.name = name
        self.what = what  # the file in the messages: "svarfil", "typefil", "profil"
        self.lines: dict[Path_, int] = {}
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.alias_reported = False

    def fail(self, node: Any, where: tuple, message: str, line: int | None = None) -> None:
        line = line if line is not None else node.start_mark.line + 1
        self.problems.append(Problem(message, path=where, file=self.name, line=line))

    def convert(self, node: Any, where: tuple, depth: int, used_at: int | None = None) -> Any:
        """*used_at*: the line of the key (or list) holding this value; an alias's node
        carries the line of its anchor, which is not where the problem is."""
        import yaml

        self.lines[where] = node.start_mark.line + 1
        if id(node) in self.seen or getattr(node, "anchor", None):
            # Aliases would let a tiny file expand into billions of values. One message is
            # enough: a "billion laughs" file would otherwise give one per alias.
            if not self.alias_reported:
                self.alias_reported = True
                self.fail(node, where, f"YAML-ankre og -aliaser (& og *) kan ikke bruges i en {self.what}; skriv værdien ud", used_at)
            return None
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            self.fail(node, where, "værdien er for dybt indlejret")
            return None
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                return self._bad_tag(node, where)
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:merge":
                    self.fail(key_node, where, f"YAML-fletning ('<<:') kan ikke bruges i en {self.what}; skriv felterne ud")
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    self.fail(key_node, where, "et feltnavn skal være almindelig tekst")
                    continue
                key = key_node.value
                if key in out:
                    self.fail(key_node, (*where, key), f"feltet '{key}' står to gange; slet det ene")
                    continue
                out[key] = self.convert(value_node, (*where, key), depth + 1, key_node.start_mark.line + 1)
                self.lines[(*where, key)] = key_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                return self._bad_tag(node, where)
            return [self.convert(item, (*where, i), depth + 1, node.start_mark.line + 1) for i, item in enumerate(node.value)]
        return self._scalar(node, where)

    def _bad_tag(self, node: Any, where: tuple) -> None:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        self.fail(node, where, f"YAML-mærket '{tag}' er ikke tilladt i en {self.what}")
        return None

    def _scalar(self, node: Any, where: tuple) -> Any:
        tag, text = node.tag, node.value
        if tag == "tag:yaml.org,2002:str":
            return text
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return text.lower() in ("true", "yes", "on", "y")
        if tag == "tag:yaml.org,2002:int":
            try:
                return int(text.replace("_", ""), 0)
            except ValueError:
                return text
        if tag == "tag:yaml.org,2002:float":
            try:
                return float(text.replace("_", ""))
            except ValueError:
                return text
        if tag == "tag:yaml.org,2002:timestamp":
            return text  # dates stay text; the date rule parses (and explains) them
        return self._bad_tag(node, where)
