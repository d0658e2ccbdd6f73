"""One web process of ``sangdam web --workers N``: serves the socket its supervisor opened.

Started by core/websupervisor.py as ``python -m sangdam.core.webworker FD``. It loads the
app as the single ``sangdam web`` process does (``config.asgi``, told by
``SANGDAM_WEB_WORKER`` to warm the language detector and freeze the loaded objects), and
uvicorn serves the inherited socket, stopping gracefully on SIGTERM or SIGINT.
"""

from __future__ import annotations

import os
import socket
import sys
from typing import Any

import uvicorn

# Both kinds of web process serve with these. No per-message compression on websockets:
# chat and console frames are small JSON, and each socket's zlib state (~40 KB) was a
# sixth of the embedded process's memory with a thousand chat widgets open.
UVICORN_OPTIONS: dict[str, Any] = {
    "lifespan": "off",
    "log_level": "warning",
    "ws": "websockets-sansio",
    "ws_per_message_deflate": False,
}


def serve(fd: int) -> None:
    os.environ["SANGDAM_WEB_WORKER"] = "1"
    config = uvicorn.Config("config.asgi:application", **UVICORN_OPTIONS)
    config.load()
    # The family is read from the socket itself (an IPv4 or IPv6 TCP socket).
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


if __name__ == "__main__":
    serve(int(sys.argv[1]))
