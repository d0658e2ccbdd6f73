"""Every kind of channel an admin can create finds its connector."""

from __future__ import annotations

from sangdam.connectors.models import ChannelKind
from sangdam.connectors.registry import get_connector, registered_kinds


def test_every_channel_kind_finds_its_connector() -> None:
    found = {kind: getattr(get_connector(kind), "kind", None) for kind in ChannelKind.values}
    assert found == {kind: kind for kind in ChannelKind.values}


def test_the_registry_lists_every_channel_kind() -> None:
    assert set(ChannelKind.values) <= set(registered_kinds())
