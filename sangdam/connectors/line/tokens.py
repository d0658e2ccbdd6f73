"""Reply tokens: the last one each LINE user gave us, kept until it is used or too old.

A reply to a customer is free with a reply token and costs a push message without one.
LINE puts a token in each message, postback and follow event; it can be used once and
only for about a minute. The newest token of a (channel, user) waits here — in the cache,
so every worker sees it (Redis when scaled, the process's memory embedded) — until the
first reply claims it. Claiming deletes it, and only one of two concurrent claimers sees
its delete succeed, so a token is never used twice. A token that is lost (a restart, an
evicted key) only means that the reply is pushed instead.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.utils import timezone

from sangdam.connectors.line.api import REPLY_TOKEN_SECONDS


def _key(channel_id: int, user_id: str) -> str:
    return f"line:reply-token:{channel_id}:{user_id}"


def remember(*, channel_id: int, user_id: str, token: str, issued_at: dt.datetime) -> None:
    """Keep ``token`` as this user's newest, unless it is stale or an newer one is kept."""
    left = REPLY_TOKEN_SECONDS - (timezone.now() - issued_at).total_seconds()
    if not token or left <= 1:
        return
    key = _key(channel_id, user_id)
    current = cache.get(key)
    if isinstance(current, tuple) and current[1] >= issued_at.timestamp():
        return  # parsing an older event again (a replay) must not bring back its token
    cache.set(key, (token, issued_at.timestamp()), timeout=int(left))


def claim(*, channel_id: int, user_id: str) -> str:
    """The user's reply token if one is still fresh, now ours alone; else ""."""
    key = _key(channel_id, user_id)
    current = cache.get(key)
    if not isinstance(current, tuple):
        return ""
    token, issued = current
    if timezone.now().timestamp() - issued > REPLY_TOKEN_SECONDS - 1:
        return ""
    # delete() is true for exactly one of two concurrent claimers (Redis DEL, locmem lock).
    return str(token) if cache.delete(key) else ""


def forget(*, channel_id: int, user_id: str) -> None:
    cache.delete(_key(channel_id, user_id))
