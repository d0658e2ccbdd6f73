"""Typed domain events: what each action records, and how listeners hear them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sangdam.automations.events import TimeRuleFired, TriggerFired
from sangdam.connectors.kakao.events import CounselSessionEnded, CounselUserBlocked
from sangdam.customers.actions import do_merge_customers
from sangdam.portal.events import ConfirmationRequested
from sangdam.routing.events import OfferAnswered, OfferMade, Routed
from sangdam.tickets import actions, dispatch
from sangdam.tickets.actor import SYSTEM, Actor
from sangdam.tickets.events import (
    KINDS,
    AgentReplied,
    Assigned,
    ChatEnded,
    CustomerMerged,
    CustomerReplied,
    DeliveryChanged,
    DomainEvent,
    FieldsChanged,
    MergedFrom,
    MergedInto,
    NoteAdded,
    SlaBreached,
    StatusChanged,
    TicketLinked,
    TicketOpened,
    event_from_row,
)
from sangdam.tickets.models import DeliveryState, Event, Status, Ticket
from tests.factories import customer_writes, make_channel
from tests.pipeline.test_actions import LIVE, _prepare

pytestmark = pytest.mark.django_db

PROMISED: dict[str, list[type[DomainEvent]]] = {
    "open_ticket": [TicketOpened],
    "inbound_message": [CustomerReplied],
    "reply": [AgentReplied, StatusChanged],  # a new ticket opens with the first reply
    "note": [NoteAdded],
    "status": [StatusChanged],
    "assign": [Assigned],
    "fields": [FieldsChanged],
    "merge": [MergedInto, MergedFrom],
    "delivery": [DeliveryChanged],
    "end_chat": [StatusChanged, ChatEnded],
}


def _recorded_since(last_id: int) -> list[DomainEvent | None]:
    return [
        event_from_row(kind=row.kind, ticket_id=row.ticket_id, data=row.data)
        for row in Event.objects.filter(pk__gt=last_id).order_by("id")
    ]


def _last_event_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_every_action_is_covered_here():
    assert set(PROMISED) == set(LIVE)


@pytest.mark.parametrize("name", PROMISED)
def test_every_action_records_the_typed_events_it_promises(email_channel, agent, name):
    action = _prepare(name, email_channel, agent)
    before = _last_event_id()

    action()

    assert [type(event) for event in _recorded_since(before)] == PROMISED[name]


def test_merging_customers_records_a_customer_event(email_channel, agent):
    minji = customer_writes(email_channel, sender=("email", "minji@example.com")).ticket.customer
    again = customer_writes(email_channel, sender=("email", "minji@work.example")).ticket.customer
    before = _last_event_id()

    do_merge_customers(source=again, target=minji, actor=Actor.agent(agent))

    (event,) = _recorded_since(before)
    assert event == CustomerMerged(ticket_id=None, source=again.pk, target=minji.pk, tickets=1)


def test_a_reply_to_a_closed_ticket_records_the_link(email_channel):
    first = customer_writes(email_channel)
    actions.do_change_status(ticket=first.ticket, actor=SYSTEM, status=Status.CLOSED)
    before = _last_event_id()

    customer_writes(email_channel, ticket_reference=first.ticket.reference)

    kinds = [type(event) for event in _recorded_since(before)]
    assert kinds == [TicketOpened, TicketLinked, CustomerReplied]


def test_each_kind_reads_back_as_the_event_that_wrote_it():
    samples: list[DomainEvent] = [
        TicketOpened(ticket_id=1, channel="email", reference="SD-100001"),
        TicketLinked(ticket_id=1, follows="SD-100000"),
        CustomerReplied(ticket_id=1, message_id=3, automatic=True),
        AgentReplied(ticket_id=1, message_id=4),
        NoteAdded(ticket_id=1, message_id=5),
        StatusChanged(ticket_id=1, old="new", new="open"),
        Assigned(ticket_id=1, assignee=(None, 7)),
        FieldsChanged(ticket_id=1, priority=("normal", "high"), tags=([], ["vip"])),
        MergedInto(ticket_id=1, target="SD-2", messages=2),
        MergedFrom(ticket_id=2, source="SD-1", messages=2),
        DeliveryChanged(ticket_id=1, state="failed", message_id=4, error="bounced", attempts=3),
        CustomerMerged(ticket_id=None, source=1, target=2, tickets=0),
        Routed(ticket_id=1, team=2, strategy="round_robin", rule="all", agent=3),
        Routed(ticket_id=1, team=2, strategy="manual", waiting="manual"),
        OfferMade(ticket_id=1, agent=3, expires_at="2026-12-02T01:00:00+00:00"),
        OfferAnswered(ticket_id=1, agent=3, state="expired"),
        SlaBreached(ticket_id=1, metric="first_response", due_at="2026-11-30T10:00:00+09:00"),
        TriggerFired(ticket_id=1, trigger=4, name="refunds", actions=("tags+=refund",)),
        TimeRuleFired(ticket_id=1, rule=5, name="remind", actions=("auto_reply=reminder",)),
        ConfirmationRequested(ticket_id=1, to="minji@example.com", language="ko"),
        ChatEnded(ticket_id=1, status="open"),
        CounselSessionEnded(ticket_id=1, user_key="kakao-user-1"),
        CounselUserBlocked(ticket_id=1, user_key="kakao-user-1"),
    ]
    assert {type(s) for s in samples} >= set(KINDS.values())

    for sample in samples:
        read = event_from_row(
            kind=sample.event_kind, ticket_id=sample.ticket_id, data=sample.payload()
        )
        assert read == sample


def test_optional_fields_stay_out_of_the_audit_row():
    assert Assigned(ticket_id=1, team=(None, 2)).payload() == {"team": [None, 2]}
    assert CustomerReplied(ticket_id=1, message_id=9).payload() == {"message_id": 9}


# --- listeners ---------------------------------------------------------------------


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[DomainEvent]]:
    """A task listener on ticket openings and customer messages, the only task listener
    for this test (the real ones, SLA clocks and the like, have tests of their own)."""
    only_after_commit = {k: v for k, v in dispatch._LISTENERS.items() if v.on_commit}
    monkeypatch.setattr(dispatch, "_LISTENERS", only_after_commit)
    got: list[DomainEvent] = []

    @dispatch.listener(TicketOpened, CustomerReplied)
    def remember(event: DomainEvent) -> None:
        got.append(event)

    yield got


def _dispatch_tasks() -> int:
    return DBTaskResult.objects.filter(task_path=dispatch.dispatch_events.module_path).count()


def test_a_task_listener_hears_the_events_once_the_worker_runs(email_channel, heard, run_tasks):
    result = customer_writes(email_channel)
    assert heard == []

    run_tasks()

    assert [type(event) for event in heard] == [TicketOpened, CustomerReplied]
    opened = heard[0]
    assert opened.ticket_id == result.ticket.pk
    assert opened.meta is not None
    assert opened.meta.actor_label == "connector:email"


def test_an_inquiry_enqueues_one_dispatch_task_for_all_its_events(email_channel, heard):
    with transaction.atomic():
        customer_writes(email_channel)

    assert _dispatch_tasks() == 1
    assert Event.objects.filter(batch__isnull=False).count() == 2


def test_nothing_is_enqueued_when_no_task_listener_wants_the_events(email_channel, heard):
    ticket = customer_writes(email_channel).ticket

    message = ticket.messages.get()

    # Delivery receipts (the busiest events after the intake) have no task listener;
    # ticket changes do since triggers listen to them.
    with transaction.atomic():
        actions.do_record_delivery(message=message, state=DeliveryState.SENT)

    assert Event.objects.get(kind="delivery_sent").batch is None
    assert _dispatch_tasks() == 1  # the inquiry's, not the receipt's


def test_a_reply_sent_delivered_and_read_queues_no_background_work_but_a_failure_does(
    email_channel, agent
):
    ticket = customer_writes(email_channel).ticket
    reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="확인했습니다.")

    for state in (DeliveryState.SENT, DeliveryState.DELIVERED, DeliveryState.READ):
        actions.do_record_delivery(message=reply, state=state)
    actions.do_record_delivery(message=reply, state=DeliveryState.FAILED, error="bounced")

    # An event with a batch is heard by a task listener (a dispatch task runs for it).
    batches = dict(Event.objects.filter(kind__startswith="delivery_").values_list("kind", "batch"))
    assert batches["delivery_sent"] is None
    assert batches["delivery_delivered"] is None
    assert batches["delivery_read"] is None
    assert batches["delivery_failed"] is not None  # a failure may be announced by 알림톡


def test_events_of_a_rolled_back_change_reach_no_listener(email_channel, heard, run_tasks):
    with pytest.raises(RuntimeError), transaction.atomic():
        customer_writes(email_channel)
        raise RuntimeError("the request failed after the intake")

    run_tasks()

    assert heard == []
    assert _dispatch_tasks() == 0


def test_a_failing_listener_is_retried_later_and_the_others_still_run(
    email_channel, heard, monkeypatch, run_tasks
):
    calls: list[int] = []

    @dispatch.listener(TicketOpened)
    def flaky(event: TicketOpened) -> None:
        calls.append(event.ticket_id or 0)
        if len(calls) <= 2:  # with the batch, then again alone
            raise ConnectionError("the reporting database is down")

    ticket = customer_writes(email_channel).ticket
    run_tasks()

    assert {type(e) for e in heard} == {TicketOpened, CustomerReplied}
    retry = DBTaskResult.objects.get(task_path=dispatch.run_listener.module_path)
    assert retry.run_after is not None and retry.run_after > timezone.now()
    healthy_runs = len(heard)

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_tasks()

    assert calls == [ticket.pk] * 3
    assert len(heard) == healthy_runs  # the healthy listener is not run again


def test_a_listener_s_changes_commit_once_when_another_of_its_batch_fails(
    email_channel, heard, run_tasks
):
    @dispatch.listener(TicketOpened)
    def tag_it(event: TicketOpened) -> None:
        assert event.ticket_id is not None
        # Not idempotent on purpose: a change that committed twice would show.
        Ticket.objects.filter(pk=event.ticket_id).update(subject=Concat("subject", Value("!")))

    @dispatch.listener(TicketOpened)
    def broken(event: TicketOpened) -> None:
        raise ConnectionError("the reporting database is down")

    ticket = customer_writes(email_channel, subject="Refund").ticket
    run_tasks()

    ticket.refresh_from_db()
    assert ticket.subject == "Refund!"


def test_an_inquiry_writes_its_audit_events_in_one_insert(email_channel):
    with CaptureQueriesContext(connection) as queries:
        ticket = customer_writes(email_channel).ticket

    inserts = [q for q in queries.captured_queries if 'INSERT INTO "tickets_event"' in q["sql"]]
    assert len(inserts) == 1
    assert list(ticket.events.order_by("id").values_list("kind", flat=True)) == [
        "ticket_created",
        "message_received",
    ]


def test_events_recorded_in_a_block_that_fails_are_not_written(email_channel):
    ticket = customer_writes(email_channel).ticket
    before = Event.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic(), dispatch.one_insert():
        actions.do_change_status(ticket=ticket, actor=SYSTEM, status=Status.PENDING)
        raise RuntimeError("the request failed after the change")

    assert Event.objects.count() == before


def test_a_failing_after_commit_listener_does_not_break_the_action(
    email_channel, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(dispatch, "_LISTENERS", dict(dispatch._LISTENERS))

    @dispatch.listener(TicketOpened, on_commit=True)
    def broken(event: TicketOpened) -> None:
        raise RuntimeError("a bug in a reaction")

    with django_capture_on_commit_callbacks(execute=True):
        result = customer_writes(email_channel)

    assert result.created_ticket
    assert Event.objects.filter(ticket=result.ticket, kind="ticket_created").exists()


def test_the_registry_says_who_listens_to_what():
    described = {item["listener"]: item for item in dispatch.describe()}

    live = described["sangdam.tickets.listeners.push_live"]
    assert live["runs"] == "after commit"
    assert "TicketOpened" in live["events"]


def test_a_listener_needs_an_event_type():
    with pytest.raises(TypeError):
        dispatch.listener()


def test_two_channels_events_are_told_apart(heard, run_tasks):
    web = make_channel("webform")
    mail = make_channel("email")
    customer_writes(web)
    customer_writes(mail)

    run_tasks()

    channels = [e.channel for e in heard if isinstance(e, TicketOpened)]
    assert channels == ["webform", "email"]
