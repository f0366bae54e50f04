"""A real webhook receiver on 127.0.0.1 for the alert tests, and the `[[watch]]` TOML that
points a watch at it: any test (e.g. one that runs `serve`) can add a watch to its config with
`watch_toml(...)` and assert on `hook.posts`.

    with WebhookServer() as hook:
        config.write_text(base + watch_toml("nickel", hook.url, companies=["Halmera"]))
        ...
        assert len(hook.posts) == 1 and "Halmera" in hook.posts[0]["message"]
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class WebhookServer:
    """Records every POST body (JSON-decoded when it is JSON) in `posts`; answers 200, or 503
    while `failing` is set. `url` is the Apprise URL of its /hook path (json://…)."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.failing = False
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if owner.failing:
                    self.send_response(503)
                    self.end_headers()
                    return
                try:
                    owner.posts.append(json.loads(body))
                except ValueError:
                    owner.posts.append({"raw": body.decode("utf-8", "replace")})
                owner.paths.append(self.path)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"json://127.0.0.1:{self.port}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def dead_url() -> str:
    """An Apprise URL where nothing listens (a port just closed): every delivery fails."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"json://127.0.0.1:{port}/hook"


def watch_toml(name: str, notify: str | list[str], **criteria: Any) -> str:
    """A `[[watch]]` table: criteria are companies, commodities, authorities, types (lists) and
    n_sources_threshold (int)."""
    return "\n[[watch]]\n" + "".join(
        f"{key} = {json.dumps(value)}\n"
        for key, value in {"name": name, "notify": notify, **criteria}.items()
    )
