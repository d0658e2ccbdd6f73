"""The channel that inquiries created through the REST API arrive on.

Integrators may name a channel; otherwise the first enabled channel of kind "api" is
used, and one is created the first time it is needed so a fresh install works at once.
"""

from __future__ import annotations

from django.db import connection, transaction

from sangdam.connectors.models import Channel, ChannelKind
from sangdam.core.memo import Memo

DEFAULT_NAME = "API"
_CREATION_LOCK = 5_418_001  # an advisory-lock key of our own for this one creation
_channels = Memo(Channel)  # kept per process for a few seconds (core/memo.py)


def default_api_channel() -> Channel:
    channel = _channels.get("api", _first_api_channel)
    if channel is not None:
        return channel
    # Created once however many first requests race: one at a time (an advisory lock on
    # PostgreSQL; SQLite's IMMEDIATE transactions already take writers one by one), each
    # looking again after the lock. Two "API" channels would let one Idempotency-Key
    # open a ticket on each.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CREATION_LOCK])
        channel = _first_api_channel()
        if channel is None:
            channel = Channel.objects.create(kind=ChannelKind.API, name=DEFAULT_NAME)
    return channel


def _first_api_channel() -> Channel | None:
    return Channel.objects.filter(kind=ChannelKind.API, enabled=True).order_by("id").first()


def enabled_channel(channel_id: int) -> Channel | None:
    """A channel an integrator named, if it exists and takes inquiries."""
    return _channels.get(
        channel_id, lambda: Channel.objects.filter(pk=channel_id, enabled=True).first()
    )
