from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from sangdam.connectors.models import Channel
from sangdam.tickets.models import Topic
from tests import factories

PNG = factories.PNG


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def webform(db: Any) -> Channel:
    return factories.make_channel("webform", name="홈페이지 문의")


@pytest.fixture
def refund(db: Any) -> Topic:
    return factories.make_topic("payment-refund", ko="결제 및 환불", en="Payment & refund")


@pytest.fixture
def client() -> Client:
    return Client(enforce_csrf_checks=False)


def nonce_of(html: str) -> str:
    found = re.search(r'name="nonce" value="([0-9a-f]+)"', html)
    assert found, "the form carries a nonce"
    return found.group(1)


def form_data(client: Client, **overrides: Any) -> dict[str, Any]:
    """A valid submission of a freshly rendered form (Minji Kim, Korean)."""
    page = client.get("/contact/new")
    data: dict[str, Any] = {
        "nonce": nonce_of(page.content.decode()),
        "name": "김민지",
        "email": "minji@example.com",
        "phone": "010-1234-5678",
        "topic": "payment-refund",
        "x_payment-refund_order_number": "",
        "subject": "결제가 두 번 되었어요",
        "description": "어제 결제했는데 카드에서 두 번 빠져나갔습니다.",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def magic_link(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://[^\s]+/s/[^\s]+/", str(message.body))
    assert found, message.body
    return found.group(0).split("://", 1)[1].split("/", 1)[1].join(["/", ""])
