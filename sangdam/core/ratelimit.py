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
from collections.abc import Sequence
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
    return hit_many([(scope, key, limit)], window=window)[0]


def hit_many(hits: Sequence[tuple[str, str, int]], *, window: int) -> list[Verdict]:
    """``hit`` for several (scope, key, limit) at once: one Redis round trip for all."""
    now = clock()
    bucket = int(now // window)
    names = [
        f"rl:{scope}:{hashlib.sha256(key.lower().encode()).hexdigest()[:32]}:{bucket}"
        for scope, key, limit in hits
        if limit > 0
    ]
    counts = iter(_count(names, timeout=window + 5) if names else [])
    verdicts = []
    for _scope, _key, limit in hits:
        count = next(counts) if limit > 0 else 0
        if limit <= 0 or count <= limit:
            verdicts.append(Verdict(allowed=True, count=count, retry_after=0))
        else:
            retry = max(1, int((bucket + 1) * window - now) + 1)
            verdicts.append(Verdict(allowed=False, count=count, retry_after=retry))
    return verdicts


# One EVALSHA per call, for all its counters: one command and one reply (a MULTI/EXEC
# pipeline per hit was four of each). The script, with its client, is kept on the connection
# pool it uses, so it lives as long as the pool (a cache made per call, as in a websocket
# consumer's thread, leaves nothing behind) and no new Redis client is made per hit as
# Django's get_client does.
_COUNT = """
local counts = {}
for i = 1, #KEYS do
    redis.call('SET', KEYS[i], 0, 'EX', ARGV[1], 'NX')
    counts[i] = redis.call('INCR', KEYS[i])
end
return counts
"""


def _count(names: list[str], *, timeout: int) -> list[int]:
    """Add one to each counter of ``names`` (made with ``timeout``) and return them."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache  # type: ignore[attr-defined]
        pool = client._get_connection_pool(write=True)
        script: Any = getattr(pool, "_sangdam_count", None)
        if script is None:
            script = pool._sangdam_count = client._client(connection_pool=pool).register_script(
                _COUNT
            )
        keys = [backend.make_key(name) for name in names]
        return [int(count) for count in script(keys=keys, args=[timeout])]
    return [_count_here(backend, name, timeout) for name in names]


def _count_here(backend: Any, name: str, timeout: int) -> int:
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
