"""A tiny local HTTP server that records what reached it (and may answer with a redirect)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    base_url: str = ""
    hosts: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


@contextmanager
def recording_server(host: str = "127.0.0.1", redirect_to: str = "") -> Iterator[Seen]:
    seen = Seen()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            seen.hosts.append(self.headers.get("Host", ""))
            seen.paths.append(self.path)
            if redirect_to:
                self.send_response(307)
                self.send_header("Location", redirect_to)
            else:
                self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    seen.base_url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()
