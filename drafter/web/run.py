"""Start `drafter serve`: bind, say where, open the browser, stop cleanly on Ctrl-C.

The browser is opened on a small private HTML file that redirects to the address with the
token (as notebook servers do): a browser started with the token URL as an argument shows
it to every local user in the process list. The file is readable by its owner only, in a
folder of its own, and removed when the server stops.
"""

from __future__ import annotations

import html
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from drafter.errors import UsageError

DEFAULT_PORT = 8470
PORT_TRIES = 20
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def make_server(root: Path, host: str = "127.0.0.1", port: int = 0, tries: int = 1, token: str | None = None):
    """A bound (not yet serving) server for the workspace at *root*, and its guard."""
    from drafter import api
    from drafter.errors import DrafterError
    from drafter.web.app import WebApp, Workspace
    from drafter.web.commission import workspace_file_broken, workspace_file_refused
    from drafter.web.server import bind

    holder: dict = {}

    def app(request):
        api.read_afresh_if_changed()  # drafter.yaml or a kind edited meanwhile: this page follows it
        try:
            return holder["app"](request)
        except DrafterError as exc:  # such a file edited into a broken one: said on the page, read again on the next
            if workspace_file_broken(exc):
                raise workspace_file_refused(exc, holder["app"].workspace) from None
            raise

    def error_page(status, message):
        return holder["app"].error_page(status, message)

    server, guard = bind(app, error_page, host, port, tries=tries, token=token, place=str(Path(root).resolve()))
    holder["app"] = WebApp(Workspace.at(root), guard.csrf)
    server.app = holder["app"]
    return server, guard


def serve(root: Path, host: str = "127.0.0.1", port: int | None = None, open_browser: bool = True) -> int:
    if host not in LOCAL_HOSTS:
        print(
            f"Advarsel: serveren lytter på {host}, så andre maskiner på netværket kan nå den. "
            "Alle, der kender adressen med nøglen, kan læse og ændre svarfilerne. Forbindelsen er ikke krypteret.",
            file=sys.stderr,
        )
    wanted = DEFAULT_PORT if port is None else port
    try:
        server, guard = make_server(root, host, wanted, tries=PORT_TRIES if port is None else 1)
    except OSError as exc:
        raise UsageError(f"drafter serve kan ikke lytte på {host}:{wanted} ({exc.strerror or exc}); "
                         "vælg en anden port med --port") from None
    shown_host = "127.0.0.1" if host in ("127.0.0.1", "localhost") else (f"[{host}]" if ":" in host else host)
    url = f"http://{shown_host}:{guard.port}/?token={guard.token}"
    launcher = None
    try:  # from here on, Ctrl-C is the way to stop, wherever it comes
        print(f"drafter serve: kommissorierne i {Path(root).resolve()}", flush=True)
        print(f"Åbn {url}", flush=True)
        print("Stop serveren med Ctrl-C.", flush=True)
        if open_browser:
            launcher = launch_file(url)
            threading.Thread(target=_open_browser, args=(launcher,), daemon=True).start()
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop(server)
        if launcher is not None:
            shutil.rmtree(launcher.parent, ignore_errors=True)
    print("\ndrafter serve er stoppet.", flush=True)
    return 0


def stop(server) -> None:
    """The clean way out: running jobs (LibreOffice) stopped and cleaned up, then the socket closed.
    A second Ctrl-C meanwhile is ignored, so the clean-up is not cut short."""
    import signal

    if threading.current_thread() is threading.main_thread():
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                try:
                    signal.signal(getattr(signal, name), signal.SIG_IGN)
                except (OSError, ValueError):
                    pass
    app = getattr(server, "app", None)
    if app is not None:
        app.jobs.cancel_all()
    server.server_close()


def launch_file(url: str) -> Path:
    """A user-only HTML file that sends the browser on to *url* (which holds the token)."""
    folder = Path(tempfile.mkdtemp(prefix="drafter-serve-"))  # 0700: this user's only
    path = folder / "aabn-drafter.html"
    shown = html.escape(url, quote=True)
    text = (
        '<!doctype html><html lang="da"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0;url={shown}"><title>drafter</title></head>'
        f'<body><p><a href="{shown}">Åbn drafter</a></p></body></html>\n'
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def _open_browser(launcher: Path) -> None:
    import webbrowser

    try:
        webbrowser.open(launcher.as_uri())
    except Exception:  # noqa: BLE001 - no browser: the address is in the terminal
        pass
