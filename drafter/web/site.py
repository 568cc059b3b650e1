"""What every page of `drafter serve` shares: the templates, the static files, and the page
a button leaves for the page it redirects to (POST–redirect–GET)."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2

from drafter.web import form as forms
from drafter.web.commission import Commission, Workspace, command_of, not_found
from drafter.web.server import Request, Response
from drafter.yamlread import is_empty

PACKAGE = Path(__file__).resolve().parent
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
FLASH_KEPT = 200  # pages-after-a-button remembered (see Flash)
FLASH_CHARS = 20_000_000  # and the text they hold, at most


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


class Site:
    """The workspace, the templates and the flash of one server; every page class holds it."""

    def __init__(self, workspace: Workspace, csrf: str):
        self.workspace = workspace
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(PACKAGE / "templates")),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(csrf=csrf, dom_id=forms.dom_id, OTHER=forms.OTHER, OTHER_SUFFIX=forms.OTHER_SUFFIX,
                                shown_text=forms.shown_text, choice_state=forms.choice_state, is_empty=is_empty,
                                command_of=command_of)
        self.static = {p.name: p.read_bytes() for p in (PACKAGE / "static").iterdir() if p.suffix in STATIC_TYPES}
        self.flash = Flash()

    def page(self, template: str, status: int = 200, **context: Any) -> Response:
        html = self.env.get_template(template).render(**context)
        return Response(status, html.encode("utf-8"))

    def error_page(self, status: int, message: str) -> Response:
        return self.page("error.html", status=status, title="Fejl", message=message)

    def static_file(self, name: str) -> Response:
        if name not in self.static:
            raise not_found()
        return Response(200, self.static[name], STATIC_TYPES[Path(name).suffix], {"Cache-Control": "max-age=3600"})

    def after(self, commission: Commission | None, where: str, url: str, **state: Any) -> Response:
        """Redirect to *url*, with *state* for the page there (see Flash)."""
        key = self.flash.put(where=_place(commission, where),
                             version=commission.version if commission is not None else "", **state)
        joiner = "&" if "?" in url else "?"
        path, hash_mark, fragment = url.partition("#")
        return Response.redirect(f"{path}{joiner}{urlencode({'s': key})}{hash_mark}{fragment}")

    def flashed(self, request: Request, commission: Commission | str, where: str = "") -> dict:
        """The state a button left for this page, if it is for this page and the file is unchanged."""
        key = request.query.get("s", [""])[0]
        state = self.flash.get(key) if key else None
        if isinstance(commission, str):
            place, version = commission, ""
        else:
            place, version = _place(commission, where), commission.version
        if state is None or state.get("where") != place or state.get("version") != version:
            return {}
        return {k: v for k, v in state.items() if k not in ("where", "version")}


def _place(commission: Commission | None, where: str) -> str:
    return f"{commission.slug}/{where}" if commission is not None else where


STALE = "Svarfilen er ændret et andet sted, efter siden blev åbnet; intet er gemt. Se siden igen."
