"""One answer file of the workspace as the web form reads and saves it.

Every file the form touches is ``<answers>/<slug>.yaml`` or ``<out>/<slug>.{docx,pdf,png}``
of the workspace it was started in, where the slug is checked against SLUG before any
path is built. A page carries the hash of the file it was made from, so a file changed
meanwhile (by hand, in another tab) is never overwritten by an older form.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

from drafter import api
from drafter.errors import DrafterError, KindError, OutputError, UnknownKind
from drafter.fsutil import DOCX_MAX_BYTES, UnsafeFile, read_regular_file
from drafter.session import RECOVERY_KEY, AutosaveFailed, DraftSession, restore_command
from drafter.web.server import Refused

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")


@dataclass
class Workspace:
    root: Path
    answers_dir: Path
    out_dir: Path

    @classmethod
    def at(cls, root: Path) -> "Workspace":
        root = root.resolve()
        return cls(root, root / "answers", root / "out")

    def answer_path(self, slug: str) -> Path:
        """The answer file of *slug*; Refused (404) for a bad slug, a link or a file not there."""
        if not SLUG.fullmatch(slug):
            raise not_found()
        path = self.answers_dir / f"{slug}.yaml"
        if path.is_symlink() or not path.is_file() or path.resolve().parent != self.answers_dir.resolve():
            raise not_found()
        return path

    def output_path(self, slug: str, suffix: str) -> Path:
        """The document of *slug* (docx), or its PDF or preview (pdf, png), as render names them."""
        return api.document_for(self.answers_dir / f"{slug}.yaml", self.out_dir).with_suffix(f".{suffix}")


def not_found() -> Refused:
    return Refused(HTTPStatus.NOT_FOUND, "Siden findes ikke.")


@dataclass
class Commission:
    """One answer file as the web form sees it: its draft session (drafter.session), and the
    slug of its address."""

    slug: str
    session: DraftSession
    lost: list[str] = field(default_factory=list)  # what a save would drop (see would_lose), as the file was read

    @property
    def path(self) -> Path:
        return self.session.path

    @property
    def version(self) -> str:
        """A hash of the file's bytes as last read or written (every page carries it)."""
        return hashlib.sha256(self.session.base or b"").hexdigest()[:20]

    @property
    def questionnaire(self):
        return self.session.questionnaire

    @property
    def complete(self) -> bool:
        return self.session.complete

    @property
    def values(self) -> dict[str, dict[str, Any]]:
        """A copy of the answers, section by section (a section of another shape reads as empty)."""
        values = self.session.values
        return {s.key: dict(values[s.key]) if isinstance(values.get(s.key), dict) else {}
                for s in self.questionnaire.sections}

    @property
    def title(self) -> str:
        name = self.questionnaire.questions[0] if self.questionnaire.questions else None
        value = self.session.get(name.path) if name else None
        return value if isinstance(value, str) and value.strip() else self.slug

    def save(self) -> None:
        """Save the session's answers (the file's own text kept). Refused, with nothing
        written, when it would drop a field or make a file too big to open again; the
        session's ChangedElsewhere when the file changed since it was read."""
        if self.lost:
            raise OutputError(would_lose_message(self, self.lost))
        too_big = self.session.too_big()
        if too_big:
            raise OutputError(too_big)
        self.session.save()  # AutosaveFailed: the page says it with not_saved (where the answers are, and the command)


def open_commission(workspace: Workspace, slug: str) -> Commission:
    """The answer file of *slug* as a draft session (a file with wrong answers opens, to be
    mended); Refused with a Danish message when it cannot be read or has no known kind."""
    path = workspace.answer_path(slug)
    try:
        session = DraftSession.mend(path, answers_dir=workspace.answers_dir, out_dir=workspace.out_dir)
    except DrafterError as exc:
        if workspace_file_broken(exc):
            raise workspace_file_refused(exc, workspace) from None
        raise Refused(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "Svarfilen kan ikke åbnes i formularen: " + sentences(words(exc, workspace))
            + " Ret filen i en teksteditor, og genindlæs siden.",
        ) from None
    if RECOVERY_KEY in session.meta:  # what a failed save left: put back from the list, not answered on
        raise Refused(HTTPStatus.CONFLICT, f"{path.name} er en gendannelsesfil, ikke et kommissorium: den rummer svar, "
                      "der ikke kunne gemmes. Læg dem tilbage med knappen på listen over kommissorier.")
    return Commission(slug, session, would_lose(session))


def workspace_file_broken(exc: DrafterError) -> bool:
    """True when *exc* is about a file of the workspace itself (drafter.yaml, a kind), not an answer file."""
    return isinstance(exc, (api.ProfileError, KindError)) and not isinstance(exc, UnknownKind)


def workspace_file_message(exc: DrafterError, workspace: Workspace) -> str:
    """A drafter.yaml or a kind that cannot be used (edited while serve runs), as a page says it: file,
    line, field and what is wrong; it is read again on the next page, so no restart is needed."""
    return ("En fil i arbejdsmappen kan ikke bruges: " + sentences(words(exc, workspace))
            + " Ret filen i en teksteditor, og genindlæs siden; serveren skal ikke genstartes.")


