"""What agents do with calls: the caller's card, a call back, a call logged by hand.

Reads and writes go through the domain (customers, ticket selectors and actions, the
intake); the provider is called through :mod:`sangdam.connectors.phone.rest`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from sangdam.connectors import intake
from sangdam.connectors.base import InboundMessage, SenderIdentity
from sangdam.connectors.models import Channel
from sangdam.connectors.phone import rest
from sangdam.connectors.phone.config import phone_config
from sangdam.customers.actions import normalize_identity
from sangdam.customers.models import Customer, Identity
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.errors import DomainError
from sangdam.tickets.models import Ticket

OUTCOMES = ("answered", "no_answer", "busy", "voicemail", "wrong_number")


@dataclass(frozen=True)
class CallerCard:
    number: str
    customer: Customer | None
    open_tickets: list[Ticket] = field(default_factory=list)


def caller_card(*, number: str) -> CallerCard:
    """Who calls from ``number`` (E.164 or a local form) and their open tickets."""
    number = normalize_identity("phone", number)
    identity = (
        Identity.objects.filter(kind="phone", value=number).select_related("customer").first()
    )
    if identity is None:
        return CallerCard(number=number, customer=None)
    tickets = list(
        Ticket.objects.filter(customer=identity.customer)
        .exclude(status__in=("solved", "closed"))
        .select_related("topic")
        .order_by("-updated_at", "-id")[:10]
    )
    return CallerCard(number=number, customer=identity.customer, open_tickets=tickets)


def phone_channel() -> Channel | None:
    """The enabled phone channel agents call out of and log calls on (the first one)."""
    return Channel.objects.filter(kind="phone", enabled=True).order_by("id").first()


def start_callback(*, channel: Channel, agent_number: str, customer_number: str) -> str:
    """Click-to-call: the provider rings the agent first; when the agent answers, the
    ``connect`` step dials the customer from the channel's number. Returns the CallSid."""
    from sangdam.connectors.phone.connector import hook_url

    agent = normalize_identity("phone", agent_number)
    customer = normalize_identity("phone", customer_number)
    if not agent.startswith("+") or not customer.startswith("+"):
        raise DomainError(_("Both numbers must be phone numbers."), code="bad_number")
    return rest.place_call(
        channel,
        to=agent,
        caller_id=phone_config(channel).number or channel.address,
        url=hook_url(channel, "connect", to=customer, lang=phone_config(channel).language),
        status_url=hook_url(channel, "status"),
    )


def log_call(
    *,
    agent: Actor,
    number: str,
    direction: str,
    minutes: int,
    outcome: str,
    notes: str,
    ticket: Ticket | None,
    channel: Channel | None,
) -> Ticket:
    """A call logged by hand: a note on ``ticket``, or — with no ticket — a new ticket for
    the caller through the intake (on the phone channel), as a call that came in would."""
    number = normalize_identity("phone", number)
    details = {
        "direction": direction,
        "duration": minutes * 60,
        "outcome": outcome,
        "number": number,
        "manual": True,
    }
    text = _("%(direction)s call, %(number)s, %(minutes)s min, %(outcome)s.") % {
        "direction": _("Outbound") if direction == "out" else _("Inbound"),
        "number": number,
        "minutes": minutes,
        "outcome": dict(outcome_choices()).get(outcome, outcome),
    }
    if notes.strip():
        text = f"{text}\n\n{notes.strip()}"
    if ticket is not None:
        actions.do_reply(
            ticket=ticket, actor=agent, text=text, note=True, metadata={"call": details}
        )
        return ticket
    if channel is None:
        raise DomainError(_("There is no phone channel to log the call on."), code="no_channel")
    result = intake.receive(
        InboundMessage(
            channel_id=channel.pk,
            external_id=f"manual:{uuid.uuid4().hex}",
            identities=(SenderIdentity("phone", number),),
            subject=_("Phone call from %(number)s") % {"number": number},
            text=text,
            thread_key=f"phone:{number}",
            message_metadata={"call": details},
        )
    )
    return result.ticket


def outcome_choices() -> list[tuple[str, str]]:
    return [
        ("answered", _("answered")),
        ("no_answer", _("no answer")),
        ("busy", _("busy")),
        ("voicemail", _("left a voicemail")),
        ("wrong_number", _("wrong number")),
    ]
