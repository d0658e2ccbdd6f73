"""The automatic answer task is queued only when it may answer: closed, or a promise to make."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from sangdam.service.models import Schedule
from sangdam.tickets.models import Message
from tests.webhooks.test_door import _message, _post

pytestmark = pytest.mark.django_db

ALWAYS_OPEN = {str(d): [["00:00", "00:00"]] for d in range(7)}
NEVER_OPEN: dict[str, list[list[str]]] = {str(d): [] for d in range(7)}
TASK = "sangdam.connectors.webhooks.followups.answer_outside_hours"


def test_in_opening_hours_with_nothing_to_promise_a_message_queues_no_answer(
    hook_channel, run_tasks
):
    Schedule.objects.create(name="open", channel=hook_channel, week=ALWAYS_OPEN, holiday_country="")

    _post(hook_channel, _message(1))
    run_tasks()

    assert Message.objects.filter(external_id="m1").exists()
    assert not DBTaskResult.objects.filter(task_path=TASK).exists()


def test_a_message_while_closed_gets_the_outside_hours_answer(hook_channel, run_tasks):
    Schedule.objects.create(name="shut", channel=hook_channel, week=NEVER_OPEN, holiday_country="")

    _post(hook_channel, _message(1))
    run_tasks()

    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1
    ticket = Message.objects.get(external_id="m1").ticket
    assert ticket.messages.filter(metadata__has_key="outside_hours_until").count() == 1


def test_in_opening_hours_a_new_ticket_hears_the_promise_once(hook_channel, run_tasks):
    from sangdam.service.models import SlaPolicy

    Schedule.objects.create(name="open", channel=hook_channel, week=ALWAYS_OPEN, holiday_country="")
    SlaPolicy.objects.create(name="Messengers", first_response_minutes=120)

    _post(hook_channel, _message(1))
    run_tasks()
    _post(hook_channel, _message(2))
    run_tasks()

    ticket = Message.objects.get(external_id="m1").ticket
    assert ticket.messages.filter(metadata__expected_reply=True).count() == 1
