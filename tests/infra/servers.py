"""Real HTTP servers on 127.0.0.1 for the infra tests, in a thread, stopped when the block exits.

No cluster, KFP or MLflow server can run here, so the tests serve the same JSON those servers
answer, and the code under test talks to them over real sockets with its real clients
(urllib, the ``kubernetes`` client, ``kfp.Client``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = tuple[int, Any]


@contextmanager
def http_server(handler: Callable[[str, str, bytes], Route]) -> Iterator[str]:
    """Serve ``handler(method, path, body) -> (status, body)``; a dict or list body is sent as JSON."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, body = handler(self.command, self.path, self.rfile.read(length) if length else b"")
            payload = json.dumps(body).encode() if isinstance(body, dict | list) else str(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if isinstance(body, dict | list) else "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def routes(table: dict[str, Route], default: Route = (404, {"kind": "Status", "code": 404})) -> Callable:
    """A handler answering GETs from a fixed table (path without query string)."""

    def handler(method: str, path: str, body: bytes) -> Route:
        return table.get(path.split("?", 1)[0], default) if method == "GET" else (405, "method not allowed")

    return handler
