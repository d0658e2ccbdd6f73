"""The channel that inquiries created through the REST API arrive on.

Integrators may name a channel; otherwise the first enabled channel of kind "api" is
used, and one is created the first time it is needed so a fresh install works at once.
"""

from __future__ import annotations

from sangdam.connectors.models import Channel, ChannelKind
from sangdam.core.memo import Memo

DEFAULT_NAME = "API"
_channels = Memo(Channel)  # kept per process for a few seconds (core/memo.py)


def default_api_channel() -> Channel:
    channel = _channels.get(
        "api",
        lambda: Channel.objects.filter(kind=ChannelKind.API, enabled=True).order_by("id").first(),
    )
    if channel is not None:
        return channel
    channel, _ = Channel.objects.get_or_create(
        kind=ChannelKind.API, name=DEFAULT_NAME, enabled=True
    )
    return channel


def enabled_channel(channel_id: int) -> Channel | None:
    """A channel an integrator named, if it exists and takes inquiries."""
    return _channels.get(
        channel_id, lambda: Channel.objects.filter(pk=channel_id, enabled=True).first()
    )
