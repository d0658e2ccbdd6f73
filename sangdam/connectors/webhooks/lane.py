"""The door's lean lane: provider POSTs taken by the ASGI server without Django's request.

An acknowledgement is one insert, yet through Django it also paid the WSGI environ, the
request object, the request signals, the middleware chain and the response object: about
a third of the server's CPU per ack in ``bench/webhooks.py``'s profile. Here the event
loop reads the body, and one thread of the web server's pool (the same threads, with
their database connections, that serve Django) finds the channel and runs the door's own
:func:`~sangdam.connectors.webhooks.views.take`: verify, store with its task, answer.
Everything the door promises holds as through the view; only what a browser needs is
skipped (as ``core/machine_calls.py`` already skipped it).

Taken here: POSTs to ``/hooks/<kind>/<key>[/<subpath>]`` for connectors that declare
``lean_lane`` (they read only the headers and the raw body). Everything else, and every
call when Django would redirect it to HTTPS, goes to Django as before.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import close_old_connections
from django.http.request import split_domain_port, validate_host
from django.utils import translation

from sangdam.connectors.base import WebhookAnswer, WebhookConnector, WebhookRequest
from sangdam.connectors.registry import get_connector
from sangdam.connectors.webhooks.views import find, plain, take

log = logging.getLogger(__name__)

PREFIX = "/hooks/"
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    """The client hung up before its body was complete: nobody waits for an answer."""


def route(scope: dict[str, Any]) -> tuple[str, str, str] | None:
    """(kind, key, subpath) when the lean lane takes this call, else None."""
    if scope["method"] != "POST" or not scope["path"].startswith(PREFIX):
        return None
    kind, _, rest = scope["path"][len(PREFIX) :].partition("/")
    key, _, subpath = rest.partition("/")
    connector = get_connector(kind)
    if not key or not isinstance(connector, WebhookConnector) or not connector.lean_lane:
        return None
    if settings.SECURE_SSL_REDIRECT and not _secure(scope):
        return None  # Django's SecurityMiddleware answers with its redirect
    return kind, key, subpath


async def serve(
    scope: dict[str, Any],
    receive: Receive,
    send: Send,
    run_on_pool: Callable[[Callable[[], WebhookAnswer]], Awaitable[WebhookAnswer]],
    where: tuple[str, str, str],
) -> None:
    try:
        body = await _read_body(receive, settings.WEBHOOK_MAX_BODY_BYTES)
    except _Gone:
        return
    except _TooLarge:
        await _send(send, plain(413, "too large"))
        return
    # On the pool thread's own context, as Django's requests there (core/wsgibridge.py).
    call = functools.partial(_answer, scope, body, where)
    answer = await run_on_pool(call)
    await _send(send, answer)


def _answer(scope: dict[str, Any], body: bytes, where: tuple[str, str, str]) -> WebhookAnswer:
    """On a pool thread: what Django's view would answer."""
    kind, key, subpath = where
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin1").lower(), raw_value.decode("latin1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    host = headers.get("host", "")
    if not validate_host(split_domain_port(host)[0], _allowed_hosts()):
        return plain(400, "bad request")
    try:
        found = find(kind, key, subpath)
        if isinstance(found, WebhookAnswer):
            return found
        connector, channel = found
        query = scope.get("query_string", b"").decode("latin1")
        call = WebhookRequest(
            method="POST",
            url=f"{scope.get('scheme', 'http')}://{host}{scope['path']}"
            + (f"?{query}" if query else ""),
            headers=headers,
            query=dict(parse_qsl(query)),
            body=body,
            subpath=subpath,
        )
        if translation.get_language() == settings.LANGUAGE_CODE:
            return take(connector, channel, call)
        # The site's language, not what a browser's request left on this thread.
        with translation.override(settings.LANGUAGE_CODE):
            return take(connector, channel, call)
    except Exception:
        log.exception("webhook %s/%s failed", kind, key)
        return plain(500, "server error")
    finally:
        # What Django's request_finished does: this thread's connection goes back to the
        # pool (PostgreSQL) or is closed when broken or past its age.
        close_old_connections()


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send(send: Send, answer: WebhookAnswer) -> None:
    headers = [
        (b"content-type", answer.content_type.encode("latin1")),
        (b"content-length", str(len(answer.body)).encode()),
    ]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


def _allowed_hosts() -> list[str]:
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # as Django's HttpRequest.get_host
    return allowed


def _secure(scope: dict[str, Any]) -> bool:
    if scope.get("scheme") == "https":
        return True
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if not proxy:
        return False
    name = proxy[0].removeprefix("HTTP_").lower().replace("_", "-").encode("latin1")
    return any(n == name and v.decode("latin1") == proxy[1] for n, v in scope["headers"])
