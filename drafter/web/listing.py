"""The first pages of `drafter serve`: the workspace's commissions, and a new one."""

from __future__ import annotations

import os
import stat
from http import HTTPStatus
from pathlib import Path

from drafter import api
from drafter.errors import DrafterError, InvalidValue
from drafter.fsutil import describe_special
from drafter.questionnaire import missing_profile_note
from drafter.session import DraftSession, read_answer, recovery_of, restore_command
from drafter.web import form as forms
from drafter.web.commission import SLUG, Notice, Workspace, in_workspace, words, workspace_file_message
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
                              "problems": [problem], "findings": 0, "errors": 0, "document": "", "restore": False}
        found, broken = api.kinds()
        kinds = {kind.kind: kind.name for kind in found}
        for path, entry in zip(readable, api.status_of(readable, self.workspace.out_dir)):
            rows[path.name] = status_row(path, entry, kinds, self.workspace)
        # Recovery files the answers folder could not take, kept in the cache folder: first, never forgotten.
        kept = api.recovery_files_kept_for(self.workspace.answers_dir) if number == 1 else []
        first = [status_row(path, entry, kinds, self.workspace) for path, entry in zip(kept, api.status_of(kept))]
        flashed = self.site.flashed(request, "liste")
        return self.site.page("index.html", status=flashed.get("status", 200), title="Kommissorier",
                              rows=first + [rows[n] for n in shown if n in rows], page_number=number, pages=pages,
                              total=len(names), messages=[*flashed.get("messages", []), *self.broken_kinds(broken)])

    def broken_kinds(self, broken: list[DrafterError]) -> list[str]:
        """What a kind file that cannot be read says (edited while serve runs): it is not silently left out."""
        return [workspace_file_message(exc, self.workspace) for exc in broken]

    def restore(self, slug: str) -> Response:
        """The list's "Læg tilbage": a recovery file's answers back in their answer file, as
        `drafter restore` does, when that file is one of this workspace's answer files."""
        path = self.workspace.answer_path(slug)

        def said(messages: list[str], status: int = 200) -> Response:
            return self.site.after(None, "liste", "/", messages=messages, status=status)

        try:
            recovery = recovery_of(api.load(path).data)
        except DrafterError as exc:
            return said(words(exc, self.workspace), HTTPStatus.UNPROCESSABLE_ENTITY)
        if recovery is None:
            return said([f"{path.name} er ikke en gendannelsesfil."], HTTPStatus.UNPROCESSABLE_ENTITY)
        target = recovery.answers_path
        if target.parent != self.workspace.answers_dir or not SLUG.fullmatch(target.stem) or target.suffix != ".yaml":
            # The form writes only this workspace's answers/<name>.yaml: elsewhere is the terminal's to do.
            return said([Notice(f"{path.name} hører til {target}, som ikke er en svarfil i arbejdsmappens answers; "
                                "læg svarene tilbage i en terminal med:", restore_command(in_workspace(path, self.workspace)))],
                        HTTPStatus.CONFLICT)
        try:
            restored = api.restore(path, out_dir=self.workspace.out_dir)
        except DrafterError as exc:
            return said(words(exc, self.workspace), HTTPStatus.UNPROCESSABLE_ENTITY)
        document = " Word-dokumentet er lavet igen." if restored.render is not None else ""
        if restored.answers_path != target:  # the answer file changed since the save failed: left as it is
            return said([f"{target.name} er ændret, siden svarene ikke kunne gemmes i den, så den er ikke rørt: svarene "
                         f"fra {path.name} står nu i {restored.answers_path.name} ved siden af, og gendannelsesfilen "
                         f"er fjernet. Sammenlign de to, og behold det, du vil.{document}"])
        return said([f"Svarene fra {path.name} er lagt tilbage i {target.name}, og gendannelsesfilen er fjernet.{document}"])

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
        found, broken = api.kinds()  # a kind file that cannot be read is left out, and said why
        # A kind that needs data the profile lacks (a cluster kind in a council's workspace)
        # is listed apart, with what is missing, and cannot be chosen, as in `drafter new`.
        lacking = {k.kind: missing_profile_note(k) for k in found}
        kinds = [k for k in found if not lacking[k.kind]]
        unusable = [(k, lacking[k.kind]) for k in found if lacking[k.kind]]
        code = HTTPStatus.UNPROCESSABLE_ENTITY if error else 200
        return self.site.page("new.html", status=code, title="Nyt kommissorium", kinds=kinds, unusable=unusable,
                              chosen=kind, name=name, error=error, skip_to="f-kind-0", broken=self.broken_kinds(broken))

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
            said = words(exc, self.workspace)
            return refused(said[0] if len(said) == 1 else " ".join(said))  # one: a Notice keeps its command
        return Response.redirect(f"/k/{session.path.stem}/afsnit/{session.questionnaire.sections[0].key}")


def status_row(path: Path, entry: dict, kinds: dict[str, str], workspace: Workspace) -> dict:
    """One commission of the list as `drafter status` tells it (*kinds*: kind -> its name)."""
    _, _, state, _, document, _ = api.status_cells(entry)
    invalid = entry["state"] == "invalid"
    errors = entry["problems"]
    row = {
        "slug": path.stem, "openable": bool(SLUG.fullmatch(path.stem)) and not path.is_symlink(),
        "name": entry["name"], "kind": kinds.get(entry["kind"], ""), "state": state,
        "problems": [f"{errors} fejl i filen; ret den i en teksteditor"] if invalid else [],
        "findings": entry["errors"] + entry["warnings"], "errors": entry["errors"], "document": document,
        "restore": False,
    }
    if entry["state"] == "recovery":  # answers a failed save left: not a commission to open, one to put back
        belongs = in_workspace(Path(entry["recovery_for"]), workspace)
        inside = path.parent == workspace.answers_dir  # the form writes only there; one in the cache: the terminal's
        how = ("Læg dem tilbage med knappen, eller skriv i en terminal i arbejdsmappen:" if inside else
               f"Filen ligger i din cache-mappe ({path}), fordi answers ikke kunne skrives. Læg svarene tilbage ved at "
               "skrive i en terminal i arbejdsmappen:")
        row.update(openable=False, restore=row["openable"] and inside, document="", problems=[Notice(
            f"Svar til {belongs}, der ikke kunne gemmes dér. {how}", restore_command(in_workspace(path, workspace)))])
    return row

