"""ASGI entry point: websockets through Channels, plain HTTP through Django's WSGI handler.

Every view is synchronous. Django's own ASGI handler runs each request in a new thread
and hops between the event loop and that thread several times (request signals,
middleware, view), and a new thread also means a new database connection. The peer
profile (docs/operations.md, "Sizing") put that at a quarter of the server's CPU per
inquiry. HTTP therefore goes to the WSGI handler on a fixed pool of ``HTTP_THREADS``
threads (core/wsgibridge.py): one hand-off each way per request, and each thread keeps
its connection.
"""

import asyncio
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

get_asgi_application()  # django.setup() as Channels expects before the routing import

from sangdam.connectors.livechat.routing import websocket_urlpatterns as chat_sockets  # noqa: E402
from sangdam.connectors.webhooks import lane  # noqa: E402
from sangdam.console.routing import websocket_urlpatterns  # noqa: E402
from sangdam.core import inflight, live  # noqa: E402
from sangdam.core.wsgibridge import WSGIBridge  # noqa: E402

HTTP_THREADS = int(os.environ.get("HTTP_THREADS", "16"))
# Requests running on those threads at once (the rest wait on the loop: core/wsgibridge.py).
HTTP_RUNNING = int(os.environ.get("HTTP_RUNNING", "4"))
_wsgi = WSGIBridge(get_wsgi_application(), threads=HTTP_THREADS, running=HTTP_RUNNING)


async def http(scope: dict, receive: object, send: object) -> None:
    if live.MAIN_LOOP is None:
        # Live pushes from the request threads go to this loop (it owns the channel layer's
        # connections) instead of starting an event loop of their own for every push.
        live.MAIN_LOOP = asyncio.get_running_loop()
    with inflight.serving():  # the embedded task worker gives way meanwhile
        hook = lane.route(scope)
        if hook is not None:
            # A provider's webhook POST: the door without Django's request cycle.
            await lane.serve(scope, receive, send, _wsgi.run_on_pool, hook)  # type: ignore[arg-type]
        else:
            await _wsgi(scope, receive, send)  # type: ignore[arg-type]


application = ProtocolTypeRouter(
    {
        "http": http,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter([*websocket_urlpatterns, *chat_sockets]))
        ),
    }
)

if os.environ.get("SANGDAM_WEB_WORKER") == "1":
    # A worker of `sangdam web --workers N` (its supervisor is a bare uvicorn): what
    # `sangdam web` does before serving in a single process.
    from sangdam.core.gc_tuning import freeze_loaded_objects
    from sangdam.core.warmup import warm_up

    warm_up()
    freeze_loaded_objects()
