"""A running `drafter serve` (in a thread of the test process) and a tiny HTTP client."""

from __future__ import annotations

import http.client
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from conftest import ANSWERS_DIR


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class LiveServer:
    def __init__(self, root: Path, copy_examples: bool = True):
        from drafter.web.run import make_server

        if copy_examples and not (root / "answers").exists():
            shutil.copytree(ANSWERS_DIR, root / "answers")
            shutil.copy(ANSWERS_DIR.parent / "drafter.yaml", root / "drafter.yaml")  # the examples' workspace
        self.root = root
        self.server, self.guard = make_server(root, "127.0.0.1", 0)
        self.port = self.guard.port
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def token(self) -> str:
        return self.guard.token

    @property
    def csrf(self) -> str:
        return self.guard.csrf

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def request(self, method: str, path: str, form: dict | list | None = None, headers: dict | None = None,
                token: bool = True, body: bytes | None = None) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if token:
            sent["Cookie"] = f"{self.guard.cookie}={self.token}"
        if form is not None:
            body = urlencode(form, doseq=True).encode("utf-8")
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            conn.close()

    def get(self, path: str, **kw) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, form: dict | list, csrf: bool = True, **kw) -> Reply:
        if csrf:
            form = ([("csrf", self.csrf)] + list(form)) if isinstance(form, list) else {"csrf": self.csrf, **form}
        return self.request("POST", path, form=form, **kw)

    def submit(self, path: str, form: dict | list, **kw) -> Reply:
        """A button's POST and the page it redirects to (every button redirects: POST–redirect–GET)."""
        reply = self.post(path, form, **kw)
        assert reply.status == 303, (reply.status, reply.text[:500])
        return self.get(reply.headers["location"])

    def version(self, path: str) -> str:
        return self.page_state(path)[1]

    def page_state(self, path: str) -> tuple[str, str, str | None]:
        """(the page, its version, its base): what a section page's autosave sends back (a page
        without a base, the review say, gives None for it)."""
        page = self.get(path).text
        version = re.search(r'name="version" value="([0-9a-f]+)"', page).group(1)
        base = re.search(r'name="base" value="([^"]*)"', page)
        return page, version, base.group(1) if base else None
