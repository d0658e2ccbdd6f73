from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sangdam.connectors.models import Channel
from sangdam.connectors.telegram.fake import FakeTelegram
from tests import factories

FIXTURES = Path(__file__).parents[2] / "sangdam/connectors/telegram/fixtures"
TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
SECRET = "tg-webhook-secret_0123456789"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        fake.tokens = {TOKEN}
        yield fake


@pytest.fixture
def telegram_channel(db, telegram: FakeTelegram) -> Channel:
    return factories.make_channel(
        "telegram",
        name="Telegram",
        config={"api_base": telegram.url, "bot_username": "sangdam_demo_bot"},
        secrets={"bot_token": TOKEN, "webhook_secret": SECRET},
    )
