"""Small helpers to read console pages in tests."""

from __future__ import annotations

import re
from typing import Protocol

from sangdam.connectors.models import Channel
from sangdam.tickets.models import Ticket
from tests import factories


class _Response(Protocol):
    content: bytes


_ROW = re.compile(r'<tr class="ticket-row[^"]*" data-reference="([^"]+)"')


def references(response: _Response) -> list[str]:
    """References of the inbox rows, in page order."""
    return _ROW.findall(response.content.decode())


def new_ticket(channel: Channel, who: str = "minji@example.com", **fields: object) -> Ticket:
    """A customer writes in through the real intake; the ticket it opened."""
    fields.setdefault("language", "ko")
    kind = "telegram" if channel.kind == "telegram" else "email"
    result = factories.customer_writes(channel, sender=(kind, who), **fields)
    return result.ticket
