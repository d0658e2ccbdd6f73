"""Schedules, SLA policies and wait times through the REST API."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from sangdam.accounts.models import Presence
from sangdam.service.models import Schedule, SlaPolicy
from tests import factories
from tests.api.conftest import ApiClient, client_for

pytestmark = pytest.mark.django_db

WEEKDAYS = {str(d): [["09:00", "18:00"]] for d in range(5)}


@pytest.fixture
def admin_api(db: None) -> ApiClient:
    return client_for(factories.make_admin())


def _recomputes() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="recompute_due_times").count()


def test_an_admin_creates_a_schedule_and_reads_whether_it_is_open(admin_api: ApiClient) -> None:
    body = {"name": "Support", "time_zone": "Asia/Seoul", "week": WEEKDAYS}
    created = admin_api.post("/schedules", body)
    assert created.status_code == 201, created.content
    listed = admin_api.get("/schedules").json()
    assert [s["name"] for s in listed] == ["Support"]
    assert listed[0]["default"] is True
    assert isinstance(listed[0]["open_now"], bool)
    assert listed[0]["open_now"] or listed[0]["next_opening"]


def test_a_schedule_change_recomputes_open_tickets_due_times(admin_api: ApiClient) -> None:
    schedule = Schedule.objects.create(name="Support", week=WEEKDAYS)
    before = _recomputes()
    answer = admin_api.patch(f"/schedules/{schedule.pk}", {"week": {"5": [["10:00", "14:00"]]}})
    assert answer.status_code == 200, answer.content
    schedule.refresh_from_db()
    assert schedule.week == {"5": [["10:00", "14:00"]]}
    assert _recomputes() == before + 1


def test_bad_hours_are_refused_with_the_field_and_change_nothing(admin_api: ApiClient) -> None:
    schedule = Schedule.objects.create(name="Support", week=WEEKDAYS)
    answer = admin_api.patch(
        f"/schedules/{schedule.pk}", {"week": {"0": [["18:00", "09:00"]]}, "time_zone": "Mars/Base"}
    )
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert "time_zone" in fields
    schedule.refresh_from_db()
    assert schedule.week == WEEKDAYS and schedule.time_zone == "Asia/Seoul"


def test_an_agent_may_read_but_not_change_the_service_levels(api: ApiClient) -> None:
    schedule = Schedule.objects.create(name="Support", week=WEEKDAYS)
    assert api.get(f"/schedules/{schedule.pk}").status_code == 200
    refused = api.patch(f"/schedules/{schedule.pk}", {"name": "Mine"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert (
        api.post("/sla-policies", {"name": "Fast", "first_response_minutes": 5}).status_code == 403
    )
    assert not SlaPolicy.objects.exists()


def test_the_preview_names_a_korean_holiday(admin_api: ApiClient) -> None:
    schedule = Schedule.objects.create(name="Support", week=WEEKDAYS, holiday_country="KR")
    days = admin_api.get(f"/schedules/{schedule.pk}/preview", {"days": 60}).json()
    assert len(days) == 60
    # Any 60 days hold a weekend: closed days have no spans.
    assert any(not d["spans"] for d in days)
    assert all(d["spans"] in ([], ["09:00–18:00"]) for d in days)


def test_an_sla_policy_is_created_changed_and_applied_to_new_tickets(
    admin_api: ApiClient, run_tasks: Any
) -> None:
    channel = factories.make_channel("email", name="Mail")
    created = admin_api.post(
        "/sla-policies",
        {"name": "Mail", "channel_ids": [channel.pk], "first_response_minutes": 60},
    ).json()
    assert created["channel_ids"] == [channel.pk]
    changed = admin_api.patch(
        f"/sla-policies/{created['id']}", {"first_response_minutes": 30, "resolution_minutes": None}
    )
    assert changed.status_code == 200
    assert changed.json()["first_response_minutes"] == 30
    ticket = factories.customer_writes(channel).ticket
    run_tasks()
    ticket.refresh_from_db()
    assert factories.due_times(ticket).first_response_due_at is not None
    assert factories.due_times(ticket).resolution_due_at is None


def test_a_policy_naming_a_missing_topic_is_refused(admin_api: ApiClient) -> None:
    answer = admin_api.post("/sla-policies", {"name": "Ghost", "topic_ids": [987654]})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "topic_ids"
    assert not SlaPolicy.objects.exists()


def test_a_deleted_policy_no_longer_applies(admin_api: ApiClient) -> None:
    policy = SlaPolicy.objects.create(name="All", first_response_minutes=60)
    assert (
        admin_api.client.delete(
            f"/api/v1/sla-policies/{policy.pk}", headers=admin_api.headers
        ).status_code
        == 204
    )
    assert admin_api.get(f"/sla-policies/{policy.pk}").status_code == 404


def test_wait_times_count_the_waiting_inquiries_and_the_agents_online(api: ApiClient) -> None:
    channel = factories.make_channel("chat", name="Website chat")
    factories.make_agent("Minho", presence=Presence.ONLINE)
    factories.customer_writes(channel, sender=("chat", "visitor-1"))
    [wait] = [w for w in api.get("/wait-times").json() if w["name"] == "Website chat"]
    assert wait["waiting"] == 1
    assert wait["agents_available"] >= 1
    assert wait["reason"] == ""
    assert isinstance(wait["minutes"], int) and wait["minutes"] >= 1


def test_an_sla_policy_for_an_unknown_priority_is_refused(admin_api: ApiClient) -> None:
    answer = admin_api.post("/sla-policies", {"name": "Typo", "priorities": ["urgnet"]})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "priorities"
    assert not SlaPolicy.objects.exists()
