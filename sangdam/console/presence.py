"""Who has a ticket open, and who is typing a reply on it: collision detection.

Each open ticket page keeps a websocket (:mod:`sangdam.console.consumers`) that reports
"viewing" every ``HEARTBEAT`` seconds and "typing" while the agent types. The roster of a
ticket is one cache entry (the process's memory embedded, Redis when scaled, so agents on
different web processes see each other) mapping an agent to their name, whether they type
and when the entry lapses. An agent whose browser vanished without closing its socket drops
out after ``TTL`` seconds, as no heartbeat renews them.

Read-modify-write of one cache key is not atomic: two agents arriving in the same
millisecond may each write a roster without the other. The next heartbeat (at most
``HEARTBEAT`` seconds later) puts the lost entry back; presence is a hint, not a lock.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache

HEARTBEAT = 15  # seconds between a page's "still here"
TTL = 40  # an entry not renewed for this long is gone
TYPING_TTL = 8  # "typing" lapses back to "viewing" when no keystroke renews it


def _key(ticket_id: int) -> str:
    return f"presence:ticket:{ticket_id}"


def _live(roster: dict[str, Any], now: float) -> dict[str, Any]:
    return {uid: entry for uid, entry in roster.items() if entry["until"] > now}


def roster_list(roster: dict[str, Any], now: float | None = None) -> list[dict[str, Any]]:
    """The roster as the browser gets it: id, name, typing; by name."""
    now = time.time() if now is None else now
    return sorted(
        (
            {
                "id": int(uid),
                "name": e["name"],
                "typing": e["typing_until"] > now,
                # Typing an internal note: shown to colleagues, never to the customer.
                "note": bool(e.get("note")) and e["typing_until"] > now,
            }
            for uid, e in _live(roster, now).items()
        ),
        key=lambda a: (a["name"], a["id"]),
    )


async def touch(
    *, ticket_id: int, user_id: int, name: str, typing: bool, note: bool = False
) -> dict[str, Any]:
    """Mark an agent present (and typing or not, a reply or an internal ``note``) on a
    ticket; returns the live roster."""
    now = time.time()
    roster = _live(await cache.aget(_key(ticket_id)) or {}, now)
    roster[str(user_id)] = {
        "name": name,
        "until": now + TTL,
        "typing_until": now + TYPING_TTL if typing else 0,
        "note": typing and note,
    }
    await cache.aset(_key(ticket_id), roster, TTL)
    return roster


async def leave(*, ticket_id: int, user_id: int) -> dict[str, Any]:
    """The agent closed the page; returns the roster without them."""
    roster = _live(await cache.aget(_key(ticket_id)) or {}, time.time())
    roster.pop(str(user_id), None)
    await cache.aset(_key(ticket_id), roster, TTL)
    return roster
