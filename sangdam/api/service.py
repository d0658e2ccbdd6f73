"""Service levels over the API: schedules (with open now / next opening and a preview), SLA
policies, and the honest wait per channel. Reading needs any token; changing needs an
admin's. A change recomputes every open ticket's due times, as in the console."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sangdam.api.auth import api_user
from sangdam.api.errors import ApiError, not_found, validation_error
from sangdam.api.schemas import ERRORS
from sangdam.routing.waits import channel_waits
from sangdam.service.actions import (
    PREVIEW_DAYS,
    do_delete_policy,
    do_delete_schedule,
    do_save_policy,
    do_save_schedule,
    preview,
)
from sangdam.service.hours import is_open, next_opening
from sangdam.service.models import Schedule, SlaPolicy
from sangdam.service.selectors import schedule_book

router = Router(tags=["service levels"])

Spans = list[list[str]]


class ScheduleIn(Schema):
    name: str = Field(max_length=120)
    time_zone: str = "Asia/Seoul"
    week: dict[str, Spans] = Field(
        default_factory=dict,
        description='weekday ("0" Monday … "6" Sunday) → spans like [["09:00", "18:00"]]',
    )
    holiday_country: str = Field("KR", description="ISO country code; empty for none")
    closures: list[dict[str, str]] = Field(
        default_factory=list, description='[{"date": "2026-12-31", "name": "Year end"}]'
    )
    special_hours: list[dict[str, Any]] = Field(
        default_factory=list,
        description='[{"date": "2026-12-24", "hours": [["09:00", "13:00"]], "name": "…"}]',
    )
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    channel_id: int | None = Field(None, description="a channel's own hours")
    team_id: int | None = Field(None, description="a team's own hours")


class SchedulePatch(Schema):
    name: str | None = Field(None, max_length=120)
    time_zone: str | None = None
    week: dict[str, Spans] | None = None
    holiday_country: str | None = None
    closures: list[dict[str, str]] | None = None
    special_hours: list[dict[str, Any]] | None = None
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None


class ScheduleOut(Schema):
    id: int
    name: str
    default: bool = Field(description="the center's default (no channel, no team)")
    time_zone: str
    week: dict[str, Spans]
    holiday_country: str
    closures: list[dict[str, Any]]
    special_hours: list[dict[str, Any]]
    effective_from: dt.date | None
    effective_until: dt.date | None
    channel_id: int | None
    team_id: int | None
    open_now: bool
    next_opening: dt.datetime | None


class PreviewDayOut(Schema):
    day: dt.date
    spans: list[str]
    note: str


class PolicyIn(Schema):
    name: str = Field(max_length=120)
    position: int = Field(0, ge=0, le=32767)
    active: bool = True
    priorities: list[str] = Field(default_factory=list, description="empty: any priority")
    tiers: list[str] = Field(default_factory=list, description="customer tiers; empty: any")
    topic_ids: list[int] = Field(default_factory=list)
    channel_ids: list[int] = Field(default_factory=list)
    first_response_minutes: int | None = Field(None, ge=1, description="business minutes")
    next_response_minutes: int | None = Field(None, ge=1)
    resolution_minutes: int | None = Field(None, ge=1)


class PolicyPatch(Schema):
    name: str | None = Field(None, max_length=120)
    position: int | None = Field(None, ge=0, le=32767)
    active: bool | None = None
    priorities: list[str] | None = None
    tiers: list[str] | None = None
    topic_ids: list[int] | None = None
    channel_ids: list[int] | None = None
    first_response_minutes: int | None = Field(None, ge=1)
    next_response_minutes: int | None = Field(None, ge=1)
    resolution_minutes: int | None = Field(None, ge=1)


class PolicyOut(Schema):
    id: int
    name: str
    position: int
    active: bool
    priorities: list[str]
    tiers: list[str]
    topic_ids: list[int]
    channel_ids: list[int]
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None


def _admin(request: HttpRequest) -> None:
    if not api_user(request).is_admin:
        raise ApiError(403, "permission_denied", _("Only an admin can change the service levels."))


# Fields a PATCH may set to null: the dates switch a limit off, the targets a metric.
NULLABLE = frozenset(
    {
        "effective_from",
        "effective_until",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
    }
)


def _not_null(fields: dict[str, Any], nullable: frozenset[str]) -> dict[str, Any]:
    for field, value in fields.items():
        if value is None and field not in nullable:
            raise validation_error(field, _("This field cannot be null."))
    return fields


def _refused(exc: ValidationError) -> ApiError:
    errors = [
        {"field": field, "message": str(message)}
        for field, messages in exc.message_dict.items()
        for message in messages
    ]
    return ApiError(422, "validation_error", _("The request is not valid."), errors=errors)


def _schedule_out(schedule: Schedule) -> dict[str, Any]:
    now = timezone.now()
    hours = schedule_book().hours_of(schedule)
    open_now = is_open(hours, now) if hours else True
    return {
        "id": schedule.pk,
        "name": schedule.name,
        "default": schedule.is_default,
        "time_zone": schedule.time_zone,
        "week": schedule.week or {},
        "holiday_country": schedule.holiday_country,
        "closures": schedule.closures or [],
        "special_hours": schedule.special_hours or [],
        "effective_from": schedule.effective_from,
        "effective_until": schedule.effective_until,
        "channel_id": schedule.channel_id,
        "team_id": schedule.team_id,
        "open_now": open_now,
        "next_opening": next_opening(hours, now) if hours and not open_now else None,
    }


def _schedule(schedule_id: int) -> Schedule:
    schedule = Schedule.objects.filter(pk=schedule_id).first()
    if schedule is None:
        raise not_found(_("Schedule"))
    return schedule


def _save_schedule(schedule: Schedule) -> Schedule:
    try:
        return do_save_schedule(schedule)
    except ValidationError as exc:
        raise _refused(exc) from exc


@router.get("/schedules", response={200: list[ScheduleOut], **ERRORS})
def list_schedules(request: HttpRequest) -> list[dict[str, Any]]:
    """Every schedule with whether it is open now and, if not, when it opens."""
    return [_schedule_out(s) for s in Schedule.objects.order_by("name", "id")]


@router.post("/schedules", response={201: ScheduleOut, **ERRORS})
def create_schedule(request: HttpRequest, payload: ScheduleIn) -> Status[dict[str, Any]]:
    """A new schedule (admins). Open tickets' due times are recomputed."""
    _admin(request)
    schedule = _save_schedule(Schedule(**payload.dict()))
    return Status(201, _schedule_out(schedule))


