"""Calls to the server's ASGI application (config/asgi.py) as uvicorn makes them."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator

Answer = tuple[int, dict[bytes, bytes], bytes, int]


def request(
    method: str,
    path: str,
    *,
    headers: list[tuple[bytes, bytes]] | None = None,
    body: bytes = b"",
    chunk: int = 65536,
    hang_up_after: int | None = None,
    host: bytes = b"testserver",
) -> Answer | None:
    """One request as uvicorn hands it to the app; the body in ``chunk``-sized pieces.

    Returns status, headers, body and how many body messages carried it; None when the
    client hung up (after ``hang_up_after`` pieces) and the app answered nothing.
    """
    from config.asgi import application

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", host), *(headers or [])],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def scenario() -> Answer | None:
        app = ApplicationCommunicator(application, scope)
        pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
        for n, piece in enumerate(pieces):
            if hang_up_after is not None and n == hang_up_after:
                await app.send_input({"type": "http.disconnect"})
                await app.wait(30)
                return None
            more = n < len(pieces) - 1
            await app.send_input({"type": "http.request", "body": piece, "more_body": more})
        start = await app.receive_output(30)
        content, messages = b"", 0
        while True:
            message = await app.receive_output(30)
            content += message.get("body", b"")
            messages += 1
            if not message.get("more_body", False):
                break
        return start["status"], dict(start["headers"]), content, messages

    return async_to_sync(scenario)()
