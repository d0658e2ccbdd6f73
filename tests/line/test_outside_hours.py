"""Outside opening hours a LINE customer is told when we open again, once."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sangdam.connectors.line.fake import FakeLine
from sangdam.connectors.models import Channel
from sangdam.service.models import Schedule
from tests.line.conftest import post_webhook


def test_a_message_outside_hours_gets_the_next_opening_time_once(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    today = dt.datetime.now(ZoneInfo("Asia/Seoul")).weekday()
    week: dict[str, list[list[str]]] = {str(d): [] for d in range(7)}
    week[str((today + 3) % 7)] = [["09:00", "18:00"]]
    Schedule.objects.create(name="LINE", channel=line_channel, week=week, holiday_country="")
    post_webhook(line_channel, fake_line.webhook("text", text="문의드립니다"))
    run_tasks()
    post_webhook(line_channel, fake_line.webhook("sticker"))
    run_tasks()
    answers = [m for call in fake_line.replies + fake_line.pushes for m in call["messages"]]
    assert len(answers) == 1
    assert "다시 엽니다" in answers[0]["text"]  # "we open again at ...", in her language
    # It used the customer's reply token: a free reply, not a push.
    assert len(fake_line.replies) == 1
