"""Admins edit schedules in the console and see what the next 14 days look like."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client
from django.utils import timezone

from sangdam.connectors.models import Channel
from sangdam.service.models import Schedule, SlaPolicy
from tests import factories

WEEKDAYS = {f"day_{d}": "09:00-12:00, 13:00-18:00" for d in range(5)}


def _post(client: Client, url: str, **fields: object) -> str:
    data: dict[str, object] = {
        "name": "Seoul office",
        "time_zone": "Asia/Seoul",
        "holiday_country": "kr",
        **WEEKDAYS,
        **fields,
    }
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_schedule_pages_are_for_admins_only(agent_client: Client) -> None:
    assert agent_client.get("/admin/schedules/").status_code == 403
    assert agent_client.post("/admin/schedules/new/", {"name": "x"}).status_code == 403


def test_admin_creates_the_company_default_with_a_lunch_break(boss_client: Client) -> None:
    _post(boss_client, "/admin/schedules/new/", day_5="10:00-14:00")
    schedule = Schedule.objects.get()
    assert schedule.is_default
    assert schedule.holiday_country == "KR"
    assert schedule.week["0"] == [["09:00", "12:00"], ["13:00", "18:00"]]
    assert schedule.week["5"] == [["10:00", "14:00"]]
    assert schedule.week["6"] == []


def test_the_preview_shows_the_next_fourteen_days_with_holidays_and_special_hours(
    boss_client: Client,
) -> None:
    today = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=9))).date()
    special = today + dt.timedelta(days=2)
    closed = today + dt.timedelta(days=3)
    html = _post(
        boss_client,
        "/admin/schedules/new/",
        day_5="",
        day_6="",
        special_text=f"{special.isoformat()} 10:00-13:00 Short day",
        closures_text=f"{closed.isoformat()} Inventory",
    )
    assert html.count('class="preview-day') == 14
    assert "10:00–13:00" in html and "Short day" in html
    assert "Inventory" in html


def test_overlapping_spans_are_refused_and_nothing_is_saved(boss_client: Client) -> None:
    html = _post(boss_client, "/admin/schedules/new/", day_0="09:00-13:00, 12:00-18:00")
    assert "overlap" in html
    assert not Schedule.objects.exists()


def test_a_channel_gets_its_own_schedule_next_to_the_default(boss_client: Client) -> None:
    phone = factories.make_channel("phone", address="+82 1588-0000")
    _post(boss_client, "/admin/schedules/new/")
    _post(boss_client, "/admin/schedules/new/", name="Phone", channel=phone.pk, day_0="10:00-16:00")
    assert Schedule.objects.get(channel=phone).week["0"] == [["10:00", "16:00"]]
    html = _post(boss_client, "/admin/schedules/new/", name="Second default")
    assert "already a company default" in html


def test_admin_creates_an_sla_policy_and_open_tickets_get_due_times(
    boss_client: Client, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    ticket = factories.customer_writes(email_channel).ticket
    run_tasks()
    assert factories.due_times(ticket).sla_due_at is None
    boss_client.post(
        "/admin/sla/new/",
        {
            "name": "Urgent and normal",
            "position": 1,
            "active": "on",
            "priorities": ["urgent", "normal"],
            "first_response_minutes": 120,
            "resolution_minutes": 2400,
        },
    )
    policy = SlaPolicy.objects.get()
    assert policy.priorities == ["urgent", "normal"]
    assert "Urgent and normal" in boss_client.get("/admin/sla/").content.decode()
    run_tasks()  # the recompute the change enqueued
    assert factories.due_times(ticket).first_response_due_at is not None


def test_editing_the_hours_moves_open_tickets_due_times(
    boss_client: Client, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    SlaPolicy.objects.create(name="All", first_response_minutes=60)
    _post(boss_client, "/admin/schedules/new/")
    ticket = factories.customer_writes(email_channel).ticket
    run_tasks()
    before = factories.due_times(ticket).first_response_due_at
    schedule = Schedule.objects.get()
    _post(
        boss_client,
        f"/admin/schedules/{schedule.pk}/",
        **{f"day_{d}": "" for d in range(5)},
        day_6="00:00-00:00",
    )
    run_tasks()
    after = factories.due_times(ticket).first_response_due_at
    assert before is not None and after is not None and after != before
