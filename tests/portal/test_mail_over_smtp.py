"""The portal's emails through a real SMTP receiver (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Ticket, Topic
from tests.delivery.smtp_server import MailSink, smtp_server
from tests.portal.conftest import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings: Any) -> Iterator[MailSink]:
    with smtp_server() as (mail_sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        yield mail_sink


def test_the_confirmation_arrives_over_smtp_with_a_working_link(
    client: Client, webform: Any, refund: Topic, run_tasks: Any, sink: MailSink
) -> None:
    client.post("/contact/new", form_data(client))
    run_tasks()
    (mail,) = sink.messages
    ticket = Ticket.objects.get()
    assert mail["To"] == "minji@example.com"
    assert ticket.reference in str(mail["Subject"])
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    link = str(body.get_content()).split("/s/", 1)[1].split()[0]
    assert client.get(f"/s/{link}").status_code == 200


def test_crlf_in_name_and_subject_adds_no_recipient_over_smtp(
    client: Client, webform: Any, refund: Topic, run_tasks: Any, sink: MailSink, agent: Any
) -> None:
    client.post(
        "/contact/new",
        form_data(
            client,
            name="Mallory\r\nBcc: victim@example.org",
            subject="Refund\r\nBcc: victim@example.org\r\n\r\nforged body",
        ),
    )
    ticket = Ticket.objects.get()
    actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="확인했습니다.")
    run_tasks()
    assert len(sink.received) == 2  # the confirmation and the agent's reply
    for _sender, recipients, mail in sink.received:
        assert recipients == ["minji@example.com"]
        assert mail["Bcc"] is None
        assert "forged body" not in str(mail.get_body(preferencelist=("plain",)))
