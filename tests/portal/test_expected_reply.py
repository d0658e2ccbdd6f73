"""The web form's thank-you page and confirmation email say when to expect a reply."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from sangdam.service.models import Schedule, SlaPolicy
from sangdam.tickets.models import Topic
from tests.portal.conftest import form_data

pytestmark = pytest.mark.django_db


def test_the_thank_you_page_and_the_confirmation_say_when_to_expect_a_reply(
    client: Client, webform: Any, refund: Topic, run_tasks: Any
) -> None:
    Schedule.objects.create(
        name="Always", week={str(d): [["00:00", "00:00"]] for d in range(7)}, holiday_country=""
    )
    SlaPolicy.objects.create(name="Web", first_response_minutes=240)
    response = client.post("/contact/new", form_data(client), follow=True)
    html = response.content.decode()
    assert 'id="promise"' in html
    assert "4시간 이내에 답변드립니다" in html or "within 4 business hours" in html
    run_tasks()
    (message,) = mail.outbox
    assert "4시간 이내에 답변드립니다" in message.body or "within 4 business hours" in message.body


def test_without_a_policy_the_thank_you_page_promises_nothing(
    client: Client, webform: Any, refund: Topic
) -> None:
    html = client.post("/contact/new", form_data(client), follow=True).content.decode()
    assert 'id="promise"' not in html
