"""Telegram retrying one update many times at once still gives one message."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from sangdam.connectors.models import InboundEvent
from sangdam.connectors.telegram.fake import FakeTelegram
from sangdam.tickets.models import Message
from tests.telegram.conftest import SECRET, fixture


@pytest.mark.django_db(transaction=True)
def test_the_same_update_ten_times_at_once_makes_one_message(
    live_server, telegram_channel, telegram: FakeTelegram, run_tasks
):
    url = f"{live_server.url}/hooks/telegram/{telegram_channel.key}"
    update = fixture("text")

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: telegram.deliver(url, SECRET, update), range(10)))
    run_tasks()

    assert [a.status_code for a in answers] == [200] * 10
    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 1
