"""`drafter diff`: two versions of a commission, as a Danish summary and as tracked changes.

A side is an answer file, an answer file at a git revision (``answers/x.yaml@HEAD~1``), or
a Word document. Answer files are compared answer by answer (members who joined or left,
dates moved); documents are compared paragraph by paragraph.
"""

from __future__ import annotations

import datetime as _dt
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from drafter.answers import check_file, load_answers
from drafter.changes import SectionChanges, changed_words, compare as compare_answers, layout_changes
from drafter.docdiff import tracked_changes
from drafter.errors import DrafterError
from drafter.problems import Problem
from drafter.render import render_document, renderer_for
from drafter.wordread import body_texts, read_word_bytes, read_word_file
from drafter.yamlread import MAX_FILE_BYTES, parse_answer_text


class VersionError(DrafterError):
    """A side of a diff that cannot be read."""

    exit_code = 2


@dataclass
class Side:
    name: str  # as the user gave it
    answers: object | None = None  # drafter.answers.Answers, for an answer file
    docx: bytes | None = None  # for a Word document (rendered on demand for answers)

    def document(self) -> bytes:
        if self.docx is None:
            questionnaire = self.answers.questionnaire
            self.docx = render_document(self.answers, renderer_for(questionnaire.template_path))
        return self.docx


@dataclass
class Difference:
    old: Side
    new: Side
    sections: list = field(default_factory=list)  # drafter.changes.SectionChanges
    equal: bool = True

    def lines(self) -> list[str]:
        out = []
        for section in self.sections:
            out.append(section.heading)
            out.extend(f"  {line}" for line in section.lines)
        return out


def read_side(spec: str) -> Side:
    """An answer file, FILE@REV, or a .docx, read and checked."""
    path = Path(spec)
    if not _exists(path) and "@" in spec:
        file_part, _, rev = spec.rpartition("@")
        if len(rev) > MAX_REVISION:
            raise VersionError(Problem(f"revisionen er {len(rev)} tegn lang; en git-revision har højst {MAX_REVISION}",
                                       file=file_part[:200]))
        if file_part and rev:
            return _answers_side(spec, _git_show(Path(file_part), rev))
    if path.suffix.lower() in WORD_SUFFIXES:
        try:
            package = read_word_file(path)
            package.body()  # parsed (bounded) now, so a broken file is told here
        except DrafterError as exc:
            raise VersionError(exc.problems) from None
        return Side(spec, docx=package.data)
    try:
        return Side(spec, answers=load_answers(path))
    except DrafterError as exc:
        raise VersionError(exc.problems) from None


# What drafter diff reads as a Word document (the others are told to save as .docx).
WORD_SUFFIXES = (".docx", ".odt", ".doc", ".rtf")
MAX_REVISION = 256


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


