"""Ticket actions: allowed changes, refused changes, audit events and live pushes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from sangdam.accounts.models import Role, User
from sangdam.connectors.models import Channel
from sangdam.core.live import INBOX_GROUP, ticket_group
from sangdam.tickets import actions
from sangdam.tickets.actions import ALLOWED_TRANSITIONS
from sangdam.tickets.actor import CUSTOMER, SYSTEM, Actor
from sangdam.tickets.errors import InvalidTransition, PermissionDenied
from sangdam.tickets.models import DeliveryState, Event, Message, Priority, Status, Ticket
from tests import factories
from tests.factories import customer_writes

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(old, new) for old in Status.values for new in Status.values if old != new]
ALLOWED = [(old, new) for old, new in ALL_PAIRS if new in ALLOWED_TRANSITIONS[old]]
REFUSED = [(old, new) for old, new in ALL_PAIRS if new not in ALLOWED_TRANSITIONS[old]]


def _ticket_in(channel: Channel, status: str) -> Ticket:
    ticket = customer_writes(channel).ticket
    if status != Status.NEW:
        actions.do_change_status(ticket=ticket, actor=SYSTEM, status=status)
    return Ticket.objects.get(pk=ticket.pk)


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_an_agent_can_make_every_allowed_status_change(email_channel, agent, old, new):
    ticket = _ticket_in(email_channel, old)

    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=new)

    assert Ticket.objects.get(pk=ticket.pk).status == new
    event = Event.objects.filter(ticket=ticket, kind="status_changed").last()
    assert event is not None
    assert event.data == {"old": old, "new": new}
    assert (event.actor_user, event.actor_label) == (agent, "agent")


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_it_refuses_a_status_change_the_workflow_does_not_allow(email_channel, agent, old, new):
    ticket = _ticket_in(email_channel, old)
    events_before = Event.objects.count()

    with pytest.raises(InvalidTransition):
        actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=new)

    assert Ticket.objects.get(pk=ticket.pk).status == old
    assert Event.objects.count() == events_before


def test_solving_records_when_and_closing_keeps_it(email_channel, agent):
    ticket = _ticket_in(email_channel, Status.OPEN)

    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=Status.SOLVED)
    solved_at = Ticket.objects.get(pk=ticket.pk).solved_at
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=Status.CLOSED)

    closed = Ticket.objects.get(pk=ticket.pk)
    assert solved_at is not None
    assert closed.solved_at == solved_at
    assert closed.closed_at is not None


def test_assigning_writes_an_event_with_the_agent(email_channel, agent):
    ticket = _ticket_in(email_channel, Status.NEW)
    alex = factories.make_agent("Alex")
    team = factories.make_team()

    actions.do_assign(ticket=ticket, actor=Actor.agent(agent), assignee=alex, team=team)

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.team) == (alex, team)
    event = Event.objects.get(ticket=ticket, kind="assigned")
    assert event.actor_user == agent
    assert event.data == {"assignee": [None, alex.pk], "team": [None, team.pk]}


def test_changing_priority_and_topic_writes_one_event(email_channel, agent):
    ticket = _ticket_in(email_channel, Status.NEW)
    topic = factories.make_topic("payment")

    actions.do_update_fields(
        ticket=ticket, actor=Actor.agent(agent), priority=Priority.URGENT, topic=topic
    )

    ticket.refresh_from_db()
    assert (ticket.priority, ticket.topic) == (Priority.URGENT, topic)
    event = Event.objects.get(ticket=ticket, kind="fields_changed")
    assert event.actor_user == agent
    assert event.data == {"priority": ["normal", "urgent"], "topic": [None, topic.pk]}


def test_merging_moves_the_messages_and_closes_the_duplicate(email_channel, agent):
    duplicate = _ticket_in(email_channel, Status.NEW)
    kept = _ticket_in(email_channel, Status.OPEN)

    actions.do_merge_tickets(source=duplicate, target=kept, actor=Actor.agent(agent))

    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    assert duplicate.merged_into == kept
    assert kept.messages.count() == 2
    kinds = set(Event.objects.filter(actor_user=agent).values_list("kind", flat=True))
    assert kinds == {"merged_into", "merged_from"}


def test_a_read_only_agent_cannot_change_a_ticket(email_channel):
    viewer = factories.make_agent("Viewer", role=Role.READONLY)
    ticket = _ticket_in(email_channel, Status.NEW)
    other = _ticket_in(email_channel, Status.NEW)
    events_before = Event.objects.count()
    as_viewer = Actor.agent(viewer)
    attempts: list[Callable[[], Any]] = [
        lambda: actions.do_change_status(ticket=ticket, actor=as_viewer, status=Status.OPEN),
        lambda: actions.do_assign(ticket=ticket, actor=as_viewer, assignee=viewer),
        lambda: actions.do_update_fields(ticket=ticket, actor=as_viewer, priority="high"),
        lambda: actions.do_reply(ticket=ticket, actor=as_viewer, text="hello"),
        lambda: actions.do_merge_tickets(source=other, target=ticket, actor=as_viewer),
    ]

    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()

    assert Event.objects.count() == events_before
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW
    assert Message.objects.filter(direction="out").count() == 0


# --- live events ---------------------------------------------------------------------


class Listener:
    """A browser tab, as the channel layer sees it: one channel in the inbox group."""

    def __init__(self, group: str = INBOX_GROUP) -> None:
        self.layer = get_channel_layer()
        assert self.layer is not None
        async_to_sync(self.layer.flush)()
        self.channel = async_to_sync(self.layer.new_channel)()
        async_to_sync(self.layer.group_add)(group, self.channel)

    def events(self) -> list[str]:
        return [str(payload["event"]) for payload in self.payloads()]

    def payloads(self) -> list[dict[str, object]]:
        async def drain() -> list[dict[str, object]]:
            got: list[dict[str, object]] = []
            while True:
                try:
                    message = await asyncio.wait_for(self.layer.receive(self.channel), 0.05)
                except TimeoutError:
                    return got
                got.append(message["payload"])

        return async_to_sync(drain)()


def _prepare(name: str, channel: Channel, agent: User) -> Callable[[], object]:
    """Set up the tickets an action needs; return the action itself, not yet run."""
    ticket = _ticket_in(channel, Status.NEW)
    other = _ticket_in(channel, Status.NEW)
    inbound = customer_writes(channel).message
    as_agent = Actor.agent(agent)
    return {
        "open_ticket": lambda: actions.do_open_ticket(
            actor=SYSTEM, channel=channel, customer=ticket.customer, subject="Hello"
        ),
        "inbound_message": lambda: actions.do_add_inbound_message(
            ticket=ticket, actor=SYSTEM, channel=channel, customer=ticket.customer, text="more"
        ),
        "reply": lambda: actions.do_reply(ticket=ticket, actor=as_agent, text="We are on it."),
        "note": lambda: actions.do_reply(
            ticket=ticket, actor=as_agent, text="Check billing.", note=True
        ),
        "status": lambda: actions.do_change_status(
            ticket=ticket, actor=as_agent, status=Status.OPEN
        ),
        "assign": lambda: actions.do_assign(ticket=ticket, actor=as_agent, assignee=agent),
        "fields": lambda: actions.do_update_fields(
            ticket=ticket, actor=as_agent, priority=Priority.HIGH
        ),
        "merge": lambda: actions.do_merge_tickets(source=ticket, target=other, actor=as_agent),
        "delivery": lambda: actions.do_record_delivery(message=inbound, state=DeliveryState.SENT),
        "end_chat": lambda: actions.do_end_chat(ticket=ticket, actor=CUSTOMER),
    }[name]


LIVE = {
    "open_ticket": ["ticket_created"],
    "inbound_message": ["message_added"],
    "reply": ["message_added", "ticket_updated"],
    "note": ["message_added"],
    "status": ["ticket_updated"],
    "assign": ["ticket_updated"],
    "fields": ["ticket_updated"],
    "merge": ["ticket_updated", "ticket_updated"],
    "delivery": ["delivery_changed"],
    "end_chat": ["ticket_updated"],
}


@pytest.mark.parametrize("name", LIVE)
def test_every_action_pushes_its_live_event_after_commit(
    email_channel, agent, django_capture_on_commit_callbacks, name
):
    # Set-up commits nothing (the test runs in a transaction), so it pushes nothing.
    action = _prepare(name, email_channel, agent)
    listener = Listener()

    with django_capture_on_commit_callbacks(execute=True):
        action()

    assert listener.events() == LIVE[name]


def test_a_new_inquiry_is_pushed_to_the_inbox_once_with_its_message(
    email_channel, django_capture_on_commit_callbacks
):
    listener = Listener()

    with django_capture_on_commit_callbacks(execute=True):
        result = factories.customer_writes(email_channel, text="환불 문의드립니다")

    assert listener.payloads() == [
        {
            "event": "ticket_created",
            "ticket_id": result.ticket.pk,
            "reference": result.ticket.reference,
            "message_id": result.message.pk,
        }
    ]


def test_no_live_event_is_pushed_before_the_commit(
    email_channel, agent, django_capture_on_commit_callbacks
):
    ticket = _ticket_in(email_channel, Status.NEW)
    listener = Listener()

    with django_capture_on_commit_callbacks(execute=True):
        actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=Status.OPEN)
        pushed_before_commit = listener.events()

    assert pushed_before_commit == []
    assert listener.events() == ["ticket_updated"]


def test_a_ticket_page_hears_only_its_own_ticket(
    email_channel, agent, django_capture_on_commit_callbacks
):
    ticket = _ticket_in(email_channel, Status.NEW)
    other = _ticket_in(email_channel, Status.NEW)
    listener = Listener(ticket_group(ticket.pk))

    with django_capture_on_commit_callbacks(execute=True):
        actions.do_change_status(ticket=other, actor=Actor.agent(agent), status=Status.OPEN)
        actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=Status.OPEN)

    assert listener.events() == ["ticket_updated"]


def test_nothing_is_pushed_for_a_change_that_rolls_back(
    email_channel, agent, django_capture_on_commit_callbacks
):
    ticket = _ticket_in(email_channel, Status.NEW)
    listener = Listener()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=Status.OPEN)
        actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="Thanks!")
        raise RuntimeError("the request failed after the change")

    assert listener.events() == []
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW
    assert not Message.objects.filter(direction="out").exists()
