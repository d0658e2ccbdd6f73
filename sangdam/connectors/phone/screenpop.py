"""Screen pop: when a call rings for agents, their consoles are told who calls.

Who is rung is read from the TwiML the call was answered with (kept with its event):
a ``<Dial>`` rings the agents whose lines it names (the channel's ``agent_lines``), an
``<Enqueue>`` waits for the online agents of the channel's team (every online agent when
the line has no team). A greeting or a menu rings nobody yet: the pop comes with the
step that rings.

The push carries only the number and the call's id; each console fetches the caller's
card (customer, open tickets, call back and call log buttons) from its own page, in its
agent's language and with its agent's permissions (``console:call_pop``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

from sangdam.accounts.models import Presence, Role, User
from sangdam.connectors.base import WebhookAnswer
from sangdam.connectors.models import Channel
from sangdam.connectors.phone.config import PhoneConfig, phone_config
from sangdam.core.live import publish, user_group
from sangdam.customers.actions import normalize_identity

CALL_RINGING = "call_ringing"
_TARGETS = {"Number": "", "Sip": "", "Client": "client:"}


def rung_lines(answer: str) -> list[str] | None:
    """The lines a TwiML answer dials (None: it dials nobody; [] for a queue)."""
    try:
        root = ET.fromstring(answer)  # noqa: S314 (our own TwiML, read back)
    except ET.ParseError:
        return None
    if root.find("Enqueue") is not None:
        return []
    dial = root.find("Dial")
    if dial is None:
        return None
    return [_TARGETS[node.tag] + (node.text or "").strip() for node in dial if node.tag in _TARGETS]


def agents_rung(config: PhoneConfig, lines: list[str]) -> list[int]:
    """The agents a call rings: the owners of the dialled lines, or — for the queue — the
    online agents of the line's team (all online agents without a team)."""
    agents = User.objects.filter(is_active=True).exclude(role=Role.READONLY)
    if lines:
        emails = {config.agent_of_line(line) for line in lines} - {""}
        return list(agents.filter(email__in=emails).values_list("pk", flat=True))
    online = agents.filter(presence=Presence.ONLINE)
    if config.team:
        online = online.filter(teams__name=config.team)
    return list(online.values_list("pk", flat=True).distinct())


def pop_for_call(channel: Channel, form: Mapping[str, str], answer: WebhookAnswer | None) -> str:
    """Push a ringing call to the consoles of the agents it rings (best effort, like every
    live push); returns what was done, for the event's log."""
    number = form.get("From", "")
    lines = rung_lines(answer.body.decode()) if answer is not None else None
    if not number or lines is None:
        return "rings nobody yet"
    agents = agents_rung(phone_config(channel), lines)
    if agents:
        publish(
            [user_group(pk) for pk in agents],
            {
                "event": CALL_RINGING,
                "number": normalize_identity("phone", number),
                "call_sid": form.get("CallSid", ""),
                "channel_id": channel.pk,
            },
        )
    return f"rang {len(agents)} agent(s)"
