"""The first pages of `drafter serve`: the workspace's commissions, and a new one."""

from __future__ import annotations

import os
import stat
from http import HTTPStatus
from pathlib import Path

from drafter import api
from drafter.errors import DrafterError, InvalidValue
from drafter.fsutil import describe_special
from drafter.session import DraftSession, read_answer
from drafter.web import form as forms
from drafter.web.commission import SLUG, words
from drafter.web.server import Request, Response
from drafter.web.site import Site
from drafter.yamlread import MAX_FILE_BYTES, is_empty

PAGE_SIZE = 50  # commissions on one page of the list


class Listing:
    def __init__(self, site: Site):
        self.site = site
        self.workspace = site.workspace

    def index(self, request: Request) -> Response:
        """The commissions of the workspace, a page at a time, with their state as `drafter status` tells it."""
        names = self.answer_names()
        pages = max(1, -(-len(names) // PAGE_SIZE))
        try:
            number = min(max(1, int(request.value("side", "1"))), pages)
        except ValueError:
            number = 1
        shown = names[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
        readable, rows = [], {}
        for name in shown:
            path = self.workspace.answers_dir / name
            problem = self.unreadable(path)
            if problem is None:
                readable.append(path)
            elif problem:  # "" is a link out of the workspace: not listed at all
                rows[name] = {"slug": path.stem, "openable": False, "name": path.stem, "kind": "", "state": "kan ikke læses",
                              "problems": [problem], "findings": 0, "errors": 0, "document": ""}
        kinds = {kind.kind: kind.name for kind in api.kinds()[0]}
        for path, entry in zip(readable, api.status_of(readable, self.workspace.out_dir)):
            rows[path.name] = status_row(path, entry, kinds)
        return self.site.page("index.html", title="Kommissorier", rows=[rows[n] for n in shown if n in rows],
                              page_number=number, pages=pages, total=len(names))

    def answer_names(self) -> list[str]:
        """The answer files' names, sorted; nothing is opened (a name is all a listing costs)."""
        try:
            names = os.listdir(self.workspace.answers_dir)
        except OSError:
            return []
        return sorted(n for n in names if n.endswith(".yaml") and not n.startswith("."))

    def unreadable(self, path: Path) -> str | None:
        """Why *path* is not read for the list (as the CLI refuses it), or None; "" for a link
        that leaves the workspace, which is not shown at all. Looked at without opening it."""
        try:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                target = path.resolve()
                if not target.is_relative_to(self.workspace.root):
                    return ""
                info = path.stat()
        except (OSError, RuntimeError):
            return "Filen kan ikke læses."
        special = describe_special(info.st_mode)
        if special:
            return f"Filen {special}."
        if info.st_size > MAX_FILE_BYTES:
            return "Filen er for stor til at være en svarfil (højst {:,} kB).".format(MAX_FILE_BYTES // 1000).replace(",", ".")
        return None

    def new_page(self, kind: str = "", name: str = "", error: str = "") -> Response:
        kinds = api.kinds()[0]  # a kind file that cannot be read is left out
        code = HTTPStatus.UNPROCESSABLE_ENTITY if error else 200
        return self.site.page("new.html", status=code, title="Nyt kommissorium", kinds=kinds, chosen=kind, name=name,
                              error=error, skip_to="f-kind-0")

    def create(self, request: Request) -> Response:
        """A new draft of the chosen kind, named after the group (the kind's first question)."""
        kind, name = request.value("kind"), request.value("navn")

        def refused(error: str) -> Response:
            return self.site.after(None, "ny", "/ny", kind=kind, name=name, error=error)

        try:
            session = DraftSession.from_data({"kind": kind}, answers_dir=self.workspace.answers_dir,
                                             out_dir=self.workspace.out_dir, complete=False)
        except DrafterError:
            return refused("Vælg en type kommissorium.")
        question = session.name_question
        if question is not None:
            try:
                value = read_answer(question, name)
            except InvalidValue as exc:
                return refused(forms.sentence(str(exc)))
            if is_empty(value):
                return refused("Skriv gruppens navn; svarfilen får navn efter det.")
            session.put(question.path, value)
        try:
            session.save()  # a new file, never over one that exists (nor another's document)
        except DrafterError as exc:
            return refused(" ".join(words(exc, self.workspace)))
        return Response.redirect(f"/k/{session.path.stem}/afsnit/{session.questionnaire.sections[0].key}")


def status_row(path: Path, entry: dict, kinds: dict[str, str]) -> dict:
    """One commission of the list as `drafter status` tells it (*kinds*: kind -> its name)."""
    _, _, state, _, document, _ = api.status_cells(entry)
    invalid = entry["state"] == "invalid"
    errors = entry["problems"]
    return {
        "slug": path.stem, "openable": bool(SLUG.fullmatch(path.stem)) and not path.is_symlink(),
        "name": entry["name"], "kind": kinds.get(entry["kind"], ""), "state": state,
        "problems": [f"{errors} fejl i filen; ret den i en teksteditor"] if invalid else [],
        "findings": entry["errors"] + entry["warnings"], "errors": entry["errors"], "document": document,
    }
