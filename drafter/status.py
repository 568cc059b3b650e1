"""`drafter status`: every commission in a folder, and the state of its Word document.

A rendered document records, in its custom properties, a digest of the answers it was
made from and a fingerprint of its own package (the name, CRC-32 and size of each part,
which a zip lists in its directory). So the state is known without rendering anything and
without unpacking the document: its answers changed since (outdated), or its parts changed
since (edited in Word). Nothing here prints; cli.py shows the lines or the JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import zipfile
from pathlib import Path
from typing import Any

import drafter
from drafter import privcache
from drafter.answers import load_answers, recovery_of, restore_command, shown_path
from drafter.errors import DrafterError
from drafter.fsutil import DOCX_MAX_BYTES, UnsafeFile, read_regular_file
from drafter.interrupts import die_with_parent
from drafter.questionnaire import kinds_dirs
from drafter.rules import check_answers
from drafter.stamp import ANSWERS_PROPERTY, CUSTOM_PART, PACKAGE_PROPERTY, answers_digest, package_fingerprint, read_recorded_hash, recorded
from drafter.workers import mp_context, worker_count
from drafter.yamlread import MAX_FILE_BYTES, read_answer_file


# The document's states, as shown (Danish) and as in --json (English keys).
DOC_MISSING, DOC_CURRENT, DOC_OUTDATED, DOC_EDITED, DOC_FOREIGN = "missing", "current", "outdated", "edited", "foreign"
DOC_UNKNOWN = "unknown"  # made by an older drafter, which recorded no answers digest
DOC_LABELS = {
    DOC_MISSING: "intet dokument",
    DOC_CURRENT: "dokumentet er aktuelt",
    DOC_OUTDATED: "dokumentet er forældet (svarene er ændret siden)",
    DOC_EDITED: "dokumentet er rettet i Word siden",
    DOC_FOREIGN: "dokumentet er ikke lavet af drafter",
    DOC_UNKNOWN: "ukendt, om dokumentet er aktuelt (lavet af en ældre drafter; lav det igen)",
}
NAME_WIDTH = 48  # a longer name is cut in the table (--json has it whole)
STATE_LABELS = {"complete": "færdig", "draft": "kladde", "invalid": "fejl i svarfilen", "recovery": "gendannelsesfil"}


_CUSTOM_PART_LIMIT = 1_000_000


def document_state(document: Path, digest: str | None) -> str:
    """The state of *document* for answers with *digest* (None: answers unknown)."""
    if not document.is_file():
        return DOC_MISSING
    try:
        with zipfile.ZipFile(document) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            custom_info = next((i for i in infos if i.filename == CUSTOM_PART), None)
            if custom_info is not None and custom_info.file_size > _CUSTOM_PART_LIMIT:
                return DOC_FOREIGN  # drafter's own properties are a few hundred bytes
            custom = archive.read(CUSTOM_PART).decode("utf-8", "replace") if CUSTOM_PART in names else ""
            fingerprint = package_fingerprint([(i.filename, i.CRC, i.file_size) for i in infos])
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return DOC_FOREIGN
    recorded_package = recorded(custom, PACKAGE_PROPERTY)
    if recorded_package is None:
        return _older_document_state(document)
    if recorded_package != fingerprint:
        return DOC_EDITED
    if digest is not None and recorded(custom, ANSWERS_PROPERTY) != digest:
        return DOC_OUTDATED
    return DOC_CURRENT


def answers_part(answers_path: Path) -> dict[str, Any]:
    """What the answer file itself says: kind, draft or complete, problems, rule counts, digest."""
    part: dict[str, Any] = {
        "name": None, "kind": None, "state": "invalid", "problems": 0, "errors": 0, "warnings": 0, "digest": None,
        "recovery_for": None,
    }
    try:
        answers = load_answers(answers_path)
    except DrafterError as exc:
        part["problems"] = len(exc.problems)
        part["kind"] = _kind_of(answers_path)
        return part
    part["kind"] = answers.questionnaire.kind
    part["name"] = _name(answers)
    part["state"] = "complete" if answers.complete else "draft"
    recovery = recovery_of(answers.data)
    if recovery is not None:  # answers a failed save left, not a commission (drafter.answers.Recovery)
        part["state"], part["recovery_for"] = "recovery", str(recovery.answers_path)
    elif answers.complete:
        report = check_answers(answers)
        part["errors"] = len(report.errors())
        part["warnings"] = len(report.warnings())
    part["digest"] = answers_digest(answers)
    return part


def _older_document_state(document: Path) -> str:
    """A document from before drafter recorded its parts: the full content hash still tells an edit."""
    try:
        stamped, actual = read_recorded_hash(read_regular_file(document, DOCX_MAX_BYTES))
    except (OSError, UnsafeFile):
        return DOC_FOREIGN
    if stamped is None:
        return DOC_FOREIGN
    return DOC_EDITED if stamped != actual else DOC_UNKNOWN


def commission_status(answers_path: Path, document: Path, part: dict[str, Any] | None = None) -> dict[str, Any]:
    """One commission: its name, kind, state, rule counts and document state (plain data)."""
    part = part if part is not None else answers_part(answers_path)
    entry = {"file": str(answers_path), "document": str(document), **part}
    entry["name"] = part["name"] or answers_path.stem
    digest = entry.pop("digest")
    if part["state"] == "recovery":  # no document of its own: it belongs to another answer file
        entry["document_state"] = DOC_MISSING
        return entry
    entry["document_state"] = document_state(document, digest if part["state"] != "invalid" else None)
    return entry


def _name(answers) -> str | None:
    for question in answers.questionnaire.questions:
        if question.type in ("text", "choice"):
            value = answers.get(question.path)
            return value if isinstance(value, str) and value else None
    return None


def _kind_of(path: Path) -> str | None:
    try:
        kind = read_answer_file(path).data.get("kind")
    except Exception:  # noqa: BLE001 - an unreadable file simply has no known kind
        return None
    return kind if isinstance(kind, str) else None


def _parts_chunk(paths: list[Path]) -> list[dict[str, Any]]:
    return [answers_part(p) for p in paths]


# Below this many files to read a pool costs more than it saves.
MIN_FILES_FOR_POOL = 200


def folder_status(answer_paths: list[Path], documents: list[Path]) -> list[dict[str, Any]]:
    """The status of every answer file, in order.

    What an answer file says depends only on its bytes (and on drafter, its kinds and
    rules), so it is kept between runs in the cache folder under the digest of those
    bytes; a file is read and checked again only when it changed. Many changed files are
    checked on all cores. The documents are looked at every time (that is cheap).
    """
    keys = [_file_key(p) for p in answer_paths]
    cache = StatusCache.open()
    parts: list[dict[str, Any] | None] = [cache.get(k) for k in keys]
    todo = [i for i, part in enumerate(parts) if part is None]
    for i, part in zip(todo, _answers_parts([answer_paths[i] for i in todo])):
        parts[i] = part
        cache.put(keys[i], part)
    cache.save()
    return [commission_status(a, d, p) for a, d, p in zip(answer_paths, documents, parts)]


def _answers_parts(paths: list[Path]) -> list[dict[str, Any]]:
    workers = worker_count(len(paths))
    if len(paths) < MIN_FILES_FOR_POOL or workers == 1:
        return _parts_chunk(paths)
    from concurrent.futures import ProcessPoolExecutor  # lazy: only for 200 files or more (15 ms CPU)

    size = max(1, len(paths) // (workers * 4))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    ends_it = int(getattr(signal, "SIGKILL", signal.SIGTERM))  # a status worker writes nothing: no clean-up
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context(), initializer=die_with_parent,
                             initargs=(os.getpid(), ends_it)) as pool:
        return [part for chunk in pool.map(_parts_chunk, chunks) for part in chunk]


def _file_key(path: Path) -> str | None:
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES)  # never a FIFO's wait, never past the limit
    except (OSError, UnsafeFile):
        return None
    return hashlib.sha256(raw).hexdigest()


class StatusCache:
    """Answer-file verdicts kept between runs: {sha-256 of the file's bytes: part}.

    Valid only for the drafter, kinds, rules and settings that made it (the environment
    key below); another environment starts an empty cache. It lives in drafter's private
    cache (drafter/privcache.py) under the same rules as the prepared templates, and only
    saves time: an entry that is missing, unsafe, damaged or of the wrong shape is not used.
    """

    MAX_ENTRIES = 20_000
    MAX_BYTES = 16 * 1024 * 1024  # 20 000 verdicts take about 5 MB
    NAME = "status-2.json"
    MAGIC = b"drafter-status-verdicts-2\n"

    def __init__(self, environment: str, entries: dict[str, dict]):
        self.environment, self.entries = environment, entries
        self.used: dict[str, dict] = {}
        self.changed = False

    @classmethod
    def open(cls) -> "StatusCache":
        environment = _environment_key()
        stored = privcache.load(cls.NAME, cls.MAGIC, cls.MAX_BYTES, json.loads, _valid_store)
        entries = stored["entries"] if stored is not None and stored["environment"] == environment else {}
        return cls(environment, entries)

    def get(self, key: str | None) -> dict[str, Any] | None:
        if key is None:
            return None
        part = self.entries.get(key)
        if _valid_part(part):
            self.used[key] = part
            return dict(part)
        return None

    def put(self, key: str | None, part: dict[str, Any]) -> None:
        if key is not None:
            self.used[key] = part
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        kept = dict(self.used)
        for key, part in self.entries.items():  # older verdicts too, up to the limit
            if len(kept) >= self.MAX_ENTRIES:
                break
            kept.setdefault(key, part)
        content = json.dumps({"environment": self.environment, "entries": kept}, ensure_ascii=False)
        privcache.store(self.NAME, self.MAGIC, content.encode("utf-8"), self.MAX_BYTES)


_PART_KEYS = {"name", "kind", "state", "problems", "errors", "warnings", "digest", "recovery_for"}


def _valid_part(part: object) -> bool:
    """A verdict as answers_part makes it: anything else in the cache is not a verdict."""
    if not isinstance(part, dict) or set(part) != _PART_KEYS:
        return False
    counts = (part["problems"], part["errors"], part["warnings"])
    return (
        all(type(n) is int and 0 <= n < 10**9 for n in counts)
        and part["state"] in STATE_LABELS
        and all(part[k] is None or (isinstance(part[k], str) and len(part[k]) < 10_000)
                for k in ("name", "kind", "digest", "recovery_for"))
    )


def _valid_store(stored: object) -> bool:
    return (isinstance(stored, dict) and isinstance(stored.get("environment"), str)
            and isinstance(stored.get("entries"), dict))


def _environment_key() -> str:
    """What a verdict depends on besides the file: drafter's code and data, the kinds, settings."""
    digest = hashlib.sha256(b"drafter-status-1\0")
    digest.update(f"{getattr(drafter, '__version__', '')}\0{os.environ.get('DRAFTER_KINDS_PATH', '')}\0".encode())
    package = Path(drafter.__file__).resolve().parent
    files: list[Path] = []
    for folder in (package, package / "data", package / "profiles", *kinds_dirs()):
        try:
            files.extend(folder / name for name in sorted(os.listdir(folder)) if name.endswith((".py", ".yaml", ".yml")))
        except OSError:
            continue
    # A workspace's settings (drafter.yaml in this folder or one above), where there is one.
    files.extend(folder / "drafter.yaml" for folder in (Path.cwd(), *Path.cwd().parents))
    for path in files:
        try:
            info = os.stat(path)
        except OSError:
            continue
        digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def status_cells(entry: dict[str, Any]) -> list[str]:
    """The columns a person reads: name, kind, state, rules, document, file."""
    if entry["state"] == "invalid":
        rules = f"{entry['problems']} fejl (se: drafter check)"
    elif entry["state"] == "recovery":
        rules = (f"svar til {shown_path(Path(entry['recovery_for']))}, der ikke kunne gemmes; "
                 f"læg dem tilbage med: {restore_command(Path(entry['file']))}")
    elif entry["state"] == "draft":
        rules = "-"
    else:
        found = []
        if entry["errors"]:
            found.append(f"{entry['errors']} regelfejl")
        if entry["warnings"]:
            found.append(f"{entry['warnings']} {'advarsel' if entry['warnings'] == 1 else 'advarsler'}")
        rules = ", ".join(found) if found else "ingen regelfund"
    name = entry["name"] if len(entry["name"]) <= NAME_WIDTH else entry["name"][: NAME_WIDTH - 1] + "…"
    document = "-" if entry["state"] == "recovery" else DOC_LABELS[entry["document_state"]]
    return [name, entry["kind"] or "?", STATE_LABELS[entry["state"]], rules, document, entry["file"]]
