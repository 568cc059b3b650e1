"""Start `drafter serve`: bind, say where, open the browser, stop cleanly on Ctrl-C."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from drafter.errors import UsageError

DEFAULT_PORT = 8470
PORT_TRIES = 20
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def make_server(root: Path, host: str = "127.0.0.1", port: int = 0, tries: int = 1, token: str | None = None):
    """A bound (not yet serving) server for the workspace at *root*, and its guard."""
    from drafter.web.app import WebApp, Workspace
    from drafter.web.server import bind

    holder: dict = {}

    def app(request):
        return holder["app"](request)

    def error_page(status, message):
        return holder["app"].error_page(status, message)

    server, guard = bind(app, error_page, host, port, tries=tries, token=token)
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
    try:  # from here on, Ctrl-C is the way to stop, wherever it comes
        print(f"drafter serve: kommissorierne i {Path(root).resolve()}", flush=True)
        print(f"Åbn {url}", flush=True)
        print("Stop serveren med Ctrl-C.", flush=True)
        if open_browser:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print("\ndrafter serve er stoppet.", flush=True)
    return 0
