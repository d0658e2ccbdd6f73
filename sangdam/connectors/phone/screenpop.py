"""Screen pop: when a call comes in, agents' consoles show who is calling."""

from __future__ import annotations

from collections.abc import Mapping

from sangdam.connectors.models import Channel


def pop_for_call(channel: Channel, form: Mapping[str, str]) -> None:
    """Filled in with the console's screen pop (see below)."""
