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
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from drafter.errors import DrafterError, OutputError
from drafter.fsutil import DOCX_MAX_BYTES, UnsafeFile, read_regular_file, windows_safe_stem
from drafter.questionnaire import Questionnaire
from drafter.validate import questionnaire_for
from drafter.web.server import Refused
from drafter.yamlio import answers_text, save_answers
from drafter.yamlread import MAX_FILE_BYTES, META_KEYS, AnswerFile, parse_answer_text

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
        return self.out_dir / f"{windows_safe_stem(slug)}.{suffix}"  # as render names it


def not_found() -> Refused:
    return Refused(HTTPStatus.NOT_FOUND, "Siden findes ikke.")


@dataclass
class Commission:
    """One answer file as the web form sees it."""

    slug: str
    path: Path
    raw: AnswerFile
    questionnaire: Questionnaire
    version: str  # hash of the file's bytes when read
    text: str = ""  # the file as read

    def would_lose(self) -> list[str]:
        """What in the file a save from the form would drop: fields the questionnaire does not
        know (comments stay: drafter.yamlio changes only the answers that changed). The form
        refuses to save over them."""
        lost = []
        sections = {s.key: s for s in self.questionnaire.sections}
        for key, value in self.raw.data.items():
            if key not in sections and key not in META_KEYS:
                lost.append(f"feltet '{key}'")
            elif key in sections and isinstance(value, dict):
                names = {q.key for q in sections[key].questions}
                lost += [f"feltet '{key}.{k}'" for k in value if k not in names]
        return lost

    @property
    def values(self) -> dict[str, dict[str, Any]]:
        return {s.key: dict(self.raw.data.get(s.key) or {}) if isinstance(self.raw.data.get(s.key), dict) else {}
                for s in self.questionnaire.sections}

    @property
    def complete(self) -> bool:
        return self.raw.data.get("complete", True) is True

    @property
    def title(self) -> str:
        name = self.questionnaire.questions[0] if self.questionnaire.questions else None
        value = self.raw.data.get(name.path.split(".")[0], {}).get(name.key) if name else None
        return value if isinstance(value, str) and value.strip() else self.slug

    def meta(self) -> dict[str, Any]:
        return {k: self.raw.data[k] for k in META_KEYS if k in self.raw.data and k not in ("kind", "schema_version", "complete")}

    def save(self, values: dict, complete: bool, meta: dict | None = None) -> str:
        """Write *values* into the file, keeping its own text (comments, layout); returns the new
        version. A file changed on disk since it was read is not overwritten (StaleFile)."""
        lost = self.would_lose()
        if lost:
            raise OutputError(would_lose_message(self, lost))
        meta = meta if meta is not None else self.meta()
        base = self.text.encode("utf-8")
        # A file over the reader's limit could be written but never opened again (every page
        # of it, `drafter check`): refused before anything is written.
        size = len(answers_text(self.questionnaire, values, complete, meta, base))
        if size > MAX_FILE_BYTES:
            raise OutputError(
                f"Svarfilen ville fylde {_kb(size)}, og en svarfil må højst fylde {_kb(MAX_FILE_BYTES)}. "
                "Gør de lange svar kortere (eller del dem op), og gem igen."
            )
        data = save_answers(self.path, self.questionnaire, values, complete, meta, base=base)
        self.text = data.decode("utf-8")
        return hashlib.sha256(data).hexdigest()[:20]


def open_commission(workspace: Workspace, slug: str) -> Commission:
    """The answer file of *slug*, read and parsed; Refused with a Danish message when it cannot be."""
    path = workspace.answer_path(slug)
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except UnsafeFile as exc:
        raise Refused(HTTPStatus.UNPROCESSABLE_ENTITY, f"Svarfilen {path.name} kan ikke åbnes i formularen: {exc}.") from None
    except OSError:
        raise not_found() from None
    try:
        raw = parse_answer_text(data, str(path.relative_to(workspace.root)))
        questionnaire, problems = questionnaire_for(raw.data)
        if questionnaire is None:
            raise DrafterError(problems, raw.source)
    except DrafterError as exc:
        raise Refused(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "Svarfilen kan ikke åbnes i formularen: " + "; ".join(words(exc, workspace))
            + ". Ret filen i en teksteditor, og genindlæs siden.",
        ) from None
    return Commission(slug, path, raw, questionnaire, hashlib.sha256(data).hexdigest()[:20],
                      data.decode("utf-8", "replace"))


def _kb(count: int) -> str:
    return f"{count // 1000:,} kB".replace(",", ".")


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
    return [browser_words(line, workspace) for line in exc.lines()]


def bounded_bytes(path: Path) -> bytes | None:
    """A document's bytes to compare, or None: not a regular file of at most Word's limit."""
    if path.is_symlink():
        return None
    try:
        return read_regular_file(path, DOCX_MAX_BYTES)
    except (OSError, UnsafeFile):
        return None