@router.get("/schedules/{schedule_id}", response={200: ScheduleOut, **ERRORS})
def get_schedule(request: HttpRequest, schedule_id: int) -> dict[str, Any]:
    return _schedule_out(_schedule(schedule_id))


@router.patch("/schedules/{schedule_id}", response={200: ScheduleOut, **ERRORS})
def update_schedule(
    request: HttpRequest, schedule_id: int, payload: SchedulePatch
) -> dict[str, Any]:
    """Change the fields given (admins); the rest stay. Due times are recomputed."""
    _admin(request)
    schedule = _schedule(schedule_id)
    for field, value in _not_null(payload.dict(exclude_unset=True), NULLABLE).items():
        setattr(schedule, field, value)
    return _schedule_out(_save_schedule(schedule))


@router.delete("/schedules/{schedule_id}", response={204: None, **ERRORS})
def delete_schedule(request: HttpRequest, schedule_id: int) -> HttpResponse:
    """Delete a channel's or team's own hours (they fall back to the default); the
    default schedule itself cannot be deleted while others exist."""
    _admin(request)
    schedule = _schedule(schedule_id)
    if schedule.is_default and Schedule.objects.exclude(pk=schedule.pk).exists():
        raise ApiError(409, "default_schedule", _("The default schedule is used by the others."))
    do_delete_schedule(schedule)
    return HttpResponse(status=204)


