"""The confirmation email survives a mail server that is down: it is retried, not lost."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sangdam.tickets.models import Ticket, Topic
from tests.portal.conftest import form_data

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_confirmation_is_sent_later_when_the_mail_server_was_down(
    client: Client, webform: Any, refund: Topic, run_tasks: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    settings.DELIVERY_BACKOFF_SECONDS = 3600
    client.post("/contact/new", form_data(client))
    run_tasks()
    retry = DBTaskResult.objects.filter(
        task_path__endswith="send_portal_email", status="READY"
    ).get()
    assert retry.args_kwargs["args"][-1] == 2  # the second attempt, an hour later
    assert Ticket.objects.count() == 1

    # An hour later the mail server is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_tasks()
    (message,) = mail.outbox
    assert message.to == ["minji@example.com"]
    assert Ticket.objects.get().reference in message.subject


def test_an_inquiry_and_its_confirmation_cost_one_background_task(
    client: Client, webform: Any, refund: Topic, run_tasks: Any
) -> None:
    client.post("/contact/new", form_data(client))

    # The confirmation rides on the inquiry's one dispatch task (SLA clock, routing,
    # search index, mail): the worker claims one row per inquiry, not two.
    assert DBTaskResult.objects.count() == 1
    run_tasks()
    (message,) = mail.outbox
    assert Ticket.objects.get().reference in message.subject
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
