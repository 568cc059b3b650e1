"""The pages of `drafter serve`: commissions, a new one, its sections, review, document.

Every file the app touches is ``<answers>/<slug>.yaml`` or ``<out>/<slug>.{docx,pdf,png}``
of the workspace it was started in, where the slug is checked against SLUG before any
path is built. Answers are saved as a draft after every change; a page carries the hash
of the file it was made from, so a file changed meanwhile (by hand, in another tab) is
never overwritten by an older form.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import secrets
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from drafter.yamlread import AnswerFile, MAX_FILE_BYTES, parse_answer_text
from drafter.errors import DrafterError, KindError
from drafter.fsutil import DOCX_MAX_BYTES, UnsafeFile, describe_special, read_regular_file, windows_safe_stem
from drafter.problems import Problem
from drafter.questionnaire import Questionnaire, Section, available_kinds, load_questionnaire
from drafter.validate import questionnaire_for, validate
from drafter.yamlread import is_empty, META_KEYS
from drafter.web import form as forms
from drafter.web.jobs import RUNNING, Job, Jobs
from drafter.web.server import Refused, Request, Response

PACKAGE = Path(__file__).resolve().parent
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
DOWNLOADS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "png": "image/png",
}
WAIVER_KEY = "undtagelser"
PAGE_SIZE = 50  # commissions on one page of the list
FLASH_KEPT = 200  # pages-after-a-button remembered (see Flash)
FLASH_CHARS = 20_000_000  # and the text they hold, at most


@dataclass
class Workspace:
    root: Path
    answers_dir: Path
    out_dir: Path

    @classmethod
    def at(cls, root: Path) -> "Workspace":
        root = root.resolve()
        return cls(root, root / "answers", root / "out")


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


class Flash:
    """What a button's POST leaves for the page it redirects to (POST–redirect–GET).

    Every button redirects, so Back and reload never send a form again; the page after it
    (with its messages, the typed text of refused values, the focus) is kept here under a
    random key in the address. An entry is shown only while the file is still the one it
    was made for; memory is bounded (the oldest go first).
    """

    def __init__(self, size: int = FLASH_KEPT, chars: int = FLASH_CHARS):
        self._items: OrderedDict[str, tuple[int, dict]] = OrderedDict()
        self._lock = threading.Lock()
        self._size, self._chars, self._used = size, chars, 0

    def put(self, **state: Any) -> str:
        key = secrets.token_urlsafe(9)
        weight = len(repr(state))  # about what the typed text takes
        with self._lock:
            self._items[key] = (weight, state)
            self._used += weight
            while len(self._items) > 1 and (len(self._items) > self._size or self._used > self._chars):
                self._used -= self._items.popitem(last=False)[1][0]
        return key

    def get(self, key: str) -> dict | None:
        with self._lock:
            item = self._items.get(key)
        return item[1] if item is not None else None


def value_digest(value: Any) -> str:
    """A short digest of one answer, empty values alike (None, "", [])."""
    from drafter.yamlio import without_empty

    text = json.dumps(without_empty(value), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def section_base(section: Section, values: dict[str, Any]) -> str:
    """The answers of a section as the page was made from them: 'key:digest,...' (for merging)."""
    return ",".join(f"{q.key}:{value_digest(values.get(q.key))}" for q in section.questions)


def parse_base(text: str) -> dict[str, str]:
    pairs = (part.partition(":") for part in text.split(",")[:500] if part)
    return {key: digest for key, _, digest in pairs}


class WebApp:
    def __init__(self, workspace: Workspace, csrf: str, today: _dt.date | None = None):
        import jinja2

        self.workspace = workspace
        self.today = today
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(PACKAGE / "templates")),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(csrf=csrf, dom_id=forms.dom_id, OTHER=forms.OTHER, OTHER_SUFFIX=forms.OTHER_SUFFIX,
                                shown_text=forms.shown_text, choice_state=forms.choice_state, is_empty=is_empty)
        self.static = {p.name: p.read_bytes() for p in (PACKAGE / "static").iterdir() if p.suffix in STATIC_TYPES}
        self.flash = Flash()
        self.jobs = Jobs()

    # -- routing ---------------------------------------------------------------------------
    def __call__(self, request: Request) -> Response:
        parts = [p for p in request.path.split("/") if p]
        get = request.method == "GET"
        if not parts:
            return self.index(request) if get else self.not_found()
        head = parts[0]
        if head == "favicon.ico" and len(parts) == 1:
            return Response(HTTPStatus.NO_CONTENT)
        if head == "static" and len(parts) == 2 and get:
            return self.static_file(parts[1])
        if head == "ny" and len(parts) == 1:
            return self.new_page(**self.flashed(request, "ny")) if get else self.create(request)
        if head == "k" and len(parts) >= 2:
            commission = self.open(parts[1])
            rest = parts[2:]
            if not rest and get:
                return Response.redirect(self.resume_url(commission))
            if len(rest) == 2 and rest[0] == "afsnit":
                section = commission.questionnaire.section(rest[1])
                if section is None:
                    return self.not_found()
                if get:
                    return self.section_page(commission, section, **self.flashed(request, commission, section.key))
                return self.save_section(commission, section, request)
            if rest == ["gennemse"] and get:
                return self.review_page(commission, **self.flashed(request, commission, "gennemse"))
            if rest == ["undtagelse"] and not get:
                return self.change_waiver(commission, request)
            if rest == ["opsaetning"] and not get:
                return self.change_layout(commission, request)
            if rest == ["faerdig"] and not get:
                return self.finish(commission, request)
            if rest == ["dokument"]:
                if get:
                    return self.document_page(commission, **self.flashed(request, commission, "dokument"))
                return self.document_action(commission, request)
            if rest == ["dokument", "tilstand"] and get:
                job = self.jobs.get(commission.slug)
                return Response.json(job.as_json() if job is not None else {"state": "none"})
            if len(rest) == 2 and rest[0] == "hent" and get:
                return self.download(commission, rest[1])
        return self.not_found()

    # -- POST–redirect–GET ---------------------------------------------------------------------
    def after(self, commission: "Commission | None", where: str, url: str, **state: Any) -> Response:
        """Redirect to *url*, with *state* for the page there (see Flash)."""
        key = self.flash.put(where=self.flash_place(commission, where),
                             version=commission.version if commission is not None else "", **state)
        joiner = "&" if "?" in url else "?"
        path, hash_mark, fragment = url.partition("#")
        return Response.redirect(f"{path}{joiner}{urlencode({'s': key})}{hash_mark}{fragment}")

    @staticmethod
    def flash_place(commission: "Commission | None", where: str) -> str:
        return f"{commission.slug}/{where}" if commission is not None else where

    def flashed(self, request: Request, commission: "Commission | str", where: str = "") -> dict:
        """The state a button left for this page, if it is for this page and the file is unchanged."""
        key = request.query.get("s", [""])[0]
        state = self.flash.get(key) if key else None
        if isinstance(commission, str):
            place, version = commission, ""
        else:
            place, version = self.flash_place(commission, where), commission.version
        if state is None or state.get("where") != place or state.get("version") != version:
            return {}
        return {k: v for k, v in state.items() if k not in ("where", "version")}

    def page(self, template: str, status: int = 200, **context: Any) -> Response:
        html = self.env.get_template(template).render(**context)
        return Response(status, html.encode("utf-8"))

    def not_found(self) -> Response:
        raise Refused(HTTPStatus.NOT_FOUND, "Siden findes ikke.")

    def error_page(self, status: int, message: str) -> Response:
        return self.page("error.html", status=status, title="Fejl", message=message)

    def static_file(self, name: str) -> Response:
        if name not in self.static:
            return self.not_found()
        return Response(200, self.static[name], STATIC_TYPES[Path(name).suffix], {"Cache-Control": "max-age=3600"})

    # -- files -----------------------------------------------------------------------------
    def answer_path(self, slug: str) -> Path:
        if not SLUG.fullmatch(slug):
            self.not_found()
        path = self.workspace.answers_dir / f"{slug}.yaml"
        if path.is_symlink() or not path.is_file() or path.resolve().parent != self.workspace.answers_dir.resolve():
            self.not_found()
        return path

    def output_path(self, slug: str, suffix: str) -> Path:
        return self.workspace.out_dir / f"{windows_safe_stem(slug)}.{suffix}"  # as render names it

    def open(self, slug: str) -> Commission:
        path = self.answer_path(slug)
        try:
            data = read_regular_file(path, MAX_FILE_BYTES)
        except UnsafeFile as exc:
            raise Refused(HTTPStatus.UNPROCESSABLE_ENTITY, f"Svarfilen {path.name} kan ikke åbnes i formularen: {exc}.") from None
        except OSError:
            self.not_found()
        try:
            raw = parse_answer_text(data, str(path.relative_to(self.workspace.root)))
            questionnaire, problems = questionnaire_for(raw.data)
            if questionnaire is None:
                raise DrafterError(problems, raw.source)
        except DrafterError as exc:
            raise Refused(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "Svarfilen kan ikke åbnes i formularen: " + "; ".join(self.words(exc))
                + ". Ret filen i en teksteditor, og genindlæs siden.",
            ) from None
        return Commission(slug, path, raw, questionnaire, hashlib.sha256(data).hexdigest()[:20],
                          data.decode("utf-8", "replace"))

    def save(self, commission: Commission, values: dict, complete: bool, meta: dict | None = None) -> str:
        from drafter.errors import OutputError
        from drafter.yamlio import save_answers

        lost = commission.would_lose()
        if lost:
            raise OutputError(_would_lose_message(commission, lost))
        from drafter.yamlio import answers_text

        meta = meta if meta is not None else commission.meta()
        base = commission.text.encode("utf-8")
        # A file over the reader's limit could be written but never opened again (every page
        # of it, `drafter check`): refused before anything is written.
        size = len(answers_text(commission.questionnaire, values, complete, meta, base))
        if size > MAX_FILE_BYTES:
            def kb(count: int) -> str:
                return f"{count // 1000:,} kB".replace(",", ".")

            raise OutputError(
                f"Svarfilen ville fylde {kb(size)}, og en svarfil må højst fylde {kb(MAX_FILE_BYTES)}. "
                "Gør de lange svar kortere (eller del dem op), og gem igen."
            )
        # The file's own text is kept (comments, layout); a file changed on disk since it was
        # read is not overwritten (StaleFile, shown as a conflict).
        data = save_answers(commission.path, commission.questionnaire, values, complete, meta, base=base)
        commission.text = data.decode("utf-8")
        return hashlib.sha256(data).hexdigest()[:20]

    # -- pages -----------------------------------------------------------------------------
    def index(self, request: Request) -> Response:
        """The commissions of the workspace, a page at a time, with their state as `drafter status` tells it."""
        from drafter import status

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
        entries = status.folder_status(readable, [self.output_path(p.stem, "docx") for p in readable])
        for path, entry in zip(readable, entries):
            rows[path.name] = self.status_row(path, entry)
        return self.page("index.html", title="Kommissorier", rows=[rows[n] for n in shown if n in rows],
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

    def status_row(self, path: Path, entry: dict) -> dict:
        from drafter import status

        try:
            kind = load_questionnaire(entry["kind"]).name if entry["kind"] in available_kinds() else ""
        except KindError:
            kind = ""
        invalid = entry["state"] == "invalid"
        errors = entry["problems"]
        return {
            "slug": path.stem, "openable": bool(SLUG.fullmatch(path.stem)) and not path.is_symlink(),
            "name": entry["name"], "kind": kind, "state": status.STATE_LABELS[entry["state"]],
            "problems": [f"{errors} fejl i filen; ret den i en teksteditor"] if invalid else [],
            "findings": entry["errors"] + entry["warnings"], "errors": entry["errors"],
            "document": status.DOC_LABELS[entry["document_state"]],
        }

    def new_page(self, kind: str = "", name: str = "", error: str = "") -> Response:
        kinds = []
        for key in available_kinds():
            try:
                kinds.append(load_questionnaire(key))
            except KindError:
                continue
        status = HTTPStatus.UNPROCESSABLE_ENTITY if error else 200
        return self.page("new.html", status=status, title="Nyt kommissorium", kinds=kinds, chosen=kind, name=name,
                         error=error, skip_to="f-kind-0")

    def create(self, request: Request) -> Response:
        from drafter.session import free_path, slugify

        kind, name = request.value("kind"), request.value("navn")

        def refused(error: str) -> Response:
            return self.after(None, "ny", "/ny", kind=kind, name=name, error=error)

        if kind not in available_kinds():
            return refused("Vælg en type kommissorium.")
        questionnaire = load_questionnaire(kind)
        name_question = next((q for q in questionnaire.questions if q.type in ("text", "choice")), None)
        try:
            value = name_question.check(name) if name_question else None
        except forms.InvalidValue as exc:
            return refused(forms._sentence(str(exc)))
        if name_question is not None and is_empty(value):
            return refused("Skriv gruppens navn; svarfilen får navn efter det.")
        folder = self.workspace.answers_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = free_path(folder, slugify(value or kind), self.workspace.out_dir)
        values: dict[str, dict] = {s.key: {} for s in questionnaire.sections}
        if name_question is not None:
            section, key = name_question.path.split(".")
            values[section][key] = value
        from drafter.yamlio import save_answers

        save_answers(path, questionnaire, values, complete=False, base=None)  # new: never over a file that appeared
        return Response.redirect(f"/k/{path.stem}/afsnit/{questionnaire.sections[0].key}")

    def resume_url(self, commission: Commission) -> str:
        """Where the person was: the section after the last one answered, unless that one
        still lacks a required answer; the review when nothing is missing."""
        values = commission.values
        sections = commission.questionnaire.sections
        answered = [i for i, s in enumerate(sections) if any(not is_empty(values[s.key].get(q.key)) for q in s.questions)]
        last = max(answered, default=0)
        for index in range(last, len(sections)):
            section = sections[index]
            if index > last or any(q.required and is_empty(values[section.key].get(q.key)) for q in section.questions):
                return f"/k/{commission.slug}/afsnit/{section.key}"
        return f"/k/{commission.slug}/gennemse"

    def section_values(self, commission: Commission, section: Section) -> dict[str, Any]:
        """The section's answers; a question not reached yet (after the last one answered)
        shows its suggestion, as the terminal's interview offers it."""
        values = commission.values
        order = commission.questionnaire.questions
        answered = [i for i, q in enumerate(order) if not is_empty(values[q.path.split(".")[0]].get(q.key))]
        last = max(answered, default=-1)
        shown = dict(values[section.key])
        for question in section.questions:
            if is_empty(shown.get(question.key)) and order.index(question) > last:
                if question.default == "today" and not question.required:
                    continue  # an optional date is never invented; the calendar offers today
                shown[question.key] = question.default_value(self.today, values)
        return shown

    def section_page(
        self, commission: Commission, section: Section, data: forms.SectionInput | None = None,
        status: int = 200, banner: str = "", focus: str | None = None, saved: bool = False,
        conflicts: dict[str, str] | None = None,
    ) -> Response:
        values = data.values if data is not None else self.section_values(commission, section)
        rows = {}
        for question in section.questions:
            if question.is_repeating:
                shown = data.rows.get(question.key) if data is not None else None
                if shown is None:
                    shown = list(values.get(question.key) or [])
                if not shown:
                    shown = [{} if question.type == "records" else None]
                rows[question.key] = shown
        sections = commission.questionnaire.sections
        index = sections.index(section)
        errors = data.errors if data is not None else {}
        lost = commission.would_lose()
        if lost and not banner:
            banner = _would_lose_message(commission, lost)
        first = section.questions[0] if section.questions else None
        first_field = None
        if first is not None:
            if first.type == "records":
                first_field = forms.dom_id(f"{first.path}.0.{first.fields[0].key}")
            elif first.type == "list":
                first_field = forms.dom_id(f"{first.path}.0")
            elif first.type == "bool":
                first_field = forms.dom_id(first.path) + "-ja"
            else:
                first_field = forms.dom_id(first.path)
        return self.page(
            "section.html", status=status, title=f"{section.heading} – {commission.title}",
            commission=commission, section=section, sections=sections, index=index,
            values=values, rows=rows, typed=data.typed if data is not None else {}, errors=errors,
            error_list=[(name, self.label_for(section, name), message) for name, message in errors.items()],
            banner=banner, focus=focus, saved=saved, conflicts=conflicts or {}, skip_to=first_field,
            base=section_base(section, commission.values[section.key]),
            previous=sections[index - 1] if index > 0 else None,
            next=sections[index + 1] if index + 1 < len(sections) else None,
        )

    @staticmethod
    def label_for(section: Section, name: str) -> str:
        parts = name.split(".")
        question = next((q for q in section.questions if q.key == (parts[1] if len(parts) > 1 else "")), None)
        if question is None:
            return name
        label = question.prompt
        if len(parts) >= 3 and parts[2].isdigit():
            label = f"{question.prompt.rstrip('?')} ({question.item_name or 'punkt'} {int(parts[2]) + 1})"
            if len(parts) >= 4 and question.field_named(parts[3].split("~")[0]):
                label += ": " + question.field_named(parts[3].split("~")[0]).prompt
        return label

    def save_section(self, commission: Commission, section: Section, request: Request) -> Response:
        action = request.value("action", "gem")
        current = commission.values[section.key]  # the file as it is now
        data = forms.read_section(section, request.form, current, self.today)
        focus = None
        if ":" in action:
            focus = forms.apply_action(section, data, action)
        shown = dict(data.values)  # what the page shows again: the typed answers
        conflicts: dict[str, str] = {}
        if request.value("version") != commission.version:
            # Saved elsewhere since the page was made (another tab, an editor). Merged per
            # answer: one nobody else changed takes the page's value; one changed there and
            # here alike is a true conflict: the file's value stays, the typed one is shown beside it.
            base = parse_base(request.value("base"))
            for question in section.questions:
                now = value_digest(current.get(question.key))
                if base.get(question.key) == now or value_digest(data.values.get(question.key)) == now:
                    continue
                conflicts[question.path] = self.shown_value(question, current.get(question.key))
                data.values[question.key] = current.get(question.key)
        banner = self.follow_kind(commission, section, data)
        section = commission.questionnaire.section(section.key) or section
        self.clear_unwanted(commission, section, data)
        self.cross_check(commission, section, data)
        for key, value in data.values.items():  # what the checks cleared or kept is shown as saved
            if key not in shown or value_digest(value) != value_digest(shown[key]):
                if forms.path_name((section.key, key)) not in conflicts:
                    shown[key] = value
        values = commission.values
        values[section.key] = {k: v for k, v in data.values.items()}
        complete = commission.complete
        from drafter.yamlio import without_empty

        # Autosave got there first: nothing to write (the file holds answers without empty values).
        unchanged = without_empty(values[section.key]) == without_empty(current) and not banner
        if not unchanged and complete and self.problems(commission, values, complete=True):
            complete = False
            banner = banner or ("Kommissoriet er en kladde igen, indtil alle spørgsmål er besvaret: "
                      "gør det færdigt fra siden Gennemse.")
        conflict_note = (
            "Nogle svar er ændret et andet sted (i en anden fane eller i filen), mens du skrev. Dit eget står "
            "i feltet, og det, der står i filen nu, står under det; gem igen for at bruge dit eget.") if conflicts else ""
        try:
            version = commission.version if unchanged else self.save(commission, values, complete)
        except DrafterError as exc:
            message = "Svarene er ikke gemt. " + browser_words(" ".join(exc.lines()), self.workspace)
            if request.wants_json:
                return Response.json({"saved": False, "message": message}, HTTPStatus.CONFLICT)
            data.values = shown
            return self.after(commission, section.key, f"/k/{commission.slug}/afsnit/{section.key}", data=data,
                              status=HTTPStatus.CONFLICT, banner=message)
        commission.version = version
        commission.raw = AnswerFile(str(commission.path), {**commission.raw.data, **values, "complete": complete})
        if request.wants_json:
            return Response.json({"saved": True, "version": version, "base": section_base(section, values[section.key]),
                                  "errors": data.errors, "banner": banner, "conflicts": conflicts,
                                  "labels": {n: self.label_for(section, n) for n in data.errors}})
        sections = commission.questionnaire.sections
        index = sections.index(section)
        here = f"/k/{commission.slug}/afsnit/{section.key}"
        if data.errors or ":" in action or action == "gem" or banner or conflicts:
            banner = " ".join(part for part in (banner, conflict_note) if part)
            data.values = shown
            status = HTTPStatus.UNPROCESSABLE_ENTITY if data.errors else (HTTPStatus.CONFLICT if conflicts else 200)
            return self.after(commission, section.key, here, data=data, status=status, banner=banner, focus=focus,
                              saved=not data.errors and not conflicts, conflicts=conflicts)
        if action == "forrige" and index > 0:
            return Response.redirect(f"/k/{commission.slug}/afsnit/{sections[index - 1].key}")
        if action == "naeste" and index + 1 < len(sections):
            return Response.redirect(f"/k/{commission.slug}/afsnit/{sections[index + 1].key}")
        return Response.redirect(f"/k/{commission.slug}/gennemse")

    @staticmethod
    def shown_value(question, value: Any) -> str:
        """An answer as one line of text (for a conflict: what the file holds now)."""
        from drafter.changes import shown

        return shown(question, value)

    @staticmethod
    def follow_kind(commission: Commission, section: Section, data: forms.SectionInput) -> str:
        """An answer that names another kind (a project group chosen in the ad-hoc kind) makes the
        draft that kind, as the terminal's interview does: one route, the kind's own wording."""
        if commission.complete:
            return ""
        for question in section.questions:
            other = question.kind_for.get(data.values.get(question.key)) if question.kind_for else None
            if other and other != commission.questionnaire.kind and other in available_kinds():
                commission.questionnaire = load_questionnaire(other)
                return (f"Kommissoriet skrives nu med typen {commission.questionnaire.name} "
                        "(de samme spørgsmål, typens egen ordlyd i dokumentet).")
        return ""

    @staticmethod
    def clear_unwanted(commission: Commission, section: Section, data: forms.SectionInput) -> None:
        """A question asked only 'when' a yes/no answer is yes loses its answer when it is no."""
        values = commission.values
        for question in section.questions:
            if question.when:
                when_section, when_key = question.when.split(".", 1)
                source = data.values if when_section == section.key else values.get(when_section, {})
                if source.get(when_key) is not True:
                    data.values[question.key] = [] if question.is_repeating else None

    def cross_check(self, commission: Commission, section: Section, data: forms.SectionInput) -> None:
        """Checks between fields (a date before another) as the answer file gets them; a value
        they refuse keeps its previous answer (the file stays one that `drafter check` reads)."""
        previous = commission.values[section.key]
        for _ in range(3):
            values = {**commission.values, section.key: data.values}
            mine = [p for p in self.problems(commission, values, complete=False) if p.path[:1] == (section.key,)]
            if not mine:
                return
            for problem in mine:
                data.errors.setdefault(forms.path_name(problem.path), forms._sentence(problem.message))
                key = problem.path[1] if len(problem.path) > 1 else None
                if key in data.values:
                    data.values[key] = previous.get(key)
        data.values = dict(previous)  # the section as it was: nothing better can be saved

    def problems(self, commission: Commission, values: dict, complete: bool) -> list[Problem]:
        """What drafter.validate says about these answers (as a draft, or as finished)."""
        data = {"kind": commission.questionnaire.kind, "schema_version": commission.questionnaire.schema_version,
                **commission.meta(), **values, "complete": complete}
        return validate(data, commission.questionnaire)[1]

    # -- review, waivers, finishing ----------------------------------------------------------
    def review_page(self, commission: Commission, status: int = 200, messages: list[str] | None = None) -> Response:
        from drafter import api

        values = commission.values
        problems = self.problems(commission, values, complete=True)
        findings = [] if problems else api.check({**commission.raw.data, "complete": True})
        return self.page(
            "review.html", status=status, title=f"Gennemse – {commission.title}", commission=commission,
            sections=commission.questionnaire.sections, values=values,
            problems=[(self.field_link(commission, p.path), self.field_label(commission, p.path), p.message)
                      for p in problems],
            findings=[(self.field_link(commission, f.path), f) for f in findings],
            blocking=bool(problems) or any(f.is_error() for f in findings),
            waivers=[w for w in (commission.raw.data.get(WAIVER_KEY) or []) if isinstance(w, dict)],
            messages=messages or [],
            layout=self.layout_rows(commission),
        )

    @staticmethod
    def layout_rows(commission: Commission) -> dict | None:
        """The commission's own title, headings and order, for the review's optional step."""
        from drafter.body import Layout

        if not commission.questionnaire.uses_body:
            return None
        layout = Layout(commission.questionnaire, commission.raw.data)
        sections = commission.questionnaire.body_sections(layout.orden)
        return {"titel": layout.titel or "", "given": bool(layout.titel or layout.overskrifter or layout.orden), "sections": [
            (s.key, s.title, layout.overskrifter.get(s.key, ""), place) for place, s in enumerate(sections, 1)
        ]}

    def change_layout(self, commission: Commission, request: Request) -> Response:
        """The review's optional step: the commission's title, headings and order of sections."""
        from drafter.validate import layout_problems
        from drafter.yamlread import LAYOUT_KEYS

        if request.value("version") != commission.version:
            return self.review_after(commission, HTTPStatus.CONFLICT, [
                "Svarfilen er ændret et andet sted, efter siden blev åbnet; intet er gemt. Se siden igen."])
        rows = (self.layout_rows(commission) or {}).get("sections", [])
        places = {}
        for key, _, _, place in rows:
            typed = request.value(f"plads-{key}").strip()
            places[key] = int(typed) if typed.isascii() and typed.isdigit() else place
        ordered = [key for key, *_ in sorted(rows, key=lambda row: (places[row[0]], row[3]))]
        kind_order = [s.key for s in commission.questionnaire.body_sections()]
        headings = {key: " ".join(request.value(f"overskrift-{key}").split()) for key, *_ in rows}
        given = {
            "titel": " ".join(request.value("titel").split()),
            "overskrifter": {k: v for k, v in headings.items() if v},
            "orden": ordered if ordered != kind_order else [],
        }
        meta = {k: v for k, v in commission.meta().items() if k not in LAYOUT_KEYS}
        meta.update({k: v for k, v in given.items() if v})
        problems = layout_problems(meta, commission.questionnaire)
        if problems:
            return self.review_after(commission, HTTPStatus.UNPROCESSABLE_ENTITY,
                                     [f"{forms.path_name(p.path)}: {p.message}" for p in problems])
        try:
            self.save(commission, commission.values, commission.complete, meta)
        except DrafterError as exc:
            return self.review_after(commission, HTTPStatus.CONFLICT, self.words(exc))
        return Response.redirect(f"/k/{commission.slug}/gennemse#opsaetning")

    def field_label(self, commission: Commission, path: tuple) -> str:
        section = commission.questionnaire.section(str(path[0])) if path else None
        return self.label_for(section, forms.path_name(path)) if section is not None else forms.path_name(path)

    @staticmethod
    def field_link(commission: Commission, path: tuple) -> str:
        if not path or commission.questionnaire.section(str(path[0])) is None:
            return "#undtagelser"
        return f"/k/{commission.slug}/afsnit/{path[0]}#{forms.dom_id(forms.path_name(path))}"

    def review_after(self, commission: Commission, status: int, messages: list[str]) -> Response:
        return self.after(commission, "gennemse", f"/k/{commission.slug}/gennemse", status=status, messages=messages)

    def change_waiver(self, commission: Commission, request: Request) -> Response:
        from drafter.rules import MIN_REASON_WORDS, RULES_BY_ID

        if request.value("version") != commission.version:
            return self.review_after(commission, HTTPStatus.CONFLICT, [
                "Svarfilen er ændret et andet sted, efter siden blev åbnet; intet er gemt. Se siden igen."])
        waivers = [w for w in (commission.raw.data.get(WAIVER_KEY) or []) if isinstance(w, dict)]
        rule_id = request.value("regel").strip()
        if request.value("handling") == "fjern":
            waivers = [w for w in waivers if w.get("regel") != rule_id]
        else:
            reason = " ".join(request.value("begrundelse").split())
            if rule_id not in RULES_BY_ID:
                return self.review_after(commission, HTTPStatus.UNPROCESSABLE_ENTITY, ["Ukendt regel."])
            if len(reason.split()) < MIN_REASON_WORDS:
                return self.review_after(commission, HTTPStatus.UNPROCESSABLE_ENTITY, [
                    f"En regel kan kun undtages med en skrevet begrundelse på mindst {MIN_REASON_WORDS} ord."])
            waivers = [w for w in waivers if w.get("regel") != rule_id] + [{"regel": rule_id, "begrundelse": reason}]
        meta = {**commission.meta(), WAIVER_KEY: waivers}
        try:
            self.save(commission, commission.values, commission.complete, meta)
        except DrafterError as exc:
            return self.review_after(commission, HTTPStatus.CONFLICT, self.words(exc))
        return Response.redirect(f"/k/{commission.slug}/gennemse#undtagelser")

    def finish(self, commission: Commission, request: Request) -> Response:
        if request.value("version") != commission.version:
            return self.review_after(commission, HTTPStatus.CONFLICT, [
                "Svarfilen er ændret et andet sted, efter siden blev åbnet; intet er gemt. Se siden igen."])
        values = commission.values
        if self.problems(commission, values, complete=True):
            return self.review_after(commission, HTTPStatus.UNPROCESSABLE_ENTITY,
                                     ["Der mangler stadig svar; se listen herunder."])
        try:
            self.save(commission, values, complete=True)
        except DrafterError as exc:
            return self.review_after(commission, HTTPStatus.CONFLICT, self.words(exc))
        return self.render(self.open(commission.slug))

    def words(self, exc: DrafterError) -> list[str]:
        return [browser_words(line, self.workspace) for line in exc.lines()]

    def document_after(self, commission: Commission, status: int = 200, problems: list[str] | None = None,
                       messages: list[str] | None = None) -> Response:
        return self.after(commission, "dokument", f"/k/{commission.slug}/dokument", status=status,
                          problems=problems or [], messages=messages or [])

    def render(self, commission: Commission, force: bool = False) -> Response:
        from drafter import api

        output = self.output_path(commission.slug, "docx")
        before = _bounded_bytes(output)
        try:
            api.render(api.load(commission.path), output, force=force)
        except DrafterError as exc:
            return self.document_after(commission, HTTPStatus.UNPROCESSABLE_ENTITY, self.words(exc))
        unchanged = before is not None and _bounded_bytes(output) == before
        note = "Word-dokumentet var allerede opdateret." if unchanged else "Word-dokumentet er lavet."
        return self.document_after(commission, messages=[note])

    def document_state(self, commission: Commission) -> str:
        """The Word document's state as `drafter status` tells it (current, outdated, edited...)."""
        from drafter import status

        docx = self.output_path(commission.slug, "docx")
        if docx.is_symlink():
            return status.DOC_FOREIGN
        if not docx.is_file():  # nothing there, or a FIFO or device (never opened)
            return status.DOC_FOREIGN if docx.exists() else status.DOC_MISSING
        return status.commission_status(commission.path, docx)["document_state"]

    def document_page(self, commission: Commission, status: int = 200, problems: list[str] | None = None,
                      messages: list[str] | None = None) -> Response:
        from drafter import status as doc_status
        from drafter.pdf import PDFTOPPM_ENV, find_program, find_soffice

        files = {s: self.output_path(commission.slug, s) for s in DOWNLOADS}
        present = {s: p.is_file() and not p.is_symlink() for s, p in files.items()}
        docx_time = files["docx"].stat().st_mtime if present["docx"] else 0
        current = {s: present[s] and files[s].stat().st_mtime >= docx_time for s in ("pdf", "png")}
        state = self.document_state(commission) if present["docx"] else doc_status.DOC_MISSING
        job = self.jobs.get(commission.slug)
        problems = list(problems or [])
        messages = list(messages or [])
        if job is not None and job.state != RUNNING and not job.seen:
            job.seen = True
            problems += job.problems
            messages += job.messages
        edits = self.word_edits(commission) if state == doc_status.DOC_EDITED and commission.complete else None
        return self.page(
            "document.html", status=status, title=f"Dokument – {commission.title}", commission=commission,
            present=present, current=current, problems=problems, messages=messages,
            has_soffice=find_soffice() is not None,
            has_pdftoppm=find_program(PDFTOPPM_ENV, "pdftoppm") is not None,
            docx_name=files["docx"].name, state=state, edits=edits,
            working=job is not None and job.state == RUNNING,
        )

    def word_edits(self, commission: Commission) -> list[tuple[str, str, str]] | None:
        """The chair's edits in the Word document, as `drafter import` lists them; None if unreadable."""
        from drafter import api, docimport
        from drafter.changes import label, shown

        try:
            result = docimport.read_chair_edits(self.output_path(commission.slug, "docx"), api.load(commission.path))
        except (DrafterError, OSError, UnsafeFile, ValueError):
            return None
        edits = [(label(c.question), shown(c.question, c.old), shown(c.question, c.new)) for c in result.changes]
        edits += [(label(c.question), shown(c.question, c.mine), shown(c.question, c.theirs) + " (ændret begge steder)")
                  for c in result.conflicts]
        return edits

    def document_action(self, commission: Commission, request: Request) -> Response:
        action = request.value("handling")
        if action == "word":
            return self.render(commission)
        if action == "overskriv":
            if request.value("bekraeft") != "ja":
                return self.document_after(commission, HTTPStatus.UNPROCESSABLE_ENTITY, [
                    "Sæt kryds ved, at rettelserne i Word-dokumentet må overskrives, og prøv igen."])
            return self.render(commission, force=True)
        if action == "importer":
            return self.import_edits(commission)
        if action == "pdf":
            return self.make_pdf(commission)
        return self.document_after(commission)

    def import_edits(self, commission: Commission) -> Response:
        from drafter import api, docimport

        docx = self.output_path(commission.slug, "docx")
        try:
            answers = api.load(commission.path)
            result = docimport.read_chair_edits(docx, answers)
            if result.conflicts or not result.has_base:
                # The terminal asks answer by answer; a button cannot: nothing is guessed.
                return self.document_after(commission, HTTPStatus.CONFLICT, [
                    "Nogle svar er ændret både i Word-dokumentet og i svarene, siden dokumentet blev lavet (eller "
                    "dokumentet er lavet af en ældre drafter). Ret svarene selv i formularen ud fra listen herunder; "
                    "intet er skrevet."])
            if not result.changes:
                return self.document_after(commission, messages=["Der er ingen ændrede svar i Word-dokumentet."])
            values = docimport.with_changes(answers.values, [(c.path, c.new) for c in result.changes])
            imported = docimport.save_import(commission.path, answers, values, docx, self.workspace.out_dir)
        except DrafterError as exc:
            return self.document_after(commission, HTTPStatus.UNPROCESSABLE_ENTITY, self.words(exc))
        messages = [f"{len(result.changes)} svar fra Word-dokumentet er skrevet i svarfilen, og dokumentet er lavet igen."]
        if imported.backup is not None:
            messages.append(f"Det rettede Word-dokument er gemt som en kopi: {Path(imported.backup).name}.")
        return self.document_after(self.open(commission.slug), messages=messages)

    def make_pdf(self, commission: Commission) -> Response:
        """Start the PDF and preview as a job (drafter/web/jobs.py) and show the page at once."""
        output = self.output_path(commission.slug, "docx")
        if not output.is_file():
            return self.document_after(commission, HTTPStatus.CONFLICT, ["Lav Word-dokumentet først."])
        path = commission.path
        workspace = self.workspace

        def work(job: Job) -> tuple[list[str], list[str]]:
            from drafter.batch import UNCHANGED, Outcome
            from drafter.pdf import add_pdfs

            outcome = Outcome(path, output, UNCHANGED)
            missing = add_pdfs([outcome], preview=True, progress=job.progress)
            job.progress(1, 1)
            problems = [browser_words(p, workspace) for p in [*outcome.pdf_problems, *missing]]
            return ([] if problems else ["PDF og forhåndsvisning er lavet."]), problems

        self.jobs.start(commission.slug, work)
        return Response.redirect(f"/k/{commission.slug}/dokument")

    def download(self, commission: Commission, name: str) -> Response:
        stem, _, suffix = name.rpartition(".")
        if stem != commission.slug or suffix not in DOWNLOADS:
            return self.not_found()
        path = self.output_path(commission.slug, suffix)
        if path.is_symlink() or not path.is_file() or path.resolve().parent != self.workspace.out_dir.resolve():
            return self.not_found()
        disposition = "inline" if suffix == "png" else f'attachment; filename="{path.name}"'
        body = _bounded_bytes(path)
        if body is None:
            return self.not_found()
        return Response(200, body, DOWNLOADS[suffix], {"Content-Disposition": disposition})


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


def _would_lose_message(commission: Commission, lost: list[str]) -> str:
    shown = ", ".join(lost[:5]) + (f" og {len(lost) - 5} mere" if len(lost) > 5 else "")
    return (
        f"Svarfilen {commission.path.name} har {shown}, som formularen ikke kan gemme; den gemmer derfor intet, "
        "så intet går tabt. Ret filen i en teksteditor (ret feltets navn, eller slet feltet), "
        "og genindlæs siden."
    )


def _bounded_bytes(path: Path) -> bytes | None:
    """A document's bytes to compare, or None: not a regular file of at most Word's limit."""
    if path.is_symlink():
        return None
    try:
        return read_regular_file(path, DOCX_MAX_BYTES)
    except (OSError, UnsafeFile):
        return None
