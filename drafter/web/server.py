"""The HTTP layer of `drafter serve`: a local server that only its owner can use.

The standard library's http.server is enough here (one person, one machine, a dozen
pages; see drafter/web/__init__.py for why no framework). What a framework would add
is done explicitly, since every piece of it is a safety decision:

- the server listens on 127.0.0.1 unless told otherwise;
- every request must carry the random token printed at start-up (in the URL once, then
  in an HttpOnly cookie), compared in constant time;
- the Host header must name this server (a DNS-rebinding page cannot borrow it);
- every POST must carry the CSRF token of this server and, when the browser says where
  it comes from (Origin, Sec-Fetch-Site), come from this server's own pages;
- request bodies are bounded, and a refused request's body is read (or the connection
  closed), so the browser's next request on that connection is not read from its middle;
- one change (POST) is handled at a time (one person, one set of files: no two saves
  interleave); pages (GET) are read beside it, from files that are only ever replaced
  whole, and long work (a PDF) runs outside any request (drafter/web/jobs.py);
- the cookie's name is this server's own (port and workspace): browsers send a cookie to
  every port of a host, so two servers on one PC must not share one name.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import http.server
import json
import os
import secrets
import socket
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Callable
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

MAX_BODY_BYTES = 4_000_000  # far above a full answer file (at most 1 MB) as a form
MAX_FORM_FIELDS = 5_000
REQUEST_TIMEOUT = 30  # seconds a client may take to send its request
COOKIE_PREFIX = "drafter_token_"
DRAIN_LIMIT = 1_000_000  # a refused body up to this size is read and dropped; a bigger one closes the connection


@dataclass
class Request:
    method: str
    path: str  # decoded path, without the query
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]
    wants_json: bool = False

    def value(self, name: str, default: str = "") -> str:
        values = self.form.get(name) or self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def redirect(cls, location: str) -> "Response":
        return cls(HTTPStatus.SEE_OTHER, b"", headers={"Location": location})

    @classmethod
    def json(cls, data: dict, status: int = 200) -> "Response":
        return cls(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")


class Refused(Exception):
    """A request that is not let through (no token, foreign origin, bad path...)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Guard:
    """The token, the CSRF token derived from it, and the host names this server answers to."""

    def __init__(self, host: str, port: int, token: str | None = None, place: str = ""):
        self.token = token or secrets.token_urlsafe(32)
        self.csrf = hmac.new(self.token.encode(), b"csrf", hashlib.sha256).hexdigest()
        self.port = port
        self.place = place
        # One name per server: port and workspace (a second server on another port, or a
        # restarted one for another folder, keeps its own cookie).
        self.cookie = COOKIE_PREFIX + hashlib.sha256(f"{port}\0{place}".encode()).hexdigest()[:12]
        names = {host, "127.0.0.1", "localhost", "[::1]"} if host in ("127.0.0.1", "localhost", "::1") else {host}
        self.hosts = {f"{name}:{port}" for name in names}

    def check_host(self, headers: dict[str, str]) -> None:
        if headers.get("host", "").lower() not in self.hosts:
            raise Refused(HTTPStatus.FORBIDDEN, "Adressen passer ikke til denne server.")

    def token_ok(self, given: str) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), self.token.encode())

    def check_post(self, request: Request) -> None:
        origin = request.headers.get("origin")
        if origin is not None and urlsplit(origin).netloc.lower() not in self.hosts:
            raise Refused(HTTPStatus.FORBIDDEN, "Formularen kom fra en anden side end drafter; den er afvist.")
        if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            raise Refused(HTTPStatus.FORBIDDEN, "Formularen kom fra en anden side end drafter; den er afvist.")
        given = request.form.get("csrf", [""])[0]
        if not hmac.compare_digest(given.encode(), self.csrf.encode()):
            raise Refused(
                HTTPStatus.FORBIDDEN,
                "Formularen mangler sit sikkerhedsfelt (eller det er forkert); genindlæs siden og prøv igen.",
            )


App = Callable[[Request], Response]
ErrorPage = Callable[[int, str], Response]


def parse_form(text: str) -> dict[str, list[str]]:
    """A form's fields from its urlencoded text, within drafter's limit; ValueError when it is none."""
    return parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, errors="strict")