def _git_show(path: Path, rev: str) -> bytes:
    """The bytes of *path* at git revision *rev*, from the repository the file lies in.

    git's output is read as it comes and never past the answer-file limit: a blob of
    gigabytes (a few megabytes in .git) is stopped there, and git with it.
    """
    import tempfile
    import threading

    where = f"{path}@{rev}"
    if rev.startswith("-"):
        raise VersionError(Problem("revisionen må ikke begynde med '-'", file=where))
    folder = path.parent if str(path.parent) else Path(".")
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                ["git", "-C", str(folder), "show", f"{rev}:./{path.name}"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors,
            )
        except FileNotFoundError:
            raise VersionError(Problem("git er ikke installeret, så tidligere versioner kan ikke hentes", file=where)) from None
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(GIT_TIMEOUT, stop)
        timer.start()
        try:
            chunks, total = [], 0
            while total <= MAX_FILE_BYTES:
                chunk = process.stdout.read(min(1 << 16, MAX_FILE_BYTES + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            if total > MAX_FILE_BYTES:
                process.kill()
            process.stdout.close()
            returncode = process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
        if total > MAX_FILE_BYTES:
            raise VersionError(Problem(f"filen er for stor til at være en svarfil (over {MAX_FILE_BYTES // (1024 * 1024)} MB)", file=where))
        errors.seek(0)
        said = errors.read(64 * 1024).decode("utf-8", "replace")
    if timed_out.is_set():
        raise VersionError(Problem(f"git svarede ikke inden for {GIT_TIMEOUT} sekunder", file=where))
    if returncode != 0:
        raise VersionError(Problem(_git_refusal(said, folder, rev), file=where))
    return b"".join(chunks)


GIT_TIMEOUT = 30  # seconds


def _git_refusal(said: str, folder: Path, rev: str) -> str:
    """What git's (English) complaint means, in Danish."""
    if "dubious ownership" in said or "safe.directory" in said:
        # git refuses a repository another user owns; it is not that the version is unknown.
        repository = re.search(r"repository at '([^']*)'", said)
        at = repository.group(1) if repository else str(folder)
        return (f"git nægter at læse depotet {at}, fordi en anden bruger ejer det; stoler du på det, "
                f"så tillad det med: git config --global --add safe.directory {at}")
    if "not a git repository" in said:
        return f"mappen {folder} er ikke under versionsstyring med git"
    if "exists on disk, but not in" in said or "does not exist in" in said:
        return f"filen fandtes ikke i git-versionen {rev}"
    if re.search(r"unknown revision|bad revision|invalid object name|ambiguous argument|not a valid object name", said):
        return f"git kender ikke versionen {rev!r} (fx HEAD~1, en commit-id eller et tag)"
    first = next((line.strip() for line in said.splitlines() if line.strip()), "ingen forklaring")
    return f"git kunne ikke hente versionen {rev!r} (git skrev: {first[:200]})"


def _answers_side(name: str, raw: bytes) -> Side:
    try:
        return Side(name, answers=check_file(parse_answer_text(raw, name)))
    except DrafterError as exc:
        raise VersionError(exc.problems) from None


def compare(old: Side, new: Side) -> Difference:
    """What changed from *old* to *new*: by answer where both are answers, else by text."""
    if old.answers is not None and new.answers is not None:
        if old.answers.questionnaire.kind != new.answers.questionnaire.kind:
            raise VersionError(Problem(f"er af typen {new.answers.questionnaire.kind}, men {old.name} er af typen "
                f"{old.answers.questionnaire.kind}; kun to versioner af samme type kan sammenlignes", file=new.name))
        sections = compare_answers(new.answers.questionnaire, old.answers.values, new.answers.values)
        layout = layout_changes(new.answers.questionnaire, old.answers.data, new.answers.data)
        if layout is not None:
            sections.insert(0, layout)
        return Difference(old, new, sections, equal=not sections)
    sections = text_changes(old.document(), new.document())
    return Difference(old, new, sections, equal=not sections)


def text_changes(old_docx: bytes, new_docx: bytes) -> list:
    """Paragraphs added, removed and changed, under the heading they stand below."""
    import difflib

    old, new = _headed_paragraphs(old_docx), _headed_paragraphs(new_docx)
    matcher = difflib.SequenceMatcher(None, [t for _, t in old], [t for _, t in new], autojunk=False)
    by_heading: dict[str, SectionChanges] = {}

    def add(heading: str, line: str) -> None:
        by_heading.setdefault(heading, SectionChanges(heading or "Før første overskrift")).lines.append(line)

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:
            # A paragraph edited in place: which one, and its changed words (the whole line
            # clipped could hide the very words that changed).
            for (_, before), (heading, after) in zip(old[i1:i2], new[j1:j2]):
                add(heading, f'ændret i "{_clip(before, 40)}": {changed_words(before, after)}')
            continue
        for heading, text in old[i1:i2]:
            if text.strip():
                add(heading, f"fjernet: {_clip(text)}")
        for heading, text in new[j1:j2]:
            if text.strip():
                add(heading, f"tilføjet: {_clip(text)}")
    return list(by_heading.values())


def _clip(text: str, most: int = 100) -> str:
    text = " ".join(text.split())
    if len(text) <= most:
        return text
    cut = text[:most - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"  # between words where it can


def _headed_paragraphs(docx: bytes) -> list[tuple[str, str]]:
    return body_texts(read_word_bytes(docx, "dokumentet"))


def tracked_document(difference: Difference, author: str, date: _dt.date | None = None) -> bytes:
    """NEW's document with the differences from OLD as Word's tracked changes."""
    day = (date or _dt.date.today()).isoformat()
    return tracked_changes(difference.old.document(), difference.new.document(), author, f"{day}T00:00:00Z")
