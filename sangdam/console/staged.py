"""Files attached to a reply that was held back by a collision, kept for "Send anyway".

A browser cannot put files back into a file input, so when a reply comes back with the
collision prompt (someone wrote meanwhile) its checked attachments are kept here, and the
form carries a random token instead. The entry lives in the cache (process memory
embedded, Redis when scaled, like presence) under the agent's id, so only the agent who
picked the files can send them, and it lapses on its own when the agent walks away.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache

from sangdam.tickets.attachments import CheckedAttachment

TTL = 2 * 60 * 60  # seconds: enough to read what arrived and decide


def _key(user_id: int, token: str) -> str:
    return f"staged-reply:{user_id}:{token}"


def stage(*, user_id: int, files: list[CheckedAttachment], token: str = "") -> str:
    """Keep ``files`` for this agent; the token to send with the form ("" when none)."""
    if not files:
        return ""
    token = token or secrets.token_urlsafe(16)
    cache.set(_key(user_id, token), files, TTL)
    return token


def staged(*, user_id: int, token: str) -> list[CheckedAttachment] | None:
    """The files kept under ``token``; ``None`` when they lapsed (or were never there)."""
    if not token:
        return []
    files = cache.get(_key(user_id, token))
    return list(files) if isinstance(files, list) else None


def discard(*, user_id: int, token: str) -> None:
    if token:
        cache.delete(_key(user_id, token))