def make_handler(app: App, guard: Guard, error_page: ErrorPage, lock: threading.Lock):
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "drafter"
        sys_version = ""
        timeout = REQUEST_TIMEOUT
        protocol_version = "HTTP/1.1"
        # Headers and body go out as two writes; with Nagle's algorithm the second waits
        # for the browser's delayed ACK (40 ms) on every page.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's name
            pass  # the terminal is for the person, not for a request log

        def do_GET(self) -> None:
            self._handle("GET")

        def do_HEAD(self) -> None:
            self._handle("HEAD")

        def do_POST(self) -> None:
            self._handle("POST")

        def _handle(self, method: str) -> None:
            try:
                response = self._respond(method)
            except Refused as exc:
                self._drain()
                response = self._refusal(exc, headers_of(self))
            except Exception as exc:  # the last line of defence: a page, never a dropped connection
                if os.environ.get("DRAFTER_DEBUG"):
                    raise
                print(f"drafter serve: intern fejl ({type(exc).__name__}: {exc})", file=sys.stderr)
                self._drain()
                response = error_page(
                    HTTPStatus.INTERNAL_SERVER_ERROR,
                    f"Der skete en intern fejl i drafter serve ({type(exc).__name__}). Genindlæs siden for at se, "
                    "hvad der er gemt, og meld fejlen til udviklerne (terminalen, hvor drafter serve kører, "
                    "viser den).",
                )
            self._send(response, head=method == "HEAD")

        def _refusal(self, exc: Refused, headers: dict[str, str]) -> Response:
            if "application/json" in headers.get("accept", ""):
                # Autosave tells "log in again" (403: no token, as after a restart) from "server gone".
                return Response.json({"saved": False, "refused": True, "login": exc.status == HTTPStatus.FORBIDDEN,
                                      "message": exc.message}, exc.status)
            return error_page(exc.status, exc.message)

        def _drain(self) -> None:
            """A refused request's body is read and dropped (the next request on this connection
            must not start in its middle); one too big to read closes the connection."""
            if getattr(self, "_body_read", True):
                return
            self._body_read = True
            if self.headers.get("transfer-encoding"):
                self.close_connection = True  # drafter reads no chunked bodies
                return
            try:
                length = int(self.headers.get("content-length", "0") or 0)
            except ValueError:
                length = -1
            if length == 0:
                return
            if 0 < length <= DRAIN_LIMIT:
                try:
                    self.rfile.read(length)
                    return
                except OSError:
                    pass
            self.close_connection = True

        def _respond(self, method: str) -> Response:
            self._body_read = method != "POST"
            headers = headers_of(self)
            guard.check_host(headers)
            parts = urlsplit(self.path)
            try:
                path = unquote(parts.path, errors="strict")
            except UnicodeDecodeError:
                raise Refused(HTTPStatus.NOT_FOUND, "Siden findes ikke.") from None
            query = parse_qs(parts.query, max_num_fields=50)
            given = query.get("token", [""])[0]
            if given:
                if not guard.token_ok(given):
                    raise Refused(HTTPStatus.FORBIDDEN, _NO_TOKEN)
                return _token_to_cookie(guard, parts.path, query)
            if not guard.token_ok(_cookie(headers.get("cookie", ""), guard.cookie)):
                raise Refused(HTTPStatus.FORBIDDEN, _NO_TOKEN)
            form: dict[str, list[str]] = {}
            if method == "POST":
                form = self._read_form(headers)
            request = Request(method if method != "HEAD" else "GET", path, query, form, headers,
                              wants_json="application/json" in headers.get("accept", ""))
            if method == "POST":
                guard.check_post(request)
                with lock:
                    return app(request)
            return app(request)

        def _read_form(self, headers: dict[str, str]) -> dict[str, list[str]]:
            try:
                length = int(headers.get("content-length", ""))
            except ValueError:
                raise Refused(HTTPStatus.LENGTH_REQUIRED, "Forespørgslen mangler sin længde.") from None
            if length < 0 or length > MAX_BODY_BYTES:
                self.close_connection = True
                raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Formularen er for stor.")
            kind = headers.get("content-type", "").split(";")[0].strip().lower()
            if kind != "application/x-www-form-urlencoded":
                self.close_connection = True
                raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Forespørgslen er ikke en formular.")
            body = self.rfile.read(length)
            self._body_read = True
            try:
                return parse_form(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise Refused(HTTPStatus.BAD_REQUEST, "Formularen kan ikke læses.") from None

        def _send(self, response: Response, head: bool = False) -> None:
            self.send_response(response.status)
            base = {"Content-Type": response.content_type, "Content-Length": str(len(response.body)),
                    **SAFETY_HEADERS}
            if self.close_connection:
                base["Connection"] = "close"
            for name, value in {**base, **response.headers}.items():
                self.send_header(name, value)
            self.end_headers()
            if not head:
                self.wfile.write(response.body)

    return Handler


SAFETY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make Chromium send "Origin: null"
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
}


