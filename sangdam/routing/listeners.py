"""Routing reacts to the tickets domain's events (as tasks, after commit).

* a ticket opened → choose its team and agent;
* a ticket moved to another team without an assignee (by an agent or a trigger) → route it
  within the new team;
* someone assigned a ticket that was on offer → the offer is settled;
* the offered agent answers the ticket → the offer counts as accepted.

Routing's own assignments (actor ``routing``) are not reacted to: no loops.
"""

from __future__ import annotations

from sangdam.routing import engine
from sangdam.tickets.dispatch import listener
from sangdam.tickets.events import AgentReplied, Assigned, NoteAdded, TicketOpened


@listener(TicketOpened)
def route_opened_ticket(event: TicketOpened) -> None:
    if event.ticket_id is not None:
        engine.route_ticket(ticket_id=event.ticket_id)


@listener(Assigned)
def follow_assignment(event: Assigned) -> None:
    if event.ticket_id is None or event.meta is None or event.meta.actor_label == "routing":
        return
    engine.settle_offers_after_assignment(ticket_id=event.ticket_id)
    if event.team is not None and event.team[1] is not None:
        engine.route_ticket(ticket_id=event.ticket_id)


@listener(AgentReplied, NoteAdded)
def answering_accepts_offer(event: AgentReplied | NoteAdded) -> None:
    if event.ticket_id is None or event.meta is None or event.meta.actor_user_id is None:
        return
    from sangdam.accounts.models import User

    # Most answers settle no offer: a look by ids first, no agent row read, no lock.
    if not engine.offer_waits(ticket_id=event.ticket_id, agent_id=event.meta.actor_user_id):
        return
    agent = User.objects.filter(pk=event.meta.actor_user_id).first()
    if agent is not None:
        engine.accept_offer(ticket_id=event.ticket_id, agent=agent)
