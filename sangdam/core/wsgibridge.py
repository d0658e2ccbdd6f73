"""Plain HTTP from the ASGI server to Django's WSGI handler with one hand-off each way.

a2wsgi's bridge runs the WSGI app on a thread and, from that thread, waits on the event
loop for every piece: each body chunk it reads, the response start, each response chunk
and the end (four or five round trips for a form POST, each a wake-up of the loop and of
the thread, and a GIL hand-over). Here the loop reads a small body itself (Content-Length up
to ``PRELOAD_BYTES``) before the thread starts, and a buffered response (every Django
response but ``StreamingHttpResponse`` and ``FileResponse``) comes back with the thread's
result, so a request crosses between loop and thread once each way.

Larger or chunked bodies are read as the view reads them (a2wsgi's ``Body``: Django's
upload limits still refuse a huge body early, and no thread waits on a slow client for a
small one); streaming responses are sent chunk by chunk from the thread, as a2wsgi does.

At most ``running`` requests run on the pool at once; the others wait their turn on the
loop. The pool keeps more threads than that for requests that wait on the network rather
than the interpreter (a body read as the view goes, a file streamed to a slow client: those
give their turn back or never take one). With every thread of a busy pool runnable, the
requests took turns on the interpreter lock every switch interval: on 2 cores, the app
API's inquiries with 16 runnable threads against 4 (bench/inapp.py, PostgreSQL, three
alternating pairs) 100-111 -> 112-121 inquiries/s, 9.5-10.4 -> 8.5-9.6 ms of CPU each,
p99 111-118 -> 89-103 ms.

A pool thread runs its requests in its own context, as a threaded WSGI server's thread
does, not in a copy of the loop's: Django keeps per-thread state in context-local storage
(asgiref's ``Local``), and in a fresh copy per request it made everything anew each time —
with Redis as the cache, a new connection pool and a new connection to Redis for every
rate-limited request. Django resets what belongs to one request (language, URLconf) itself.
"""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from a2wsgi.wsgi import Body, build_environ

PRELOAD_BYTES = 1024 * 1024

Message = dict[str, Any]
Send = Callable[[Message], Any]
Receive = Callable[[], Any]


class _Disconnected(Exception):
    """The client went away before its request body was complete."""


def _content_length(scope: dict[str, Any]) -> int | None:
    """The body's announced length: 0 when there is neither Content-Length nor
    Transfer-Encoding (a GET: HTTP/1.1 says no body then), None when unknown (chunked,
    which wins over a Content-Length as HTTP/1.1 says, or a length that is no number)."""
    headers = dict(scope.get("headers", ()))
    if b"transfer-encoding" in headers:
        return None
    value = headers.get(b"content-length")
    if value is None:
        return 0
    try:
        return int(value)
    except ValueError:
        return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class _Response:
    """What the app gave, gathered on the request's thread."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.written: list[bytes] = []  # through WSGI's legacy write() callable
        self.started = False

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info is not None and self.started:
            raise exc_info[1].with_traceback(exc_info[2])
        self.status = int(status.split(" ", 1)[0])
        self.headers = [
            (name.strip().lower().encode("latin1"), value.strip().encode("latin1"))
            for name, value in headers
        ]
        return self.written.append

    def start_message(self) -> Message:
        self.started = True
        return {"type": "http.response.start", "status": self.status, "headers": self.headers}


class _Turn:
    """One request's place among the ``running`` ones; given back once, from the loop."""

    def __init__(self, turns: asyncio.Semaphore) -> None:
        self._turns = turns
        self._held = True

    def give_back(self) -> None:
        if self._held:
            self._held = False
            self._turns.release()


class WSGIBridge:
    def __init__(
        self, app: Callable[..., Iterable[bytes]], threads: int, running: int | None = None
    ) -> None:
        self.app = app
        self.executor = ThreadPoolExecutor(thread_name_prefix="WSGI", max_workers=threads)
        self.running = max(1, min(running or threads, threads))
        self._turns: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    async def _take_turn(self, loop: asyncio.AbstractEventLoop) -> _Turn:
        if self._turns is None or self._turns[0] is not loop:
            self._turns = (loop, asyncio.Semaphore(self.running))
        turns = self._turns[1]
        await turns.acquire()
        return _Turn(turns)

    async def run_on_pool(self, call: Callable[[], Any]) -> Any:
        """``call()`` on a pool thread when a turn is free (the webhook lane's calls)."""
        loop = asyncio.get_running_loop()
        turn = await self._take_turn(loop)
        try:
            return await loop.run_in_executor(self.executor, call)
        finally:
            turn.give_back()

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        length = _content_length(scope)
        body: Any
        turn = None
        if length is not None and length <= PRELOAD_BYTES:
            try:
                body = io.BytesIO(await _read_body(receive) if length else b"")
            except _Disconnected:
                return  # nobody is waiting for an answer, and the request is incomplete
            turn = await self._take_turn(loop)
        else:
            body = Body(loop, receive)  # read as the view goes: it waits on the client
        try:
            environ: dict[str, Any] = build_environ(scope, body)  # type: ignore[arg-type,assignment]
            streaming = (lambda: loop.call_soon_threadsafe(turn.give_back)) if turn else None
            run = functools.partial(self._run, environ, loop, send, streaming)
            answer = await loop.run_in_executor(self.executor, run)
        finally:
            if turn is not None:
                turn.give_back()
        if answer is not None:
            start, content = answer
            await send(start)
            await send({"type": "http.response.body", "body": content})

    def _run(
        self,
        environ: dict[str, Any],
        loop: asyncio.AbstractEventLoop,
        send: Send,
        streaming: Callable[[], object] | None,
    ) -> tuple[Message, bytes] | None:
        """On a pool thread: the response to send, or None when it was streamed from here
        (``streaming`` is called first: the stream waits on the client, not the interpreter)."""
        response = _Response()
        iterable = self.app(environ, response.start_response)
        try:
            if isinstance(iterable, list) or getattr(iterable, "streaming", None) is False:
                content = b"".join([*response.written, *iterable])
                return response.start_message(), content

            def push(message: Message) -> None:
                asyncio.run_coroutine_threadsafe(send(message), loop).result()

            chunks = iter(iterable)
            first = next(chunks, b"")  # a generator may call start_response on its first step
            if streaming is not None:
                streaming()
            push(response.start_message())
            for chunk in [*response.written, first]:
                if chunk:
                    push({"type": "http.response.body", "body": chunk, "more_body": True})
            for chunk in chunks:
                if chunk:
                    push({"type": "http.response.body", "body": chunk, "more_body": True})
            push({"type": "http.response.body", "body": b""})
            return None
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()  # Django's request_finished: on this thread, whose connection it is
