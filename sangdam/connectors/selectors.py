"""Reads about channels that several parts of Sangdam need, written once."""

from __future__ import annotations

from django.conf import settings

from sangdam.connectors.models import Channel, ChannelKind
from sangdam.core.memo import Memo

# Read for every confirmation and status-link mail (core/memo.py).
_senders = Memo(Channel)


def default_email_channel() -> Channel:
    """The email channel Sangdam writes from when the ticket's own channel cannot
    carry mail (web form, REST API, app users without a push token, portal links).

    The first enabled email channel; without one, an unsaved stand-in sending from
    ``DEFAULT_FROM_EMAIL``, so callers never need a second case.
    """
    channel = Channel.objects.filter(kind=ChannelKind.EMAIL, enabled=True).order_by("id").first()
    if channel is not None:
        return channel
    return Channel(kind=ChannelKind.EMAIL, name="default", address=settings.DEFAULT_FROM_EMAIL)


def default_sender_address() -> str:
    """The From address of mail Sangdam sends on its own (status links, receipts)."""
    fallback = settings.DEFAULT_FROM_EMAIL
    return _senders.get(("sender", fallback), lambda: default_email_channel().address or fallback)
