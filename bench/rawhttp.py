"""A cheap HTTP/1.1 load client: keep-alive connections on one asyncio loop.

httpx from a pool of threads cost the bench ~0.8 ms of CPU per request, as much as the
server's acknowledgement itself: on a 2-core machine the senders, not the server, set the
ceiling. Here every request's bytes are made before the clock starts, and sending one is
writing them and reading the answer's head and body back, so the server gets the machine.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

# (i, began, seconds, status or None when the connection failed, body or the error's name)
Record = Callable[[int, float, float, int | None, bytes], None]


def post_all(
    url: str,
    calls: Sequence[tuple[bytes, dict[str, str]]],
    concurrency: int,
    record: Record,
    rate: float = 0.0,
) -> float:
    """POST each (body, headers) of ``calls`` over ``concurrency`` connections, at
    ``rate`` per second if given; returns the seconds it took."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    start_line = f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
    requests = [
        (
            start_line
            + f"Content-Length: {len(body)}\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            + "\r\n"
        ).encode()
        + body
        for body, headers in calls
    ]

    async def sender(indexes: object, start: float) -> None:
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        for i in indexes:  # type: ignore[attr-defined]
            if rate:
                await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            began = time.perf_counter()
            status: int | None = None
            content = b""
            for attempt in (0, 1):
                try:
                    if conn is None:
                        conn = await asyncio.open_connection(host, port)
                    status, content, closing = await _exchange(*conn, requests[i])
                    if closing:
                        conn[1].close()
                        conn = None
                    break
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    # A kept-alive connection the server closed meanwhile: once more on a new
                    # one (the door dedupes a repeat, as it does a provider's retry).
                    if conn is not None:
                        conn[1].close()
                    conn = None
                    content = type(exc).__name__.encode()
                    if attempt:
                        status = None
            record(i, began, time.perf_counter() - began, status, content)
        if conn is not None:
            conn[1].close()

    async def main() -> float:
        indexes = iter(range(len(requests)))
        start = time.perf_counter() + 0.05
        await asyncio.gather(*(sender(indexes, start) for _ in range(concurrency)))
        return time.perf_counter() - start

    return asyncio.run(main())


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes, bool]:
    """One request on a kept-alive connection: status, body, whether the server closes it."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, chunked, closing = 0, False, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            closing = b"close" in value.lower()
    if chunked:
        content = b""
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            content += (await reader.readexactly(size + 2))[:-2]
        await reader.readuntil(b"\r\n")
    else:
        content = await reader.readexactly(length) if length else b""
    return status, content, closing
