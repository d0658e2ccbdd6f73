"""Local stand-ins for providers' APIs, for tests and for trying Sangdam out.

Each platform's ``connectors/<kind>/fake.py`` defines a :class:`FakeProvider` subclass that
answers its documented API and records every call; ``connectors/kinds.py`` registers its
import path with :func:`register_fake`. Tests start one directly; ``sangdam fake-providers``
starts every registered fake and points the demo channels of that kind at it
(``config["api_base"]``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qsl, urlsplit

from django.utils.module_loading import import_string


@dataclass
class Call:
    """One request a fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    query: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, tuple[str, bytes]]:
        """Fields of a multipart/form-data or urlencoded body: name -> (filename, bytes)."""
        content_type = self.headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            return {k: ("", v.encode()) for k, v in parse_qsl(self.body.decode())}
        if not content_type.startswith("multipart/form-data"):
            return {}
        parsed = BytesParser(policy=policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + self.body
        )
        fields: dict[str, tuple[str, bytes]] = {}
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields[name] = (part.get_filename() or "", payload)
        return fields


class FakeProvider:
    """A provider's API on 127.0.0.1 (port 0 = a free one), recording what it receives.

    Subclasses implement :meth:`answer`: (status, content type, body) for a call.
    """

    kind: ClassVar[str]

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Head and body leave in two writes: without this the body waits for the
            # client's delayed ACK of the head (~40 ms per call on Linux).
            disable_nagle_algorithm = True

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                call = Call(
                    method=self.command,
                    path=parts.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    query=dict(parse_qsl(parts.query)),
                )
                with fake.lock:
                    fake.calls.append(call)
                status, content_type, data = fake.answer(call)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def answer(self, call: Call) -> tuple[int, str, bytes]:
        raise NotImplementedError

    def calls_to(self, suffix: str) -> list[Call]:
        """Calls whose path ends with ``suffix`` (e.g. "/sendMessage")."""
        with self.lock:
            return [c for c in self.calls if c.path.endswith(suffix)]

    @staticmethod
    def json_answer(data: Any, status: int = 200) -> tuple[int, str, bytes]:
        return status, "application/json", json.dumps(data).encode()


_FAKES: dict[str, str] = {}


def register_fake(kind: str, factory: str) -> None:
    """Offer a fake for channels of ``kind`` (called from ``connectors/kinds.py``):
    ``factory`` is the dotted path of a callable that makes it, imported when asked for."""
    _FAKES[kind] = factory


def registered_fakes() -> dict[str, Callable[[], FakeProvider]]:
    return {kind: import_string(path) for kind, path in _FAKES.items()}