@router.get("/schedules/{schedule_id}/preview", response={200: list[PreviewDayOut], **ERRORS})
def preview_schedule(request: HttpRequest, schedule_id: int, days: int = PREVIEW_DAYS) -> list[Any]:
    """The open hours of the next `days` days (1–60) with holidays and closures named."""
    hours = schedule_book().hours_of(_schedule(schedule_id))
    if hours is None:
        return []
    days = max(1, min(days, 60))
    return list(preview(hours, timezone.now().astimezone(hours.zone).date(), days))


def _policy_out(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "id": policy.pk,
        "name": policy.name,
        "position": policy.position,
        "active": policy.active,
        "priorities": policy.priorities or [],
        "tiers": policy.tiers or [],
        "topic_ids": sorted(t.pk for t in policy.topics.all()),
        "channel_ids": sorted(c.pk for c in policy.channels.all()),
        "first_response_minutes": policy.first_response_minutes,
        "next_response_minutes": policy.next_response_minutes,
        "resolution_minutes": policy.resolution_minutes,
    }


def _policy(policy_id: int) -> SlaPolicy:
    policy = SlaPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise not_found(_("SLA policy"))
    return policy


def _save_policy(policy: SlaPolicy, fields: dict[str, Any]) -> SlaPolicy:
    topic_ids, channel_ids = fields.pop("topic_ids", None), fields.pop("channel_ids", None)
    for field, value in fields.items():
        setattr(policy, field, value)
    from sangdam.connectors.models import Channel
    from sangdam.tickets.models import Topic

    for name, ids, model in (
        ("topic_ids", topic_ids, Topic),
        ("channel_ids", channel_ids, Channel),
    ):
        if ids and model.objects.filter(pk__in=ids).count() != len(set(ids)):
            raise _refused(ValidationError({name: [_("Some of these ids do not exist.")]}))
    try:
        return do_save_policy(policy, topic_ids=topic_ids, channel_ids=channel_ids)
    except ValidationError as exc:
        raise _refused(exc) from exc


@router.get("/sla-policies", response={200: list[PolicyOut], **ERRORS})
def list_policies(request: HttpRequest) -> list[dict[str, Any]]:
    """Policies in the order they are tried; the first whose conditions all match applies."""
    rows = SlaPolicy.objects.prefetch_related("topics", "channels").order_by("position", "id")
    return [_policy_out(p) for p in rows]


@router.post("/sla-policies", response={201: PolicyOut, **ERRORS})
def create_policy(request: HttpRequest, payload: PolicyIn) -> Status[dict[str, Any]]:
    """A new policy (admins). Open tickets' due times are recomputed."""
    _admin(request)
    return Status(201, _policy_out(_save_policy(SlaPolicy(), payload.dict())))


@router.get("/sla-policies/{policy_id}", response={200: PolicyOut, **ERRORS})
def get_policy(request: HttpRequest, policy_id: int) -> dict[str, Any]:
    return _policy_out(_policy(policy_id))


@router.patch("/sla-policies/{policy_id}", response={200: PolicyOut, **ERRORS})
def update_policy(request: HttpRequest, policy_id: int, payload: PolicyPatch) -> dict[str, Any]:
    """Change the fields given (admins); a target set to null is switched off."""
    _admin(request)
    fields = _not_null(payload.dict(exclude_unset=True), NULLABLE)
    return _policy_out(_save_policy(_policy(policy_id), fields))


@router.delete("/sla-policies/{policy_id}", response={204: None, **ERRORS})
def delete_policy(request: HttpRequest, policy_id: int) -> HttpResponse:
    _admin(request)
    do_delete_policy(_policy(policy_id))
    return HttpResponse(status=204)


@router.get("/wait-times", response={200: list[dict[str, Any]], **ERRORS})
def wait_times(request: HttpRequest) -> list[dict[str, object]]:
    """The honest wait to a first answer on each enabled channel (docs/service-levels.md)."""
    return [item.as_json() for item in channel_waits()]
