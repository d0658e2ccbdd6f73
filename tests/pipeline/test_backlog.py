"""A worker behind a backlog of inquiries works it off together, and loses nothing doing so.

Dispatch tasks waiting one behind another are claimed together (sangdam.core.taskloop
``runs_together``): one claim, one read of their events, one transaction for their
listeners. Each listener still hears one transaction's events per call, and one failing
inquiry holds back no other.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_tasks_db.models import DBTaskResult

from sangdam.search.models import SearchDocument
from sangdam.tickets import dispatch
from sangdam.tickets.events import CustomerReplied, DomainEvent, TicketOpened
from sangdam.tickets.models import Ticket
from tests.factories import customer_writes, make_channel, make_topic
from tests.portal.conftest import form_data

# Each inquiry its own transaction (as in production), so each has its own dispatch task.
pytestmark = pytest.mark.django_db(transaction=True)


def _dispatch_tasks() -> Any:
    return DBTaskResult.objects.filter(task_path=dispatch.dispatch_events.module_path)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[DomainEvent]]]:
    """The only task listener: a batch one, remembering the events of each call."""
    only_after_commit = {k: v for k, v in dispatch._LISTENERS.items() if v.on_commit}
    monkeypatch.setattr(dispatch, "_LISTENERS", only_after_commit)
    got: list[list[DomainEvent]] = []

    @dispatch.listener(TicketOpened, CustomerReplied, batch=True)
    def remember(events: list[DomainEvent]) -> None:
        got.append(list(events))

    yield got


def test_a_backlog_is_claimed_together_and_each_call_hears_one_inquiry(
    calls: list[list[DomainEvent]], run_tasks: Any
) -> None:
    channel = make_channel("email")
    tickets = [customer_writes(channel, subject=f"Order {n}").ticket for n in range(6)]

    run_tasks()

    # One call per inquiry, in the order they came, each with that inquiry's two events.
    assert [[e.ticket_id for e in call] for call in calls] == [[t.pk, t.pk] for t in tickets]
    assert [[type(e) for e in call] for call in calls] == [[TicketOpened, CustomerReplied]] * 6
    done = list(_dispatch_tasks().order_by("enqueued_at"))
    assert {task.status for task in done} == {"SUCCESSFUL"}
    # The first ran as it came; the five behind it ran together (one success for all).
    assert len({task.finished_at for task in done[1:]}) == 1
    assert done[0].finished_at != done[1].finished_at


def test_one_failing_inquiry_in_a_backlog_holds_back_no_other(
    calls: list[list[DomainEvent]], run_tasks: Any
) -> None:
    channel = make_channel("email")
    tickets = [customer_writes(channel, subject=f"Order {n}").ticket for n in range(5)]
    poisoned = tickets[3].pk

    @dispatch.listener(TicketOpened)
    def picky(event: TicketOpened) -> None:
        if event.ticket_id == poisoned:
            raise ConnectionError("the reporting database is down")

    run_tasks()

    heard = {e.ticket_id for call in calls for e in call}
    assert heard == {t.pk for t in tickets}
    assert {task.status for task in _dispatch_tasks()} == {"SUCCESSFUL"}
    retry = DBTaskResult.objects.get(task_path=dispatch.run_listener.module_path)
    assert retry.args_kwargs["args"][0].endswith("picky")


def test_web_inquiries_waiting_together_are_each_confirmed_and_findable(
    run_tasks: Any,
) -> None:
    make_channel("webform", name="홈페이지 문의")
    make_topic("payment-refund", ko="결제 및 환불", en="Payment & refund")
    client = Client()
    for n in range(4):
        client.post("/contact/new", form_data(client, email=f"c{n}@example.com"))

    run_tasks()

    assert sorted(m.to[0] for m in mail.outbox) == [f"c{n}@example.com" for n in range(4)]
    assert SearchDocument.objects.count() == Ticket.objects.count() == 4
    assert {task.status for task in DBTaskResult.objects.all()} == {"SUCCESSFUL"}


def test_a_listener_that_may_hear_many_transactions_hears_the_backlog_in_one_call(
    calls: list[list[DomainEvent]], run_tasks: Any
) -> None:
    heard: list[list[int | None]] = []

    @dispatch.listener(TicketOpened, batch=True, across=True)
    def index(events: list[DomainEvent]) -> None:
        heard.append([e.ticket_id for e in events])

    channel = make_channel("email")
    tickets = [customer_writes(channel, subject=f"Order {n}").ticket for n in range(4)]

    run_tasks()

    # The first inquiry ran alone; the three waiting behind it came in one call.
    assert heard == [[tickets[0].pk], [t.pk for t in tickets[1:]]]
    assert len(calls) == 4  # the per-transaction listener still heard each alone


def test_only_batch_task_listeners_may_hear_many_transactions_at_once() -> None:
    with pytest.raises(TypeError):
        dispatch.listener(TicketOpened, across=True)
    with pytest.raises(TypeError):
        dispatch.listener(TicketOpened, batch=True, atomic=False, across=True)
