"""A small OAuth2 authorization server on 127.0.0.1:10180, in the provider's formats.

``POST /token`` answers the refresh-token and client-credentials grants (RFC 6749) with
JSON; ``POST /introspect`` answers token introspection (RFC 7662), which the test
Dovecot (.ci/dovecot.sh) asks before it accepts an XOAUTH2 login.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

PORT = int(os.environ.get("SANGDAM_OAUTH2_PORT", "10180"))
CLIENT_ID = "sangdam-test-client"
CLIENT_SECRET = "client-secret-9d2f"
USERNAME = "support@example.com"


@dataclass
class AuthServer:
    refresh_tokens: set[str] = field(default_factory=lambda: {"refresh-1"})
    access_tokens: set[str] = field(default_factory=set)
    grants: list[str] = field(default_factory=list)
    _seq: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{PORT}/token"

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        grant = form.get("grant_type", "")
        self.grants.append(grant)
        if form.get("client_id") != CLIENT_ID:
            return 401, {"error": "invalid_client"}
        refreshing = grant == "refresh_token" and form.get("refresh_token") in self.refresh_tokens
        as_app = grant == "client_credentials" and form.get("client_secret") == CLIENT_SECRET
        if not (refreshing or as_app):
            return 400, {"error": "invalid_grant", "error_description": "token revoked"}
        access = f"access-{next(self._seq)}"
        self.access_tokens.add(access)
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 3600}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        auth = self.server.auth
        if self.path == "/token":
            status, body = auth.token(form)
        elif self.path == "/introspect":
            active = form.get("token") in auth.access_tokens
            status, body = 200, {"active": active, "username": USERNAME if active else ""}
        else:
            status, body = 404, {"error": "not_found"}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    auth: AuthServer


@contextmanager
def auth_server(wait: float = 30) -> Iterator[AuthServer]:
    """Serve on the fixed port Dovecot asks (waiting while another test run holds it)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            server = _Server(("127.0.0.1", PORT), _Handler)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    server.auth = AuthServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.auth
    finally:
        server.shutdown()
        server.server_close()