def _token_to_cookie(guard: Guard, path: str, query: dict[str, list[str]]) -> Response:
    """The token moves into a cookie, and the address bar loses it. Not by a redirect: opened
    from elsewhere (the start-up file, a link in a mail), the redirect would still count as
    that site's navigation, which a SameSite=Strict cookie is not sent with. A page of this
    server that moves on is this site's own navigation."""
    rest = {k: v for k, v in query.items() if k != "token"}
    target = html.escape((path or "/") + ("?" + urlencode(rest, doseq=True) if rest else ""))
    page = (f'<!doctype html><html lang="da"><head><meta charset="utf-8"><meta http-equiv="refresh" '
            f'content="0;url={target}"><title>drafter</title></head><body><p><a href="{target}">'
            "Fortsæt til drafter</a></p></body></html>")
    response = Response(HTTPStatus.OK, page.encode("utf-8"))
    response.headers["Set-Cookie"] = f"{guard.cookie}={guard.token}; HttpOnly; SameSite=Strict; Path=/"
    return response


_NO_TOKEN = (
    "Adgang nægtet: åbn adressen med nøglen (token), som 'drafter serve' skrev i terminalen, "
    "da serveren startede."
)


def headers_of(handler) -> dict[str, str]:
    return {k.lower(): v for k, v in handler.headers.items()} if handler.headers is not None else {}


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 16

    def __init__(self, address: tuple[str, int], handler, ipv6: bool = False):
        if ipv6:
            self.address_family = socket.AF_INET6
        self.connections: set = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, handler)

    def get_request(self):
        connection, address = super().get_request()
        with self.connections_lock:
            self.connections.add(connection)
        return connection, address

    def shutdown_request(self, request) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Stopped means stopped: the browser's open (keep-alive) connections are closed too."""
        super().server_close()
        with self.connections_lock:
            open_now, self.connections = list(self.connections), set()
        for connection in open_now:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address) -> None:
        """A browser that drops a connection (a closed tab, a reload mid-page) is normal:
        nothing in the terminal. Anything else is one Danish line, never a traceback."""
        kind = sys.exc_info()[0]
        if kind is not None and issubclass(kind, (ConnectionError, TimeoutError, socket.timeout)):
            return
        if os.environ.get("DRAFTER_DEBUG"):
            super().handle_error(request, client_address)
            return
        print(f"drafter serve: en forbindelse fejlede ({kind.__name__ if kind else 'ukendt'})", file=sys.stderr)


def bind(app: App, error_page: ErrorPage, host: str, port: int, tries: int = 1, token: str | None = None,
         place: str = ""):
    """A listening server and its guard; the next ports are tried when *port* is taken."""
    ipv6 = ":" in host
    last: OSError | None = None
    for candidate in range(port, port + max(tries, 1)):
        guard = Guard(host if not ipv6 else f"[{host}]", candidate, token, place)
        lock = threading.Lock()
        try:
            server = Server((host, candidate), make_handler(app, guard, error_page, lock), ipv6)
        except OSError as exc:
            last = exc
            if port == 0:
                break
            continue
        actual = server.server_address[1]
        if actual != candidate:  # port 0: the system chose one
            guard = Guard(host if not ipv6 else f"[{host}]", actual, guard.token, place)
            server.RequestHandlerClass = make_handler(app, guard, error_page, lock)
        return server, guard
    assert last is not None
    raise last