def workspace_file_refused(exc: DrafterError, workspace: Workspace) -> Refused:
    """The error page of a page that needs the file workspace_file_message names."""
    return Refused(HTTPStatus.UNPROCESSABLE_ENTITY, workspace_file_message(exc, workspace))


def sentences(lines: list[str]) -> str:
    """Messages (each ending as browser_words ends it) as one sentence: joined by semicolons, one full stop."""
    text = "; ".join(line[:-1] if line.endswith(".") else line for line in lines)
    return text if text.endswith(("?", "!")) else text + "."


def would_lose(session: DraftSession) -> list[str]:
    """What in the file a save from the form would drop: fields the questionnaire does not
    know (comments stay: the session changes only the answers that changed). The form
    refuses to save over them."""
    lost = [f"feltet '{key}'" for key in session.extra]
    for section in session.questionnaire.sections:
        given = session.values.get(section.key)
        if isinstance(given, dict):
            names = {q.key for q in section.questions}
            lost += [f"feltet '{section.key}.{k}'" for k in given if k not in names]
    return lost


def would_lose_message(commission: Commission, lost: list[str]) -> str:
    shown = ", ".join(lost[:5]) + (f" og {len(lost) - 5} mere" if len(lost) > 5 else "")
    return (
        f"Svarfilen {commission.path.name} har {shown}, som formularen ikke kan gemme; den gemmer derfor intet, "
        "så intet går tabt. Ret filen i en teksteditor (ret feltets navn, eller slet feltet), "
        "og genindlæs siden."
    )


_COMMAND_ADVICE = re.compile(
    r"\s*\([^()]*(?:--[a-z]|drafter [a-z]|DRAFTER_)[^()]*\)"  # "(brug --force ...)"
    r"|;?\s*(?:se dem med|kør|brug)[: ]+drafter [^.;]*"  # "; kør drafter check x"
    r"|,?\s*(?:eller )?(?:på [A-Z][a-z]+ og [A-Z][a-z]+ )?med: (?:sudo |brew )[^.;]*"  # ", på Debian ... med: sudo apt ..."
)


def browser_words(text: str, workspace: Workspace) -> str:
    """A core message as the browser says it: no absolute paths, no terminal commands (the
    page offers what they would do as buttons)."""
    root = str(workspace.root)
    text = text.replace(root + os.sep, "").replace(root, "arbejdsmappen")
    text = _COMMAND_ADVICE.sub("", text).strip()
    return text if not text or text.endswith((".", "!", "?", ")")) else text + "."


def words(exc: DrafterError, workspace: Workspace) -> list[str]:
    if isinstance(exc, AutosaveFailed):
        return [not_saved(exc, workspace)]
    return [browser_words(line, workspace) for line in exc.lines()]


class Notice(str):
    """A message for a page, with the exact command that goes on from it in a terminal, if
    any: shown apart from the text, whole and escaped, to be read and copied."""

    command: str | None

    def __new__(cls, text: str, command: str | None = None) -> "Notice":
        notice = super().__new__(cls, text)
        notice.command = command
        return notice


def command_of(message: str) -> str | None:
    """The command a message carries (a Notice), for the templates."""
    return getattr(message, "command", None)


def in_workspace(path: Path, workspace: Workspace) -> Path:
    """*path* as typed in a terminal in the workspace's folder: relative there, else whole."""
    absolute = Path(os.path.abspath(path))
    return absolute.relative_to(workspace.root) if absolute.is_relative_to(workspace.root) else absolute


def not_saved(exc: AutosaveFailed, workspace: Workspace) -> Notice:
    """A failed save as the browser says it: why, where every answer is now (the recovery
    file), and the command that puts them back, to type in a terminal in the workspace."""
    reason = browser_words(exc.reason, workspace).rstrip(".")
    if exc.recovery is None:
        return Notice(f"Svarene kan ikke gemmes: {reason}. Der kunne heller ikke skrives en gendannelsesfil; "
                      "det, du har skrevet, står stadig her på siden, så kopiér det, før du lukker den.")
    recovery = in_workspace(exc.recovery, workspace)
    target = f" i {in_workspace(exc.path, workspace)}" if exc.path is not None else ""
    button = (" (eller brug knappen »Læg tilbage« på listen over kommissorier)"
              if Path(os.path.abspath(exc.recovery)).parent == workspace.answers_dir else "")  # the list's button: answers/ only
    return Notice(f"Svarene kan ikke gemmes: {reason}. Alle svarene er gemt i {recovery}. Når fejlen er rettet, "
                  f"lægger denne kommando dem tilbage{target}; skriv den i en terminal i arbejdsmappen{button}:",
                  restore_command(recovery))


def bounded_bytes(path: Path) -> bytes | None:
    """A document's bytes to compare, or None: not a regular file of at most Word's limit."""
    if path.is_symlink():
        return None
    try:
        return read_regular_file(path, DOCX_MAX_BYTES)
    except (OSError, UnsafeFile):
        return None
