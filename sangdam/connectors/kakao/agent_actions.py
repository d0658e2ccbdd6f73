"""What an agent can do to a customer's 상담톡 from the ticket page: end the session, or
block the user on the channel. Each calls the dealer first, then records an audit event
with the agent and a note on the ticket, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from sangdam.connectors.base import DeliveryError
from sangdam.connectors.http import ProviderError
from sangdam.connectors.kakao import counsel
from sangdam.connectors.kakao.config import skill_config
from sangdam.connectors.kakao.events import CounselSessionEnded, CounselUserBlocked
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.customers.models import Identity
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.dispatch import record
from sangdam.tickets.errors import DomainError
from sangdam.tickets.models import Ticket


@dataclass(frozen=True)
class Counsel:
    """The 상담톡 conversation a ticket belongs to: the channel and the user's key."""

    channel: Channel
    user_key: str
    ended: bool


def counsel_of(ticket: Ticket) -> Counsel | None:
    """The ticket's 상담톡 (it came in on a KakaoTalk channel with a dealer), or None.

    Only the ticket's own channel is looked at, so other tickets' pages read nothing."""
    channel = ticket.channel if ticket.channel_id else None
    if channel is None or channel.kind != ChannelKind.KAKAO:
        return None
    if not skill_config(channel).dealer:
        return None
    key = (
        Identity.objects.filter(customer_id=ticket.customer_id, kind="kakao")
        .exclude(value__startswith="bot:")
        .order_by("-id")
        .values_list("value", flat=True)
        .first()
    )
    if not key:
        return None
    return Counsel(channel, key, counsel.session_ended_at(channel, [key]) is not None)


def _dealer_call(ticket: Ticket, what: str) -> Counsel:
    from sangdam.connectors.kakao.connector import KakaoSkillConnector

    found = counsel_of(ticket)
    if found is None:
        raise DomainError(_("This ticket has no 상담톡 conversation."), code="no_counsel")
    connector = KakaoSkillConnector()
    try:
        if what == "end":
            connector.end_session(found.channel, found.user_key)
        else:
            dealer = connector.dealer(found.channel)
            assert dealer is not None
            dealer.block_user(found.user_key)
            counsel.note_session(
                found.channel, counsel.CounselEvent("expired_session", found.user_key, "", {})
            )
    except (ProviderError, DeliveryError) as exc:
        raise DomainError(
            _("The dealer refused: %(reason)s") % {"reason": exc}, code="dealer_refused"
        ) from exc
    return found


def do_end_counsel(*, ticket: Ticket, actor: Actor) -> None:
    """End the customer's 상담톡 session (they can start a new one by writing)."""
    found = _dealer_call(ticket, "end")
    with transaction.atomic():
        record([CounselSessionEnded(ticket_id=ticket.pk, user_key=found.user_key)], actor=actor)
        actions.do_reply(
            ticket=ticket, actor=actor, note=True, text=_("상담톡 session ended by the agent.")
        )


def do_block_counsel_user(*, ticket: Ticket, actor: Actor) -> None:
    """Block the customer on the KakaoTalk channel (their messages no longer reach us)."""
    found = _dealer_call(ticket, "block")
    with transaction.atomic():
        record([CounselUserBlocked(ticket_id=ticket.pk, user_key=found.user_key)], actor=actor)
        actions.do_reply(
            ticket=ticket,
            actor=actor,
            note=True,
            text=_("The customer was blocked on the KakaoTalk channel by the agent."),
        )
