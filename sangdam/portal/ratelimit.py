"""Fixed-window counters in Django's cache (Redis when scaled, so all web processes share them)."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy, the proxy must set REMOTE_ADDR (e.g. uvicorn --proxy-headers):
    # X-Forwarded-For from the client itself is not trusted here.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def hit(scope: str, key: str, limit: int) -> bool:
    """Count one attempt; False when ``key`` already used up ``limit`` in this window."""
    if limit <= 0:
        return True
    window = settings.PORTAL_RATE_LIMIT_WINDOW
    bucket = int(time.time() // window)
    digest = hashlib.sha256(key.lower().encode()).hexdigest()[:32]
    name = f"portal:rl:{scope}:{digest}:{bucket}"
    cache.add(name, 0, timeout=window + 5)
    try:
        count = cache.incr(name)
    except ValueError:  # evicted between add and incr
        cache.set(name, 1, timeout=window + 5)
        count = 1
    return count <= limit
