"""Screen pop: when a call comes in, every connected agent's console is told who calls.

The push carries only the number and the call's id; each console fetches the caller's
card (customer, open tickets, call back and call log buttons) from its own page, in its
agent's language and with its agent's permissions (``console:call_pop``).
"""

from __future__ import annotations

from collections.abc import Mapping

from sangdam.connectors.models import Channel
from sangdam.core.live import INBOX_GROUP, publish
from sangdam.customers.actions import normalize_identity

CALL_RINGING = "call_ringing"


def pop_for_call(channel: Channel, form: Mapping[str, str]) -> None:
    """Push the incoming call to the agents' consoles (best effort, like every live push)."""
    number = form.get("From", "")
    if not number:
        return
    publish(
        [INBOX_GROUP],
        {
            "event": CALL_RINGING,
            "number": normalize_identity("phone", number),
            "call_sid": form.get("CallSid", ""),
            "channel_id": channel.pk,
        },
    )
