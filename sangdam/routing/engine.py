"""Choosing a team and an agent for a ticket, and the life of an offer.

Everything here changes tickets through :mod:`sangdam.tickets.actions` (``do_assign``)
with the actor ``routing``, and records its reasons as events, so the ticket's timeline
says who routed it where and why. Every function is safe to run twice: a ticket that has
an assignee is left alone, an offer that is no longer pending is not answered again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from sangdam.accounts.models import Presence, Role, Team, User
from sangdam.core.compiled import MARKER, MARKER_2, CompiledQuery
from sangdam.core.memo import Memo
from sangdam.routing.events import OfferAnswered, OfferMade, Routed
from sangdam.routing.models import CHAT_KINDS, Offer, RoutingRule, Strategy, TeamRouting
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.dispatch import record
from sangdam.tickets.events import DomainEvent
from sangdam.tickets.models import Status, Ticket

ROUTING = Actor("routing")
# Tickets that take an agent's time: pending ones wait on the customer, solved ones are done.
WORKING = (Status.NEW, Status.OPEN)
AUTOMATIC = (Strategy.ROUND_ROBIN, Strategy.LEAST_LOADED)


@dataclass(frozen=True)
class Load:
    tickets: int = 0
    chats: int = 0


def is_chat(ticket: Ticket) -> bool:
    return ticket.channel.kind in CHAT_KINDS


def agent_loads(agent_ids: Iterable[int]) -> dict[int, Load]:
    """Open (new or open) tickets and chats assigned to each agent: one query."""
    ids = list(agent_ids)
    counts: dict[int, dict[str, int]] = {pk: {"tickets": 0, "chats": 0} for pk in ids}
    rows = (
        Ticket.objects.filter(assignee_id__in=ids, status__in=WORKING)
        .values("assignee_id", "channel__kind")
        .annotate(n=Count("id"))
    )
    for row in rows:
        bucket = "chats" if row["channel__kind"] in CHAT_KINDS else "tickets"
        counts[row["assignee_id"]][bucket] += row["n"]
    return {pk: Load(**value) for pk, value in counts.items()}


# Read for every new ticket; kept per process for a few seconds (core/memo.py).
_rules = Memo(RoutingRule, Team)


def active_rules() -> list[RoutingRule]:
    return _rules.get(
        "active", lambda: list(RoutingRule.objects.filter(active=True).select_related("team"))
    )


def choose_team(ticket: Ticket) -> tuple[Team | None, str]:
    """The ticket's team (set by an agent or a trigger), else the first matching rule,
    else the topic's default team. Returns (team, the rule's name or "")."""
    if ticket.team_id is not None:
        return ticket.team, ""
    for rule in active_rules():
        if rule.topic_id is not None and rule.topic_id != ticket.topic_id:
            continue
        if rule.channel_id is not None and rule.channel_id != ticket.channel_id:
            continue
        if rule.language and rule.language != (ticket.language or "")[:2]:
            continue
        return rule.team, rule.name
    if ticket.topic is not None and ticket.topic.default_team_id is not None:
        return ticket.topic.default_team, ""
    return None, ""


def _candidates(ticket: Ticket, team: Team, config: TeamRouting) -> list[User]:
    members = list(
        team.members.filter(is_active=True, presence=Presence.ONLINE)
        .exclude(role=Role.READONLY)
        .order_by("id")
    )
    answered = dict(
        Offer.objects.filter(ticket=ticket)
        .exclude(state=Offer.State.PENDING)
        .values_list("agent_id", "state")
    )
    declined = {pk for pk, state in answered.items() if state == Offer.State.DECLINED}
    members = [m for m in members if m.pk not in declined]
    # An agent who let the offer lapse is asked last: others first, but when nobody
    # else is there the offer comes round again.
    fresh = [m for m in members if m.pk not in answered]
    members = fresh or members
    language = (ticket.language or "")[:2]
    if config.match_language and language:
        # Only speakers when there are any; an inquiry in a language nobody online speaks
        # still reaches someone (with a translator) rather than waiting forever.
        speakers = [m for m in members if language in (m.languages or [])]
        members = speakers or members
    return members


def _has_room(agent: User, load: Load, chat: bool) -> bool:
    return load.chats < agent.chat_capacity if chat else load.tickets < agent.capacity


def _pick(ticket: Ticket, config: TeamRouting, members: Sequence[User]) -> User | None:
    chat = is_chat(ticket)
    loads = agent_loads(m.pk for m in members)
    fits = [m for m in members if _has_room(m, loads[m.pk], chat)]
    if not fits:
        return None
    if config.strategy == Strategy.ROUND_ROBIN:
        after = config.last_agent_id or 0
        ordered = [m for m in fits if m.pk > after] + [m for m in fits if m.pk <= after]
    else:

        def busy(m: User) -> tuple[float, int, int]:
            mine = loads[m.pk].chats if chat else loads[m.pk].tickets
            room = m.chat_capacity if chat else m.capacity
            return (mine / max(room, 1), mine + loads[m.pk].chats + loads[m.pk].tickets, m.pk)

        ordered = sorted(fits, key=busy)
    for agent in ordered:
        # Lock the agent and count again: another team's routing may have just given
        # them a ticket (an agent can be in several teams).
        User.objects.select_for_update().filter(pk=agent.pk).first()
        if _has_room(agent, agent_loads([agent.pk])[agent.pk], chat):
            return agent
    return None


def offer_timeout(ticket: Ticket, config: TeamRouting) -> dt.timedelta | None:
    """How long the chosen agent has to answer before the ticket goes to another one.

    A chat channel may set its own, shorter time (``handover_seconds`` in its config, the
    live chat's "hand an unanswered chat over after"): a customer waiting in a chat window
    cannot wait the minutes an email can. Answering the chat accepts the offer
    (:mod:`sangdam.routing.listeners`); the periodic sweep hands over the rest.
    """
    if is_chat(ticket):
        raw = (ticket.channel.config or {}).get("handover_seconds") if ticket.channel else None
        if isinstance(raw, int) and raw > 0:
            return dt.timedelta(seconds=raw)
    if config.offer_timeout_minutes:
        return dt.timedelta(minutes=config.offer_timeout_minutes)
    return None


# Read for every new ticket: compiled once (core/compiled.py).
_LOCKED_TICKET = CompiledQuery(
    Ticket,
    lambda pk: (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("channel", "topic", "team")
        .filter(pk=pk)
    ),
    MARKER,
)


def route_ticket(*, ticket_id: int, explain_waiting: bool = True) -> User | None:
    """Give a waiting ticket a team and, when the team's strategy says so, an agent.

    ``explain_waiting``: record a :class:`Routed` event even when nobody could be
    assigned (the first routing does; the periodic retry does not repeat it).
    Returns the agent assigned, if any.
    """
    now = timezone.now()
    # No savepoint of its own: on a failure the dispatch runs each listener alone.
    with transaction.atomic(savepoint=False):
        ticket = next(iter(_LOCKED_TICKET.objects(ticket_id)), None)
        if ticket is None or ticket.assignee_id is not None or ticket.status not in WORKING:
            return None
        if ticket.merged_into_id is not None:
            return None
        team, rule = choose_team(ticket)
        if team is None:
            return None
        config = TeamRouting.objects.select_for_update().filter(team=team).first()
        config = config or TeamRouting(team=team)
        agent = None
        waiting = "manual"
        if config.strategy in AUTOMATIC:
            agent = _pick(ticket, config, _candidates(ticket, team, config))
            waiting = "" if agent else "nobody online with capacity"
        team_changes = ticket.team_id != team.pk
        if agent is None and not team_changes and not explain_waiting:
            return None
        if agent is not None or team_changes:
            actions.do_assign(ticket=ticket, actor=ROUTING, assignee=agent, team=team)
        events: list[DomainEvent] = [
            Routed(
                ticket_id=ticket.pk,
                team=team.pk,
                strategy=config.strategy,
                rule=rule,
                agent=agent.pk if agent else None,
                waiting=waiting,
            )
        ]
        if agent is not None:
            if config.pk is not None and config.strategy == Strategy.ROUND_ROBIN:
                config.last_agent = agent
                config.save(update_fields=["last_agent"])
            timeout = offer_timeout(ticket, config)
            if timeout is not None:
                expires = now + timeout
                Offer.objects.create(ticket=ticket, agent=agent, offered_at=now, expires_at=expires)
                events.append(
                    OfferMade(ticket_id=ticket.pk, agent=agent.pk, expires_at=expires.isoformat())
                )
        record(events, actor=ROUTING)
    return agent


def pending_offer(*, ticket_id: int) -> Offer | None:
    return (
        Offer.objects.filter(ticket_id=ticket_id, state=Offer.State.PENDING)
        .select_related("agent")
        .first()
    )


def _answer(offer: Offer, state: str, actor: Actor) -> None:
    offer.state = state
    offer.answered_at = timezone.now()
    offer.save(update_fields=["state", "answered_at"])
    record(
        [OfferAnswered(ticket_id=offer.ticket_id, agent=offer.agent_id, state=state)], actor=actor
    )


def offer_waits(*, ticket_id: int, agent_id: int) -> bool:
    """A pending offer of the ticket to the agent (read without a lock)."""
    return bool(_PENDING_OFFER.rows(ticket_id, agent_id))


# Asked for every agent's answer: compiled once (core/compiled.py).
_PENDING_OFFER = CompiledQuery(
    Offer,
    lambda ticket, agent: (
        Offer.objects.filter(ticket_id=ticket, agent_id=agent, state=Offer.State.PENDING)
        .order_by()
        .values_list("id")[:1]
    ),
    MARKER,
    MARKER_2,
)


def accept_offer(*, ticket_id: int, agent: User) -> bool:
    """The agent takes the ticket offered to them; False when no such offer waits."""
    with transaction.atomic():
        offer = (
            Offer.objects.select_for_update()
            .filter(ticket_id=ticket_id, agent=agent, state=Offer.State.PENDING)
            .first()
        )
        if offer is None:
            return False
        _answer(offer, Offer.State.ACCEPTED, Actor.agent(agent))
    return True


def decline_offer(*, ticket_id: int, agent: User) -> bool:
    """The agent gives the offered ticket back; routing offers it to someone else."""
    with transaction.atomic():
        offer = (
            Offer.objects.select_for_update()
            .filter(ticket_id=ticket_id, agent=agent, state=Offer.State.PENDING)
            .first()
        )
        if offer is None:
            return False
        _answer(offer, Offer.State.DECLINED, Actor.agent(agent))
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        if ticket.assignee_id == agent.pk:
            actions.do_assign(ticket=ticket, actor=Actor.agent(agent), assignee=None)
        route_ticket(ticket_id=ticket_id)
    return True


def expire_offer(*, offer_id: int, now: dt.datetime | None = None) -> bool:
    """An offer not accepted in time: take the ticket back and offer it to the next agent."""
    now = now or timezone.now()
    with transaction.atomic():
        offer = (
            Offer.objects.select_for_update()
            .filter(pk=offer_id, state=Offer.State.PENDING, expires_at__lte=now)
            .first()
        )
        if offer is None:
            return False
        _answer(offer, Offer.State.EXPIRED, ROUTING)
        ticket = Ticket.objects.select_for_update().get(pk=offer.ticket_id)
        if ticket.assignee_id == offer.agent_id:
            actions.do_assign(ticket=ticket, actor=ROUTING, assignee=None)
        route_ticket(ticket_id=ticket.pk)
    return True


def settle_offers_after_assignment(*, ticket_id: int) -> None:
    """Someone else assigned the ticket: a waiting offer to another agent is withdrawn, an
    offer to the new assignee counts as accepted."""
    with transaction.atomic():
        offer = (
            Offer.objects.select_for_update()
            .filter(ticket_id=ticket_id, state=Offer.State.PENDING)
            .first()
        )
        if offer is None:
            return
        assignee = Ticket.objects.filter(pk=ticket_id).values_list("assignee_id", flat=True).first()
        state = Offer.State.ACCEPTED if assignee == offer.agent_id else Offer.State.WITHDRAWN
        _answer(offer, state, ROUTING)


def waiting_tickets(limit: int = 200) -> list[int]:
    """Unassigned open tickets of teams that assign automatically, oldest first."""
    return list(
        Ticket.objects.filter(
            assignee__isnull=True,
            status__in=WORKING,
            merged_into__isnull=True,
            team__routing__strategy__in=AUTOMATIC,
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
