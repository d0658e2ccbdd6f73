"""One rate limiter: fixed-window counters in Django's cache.

The cache is Redis in scaled mode, so every web process, worker and SMTP receiver counts
against the same number; embedded mode is one process with its local-memory cache.
``cache.add`` + ``cache.incr`` are atomic in both, so concurrent hits are never lost.

Keys are hashed (an email address or IP never becomes a cache key as it is), and the
window is aligned to the clock, so :func:`hit` can say when the window ends
(``Retry-After``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

# The clock windows are aligned to; tests hold it still so a window cannot end mid-test.
clock = time.time


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends (0 when allowed)

    def __bool__(self) -> bool:
        return self.allowed


def hit(scope: str, key: str, *, limit: int, window: int) -> Verdict:
    """Count one attempt of ``key`` in ``scope``; not allowed once past ``limit`` per window.

    ``limit`` <= 0 turns the limit off.
    """
    if limit <= 0:
        return Verdict(allowed=True, count=0, retry_after=0)
    now = clock()
    bucket = int(now // window)
    digest = hashlib.sha256(key.lower().encode()).hexdigest()[:32]
    name = f"rl:{scope}:{digest}:{bucket}"
    count = _count(name, timeout=window + 5)
    if count <= limit:
        return Verdict(allowed=True, count=count, retry_after=0)
    return Verdict(
        allowed=False, count=count, retry_after=max(1, int((bucket + 1) * window - now) + 1)
    )


# One EVALSHA per hit: one command and one reply (a MULTI/EXEC pipeline was four of each).
# The script, with its client, is kept on the connection pool it uses, so it lives as long
# as the pool (a cache made per call, as in a websocket consumer's thread, leaves nothing
# behind) and no new Redis client is made per hit as Django's get_client does.
_COUNT = "redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX') return redis.call('INCR', KEYS[1])"


def _count(name: str, *, timeout: int) -> int:
    """Add one to the counter ``name`` (made with ``timeout``) and return it."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache  # type: ignore[attr-defined]
        pool = client._get_connection_pool(write=True)
        script: Any = getattr(pool, "_sangdam_count", None)
        if script is None:
            script = pool._sangdam_count = client._client(connection_pool=pool).register_script(
                _COUNT
            )
        return int(script(keys=[backend.make_key(name)], args=[timeout]))
    backend.add(name, 0, timeout=timeout)
    try:
        return int(backend.incr(name))
    except ValueError:  # evicted between add and incr
        backend.set(name, 1, timeout=timeout)
        return 1


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy, the proxy must set REMOTE_ADDR (e.g. uvicorn --proxy-headers):
    # X-Forwarded-For from the client itself is not trusted here.
    return str(request.META.get("REMOTE_ADDR") or "unknown")
