"""Schedules: when a channel (or the whole center) answers.

A schedule with no channel is the center's default; a channel may have its own. The
rules themselves live in :mod:`sangdam.service.hours` as pure functions.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib.metadata import version
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangdam.core.lean import load_holiday_countries_one_by_one
from sangdam.customers.models import Tier
from sangdam.service.hours import (
    HolidayTable,
    Interval,
    WeeklyHours,
    holiday_table,
    parse_intervals,
    parse_spans,
    read_holiday_table,
)
from sangdam.tickets.models import Priority


def _validate_week(value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("Weekly hours must map weekdays to time spans."))
    try:
        parse_intervals(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(str(exc)) from exc


def _validate_special(value: object) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Special hours must be a list of dates with their hours."))
    try:
        parse_special(value)
    except (TypeError, ValueError, KeyError) as exc:
        raise ValidationError(str(exc)) from exc


def parse_special(
    raw: list[dict[str, object]],
) -> tuple[dict[dt.date, list[Interval]], dict[dt.date, str]]:
    """``[{"date": "2026-12-31", "hours": [["09:00", "13:00"]], "name": "..."}]`` → typed."""
    spans: dict[dt.date, list[Interval]] = {}
    names: dict[dt.date, str] = {}
    for item in raw:
        day = dt.date.fromisoformat(str(item["date"]))
        hours = item.get("hours") or []
        if not isinstance(hours, list):
            raise ValueError(f"{day}: hours must be a list of spans")
        spans[day] = parse_spans(hours)
        names[day] = str(item.get("name") or "")
    return spans, names


def _validate_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(zone)s") % {"zone": value}) from exc


def _validate_country(value: str) -> None:
    load_holiday_countries_one_by_one()  # see hours._calendar
    import holidays

    if value and value.upper() not in holidays.list_supported_countries():
        raise ValidationError(_("No holiday calendar for country %(code)s") % {"code": value})


# How many years past this one a saved schedule knows its holidays for; later years (and
# earlier than last year) are asked of the package when a question reaches them.
HOLIDAY_YEARS_AHEAD = 5


@cache
def holidays_version() -> str:
    """The installed ``holidays`` release (its metadata only: the package is not loaded)."""
    return version("holidays")


def work_out_holidays(country: str) -> dict[str, Any]:
    """``Schedule.holiday_table`` for a country ({} for none): its holidays from last year
    to HOLIDAY_YEARS_AHEAD years ahead, named in the country's language and the site's."""
    country = country.upper()
    if not country:
        return {}
    this_year = timezone.now().year
    years = range(this_year - 1, this_year + HOLIDAY_YEARS_AHEAD + 1)
    languages = [code for code, _name in settings.LANGUAGES]
    try:
        years_table = holiday_table(country, "", years, languages)
    except NotImplementedError:  # a country this holidays release does not know
        return {}
    return {"country": country, "version": holidays_version(), "years": years_table}


class Schedule(models.Model):
    name = models.CharField(_("name"), max_length=120)
    # One schedule per channel at most; the one without a channel is the default.
    channel = models.OneToOneField(
        "connectors.Channel",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedule",
        verbose_name=_("channel"),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Seoul", validators=[_validate_zone]
    )
    # {"0": [["09:00", "18:00"]], ..., "6": []}: 0 is Monday; "00:00" as an end is midnight.
    week = models.JSONField(_("weekly hours"), default=dict, validators=[_validate_week])
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=8,
        blank=True,
        default="KR",
        validators=[_validate_country],
    )
    # The public holidays of ``holiday_country`` from last year to HOLIDAY_YEARS_AHEAD years
    # ahead, in every language of the site, worked out when the schedule is saved
    # (``hours.holiday_table``): serving processes answer from it without the package.
    holiday_table = models.JSONField(default=dict, blank=True, editable=False)
    # Extra closed days: [{"date": "2026-12-31", "name": "year-end inventory"}].
    closures = models.JSONField(_("closures"), default=list, blank=True)
    # Dates with their own hours: [{"date": "2026-12-24", "hours": [["09:00", "13:00"]]}].
    special_hours = models.JSONField(
        _("special hours"), default=list, blank=True, validators=[_validate_special]
    )
    # A team's own hours (its SLA clocks count on them); one schedule per team at most.
    team = models.OneToOneField(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedule",
        verbose_name=_("team"),
    )
    # Outside these dates the company default applies (a summer schedule, a new one
    # prepared ahead); empty means always.
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__isnull=True) | models.Q(team__isnull=True),
                name="schedule_channel_or_team",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if (fields is None or "holiday_country" in fields) and not self._holidays_current():
            # Loads the package in this process (an admin's save), not in every process.
            self.holiday_table = work_out_holidays(self.holiday_country)
            if fields is not None:
                kwargs["update_fields"] = {*fields, "holiday_table"}
        super().save(*args, **kwargs)

    def _holidays_current(self) -> bool:
        """The table is of the country now set and reaches as far as a new one would."""
        table = self.holiday_table or {}
        country = self.holiday_country.upper()
        if not country:
            return not table
        return (
            table.get("country") == country
            and table.get("version") == holidays_version()
            and str(timezone.now().year + HOLIDAY_YEARS_AHEAD) in (table.get("years") or {})
        )

    def _holiday_years(self) -> HolidayTable:
        table = self.holiday_table or {}
        if (
            table.get("country") != self.holiday_country.upper()
            or table.get("version") != holidays_version()
        ):
            # Changed without save(), or worked out by another release of the package
            # (which may have corrected a date): the package answers until the next save.
            return {}
        return read_holiday_table(table.get("years") or {})

    @property
    def is_default(self) -> bool:
        return self.channel_id is None and self.team_id is None

    def hours(self, fallback: WeeklyHours | None = None) -> WeeklyHours:
        """The pure-value schedule; ``fallback`` (the default's) applies outside its dates."""
        names = {
            dt.date.fromisoformat(str(item["date"])): str(item.get("name") or "")
            for item in self.closures or []
            if isinstance(item, dict) and item.get("date")
        }
        special, special_names = parse_special(self.special_hours or [])
        return WeeklyHours(
            time_zone=self.time_zone,
            week=parse_intervals(self.week or {}),
            holiday_country=self.holiday_country.upper(),
            holiday_table=self._holiday_years(),
            closures=frozenset(names),
            closure_names=names,
            special_hours=special,
            special_names=special_names,
            effective_from=self.effective_from,
            effective_until=self.effective_until,
            fallback=fallback,
        )


class SlaMetric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class SlaPolicy(models.Model):
    """Targets in business minutes for the tickets its conditions match.

    The first active policy (by position) whose conditions all match a ticket applies; an
    empty condition matches everything, so the last, condition-free policy is the default.
    """

    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    tiers = models.JSONField(_("customer tiers"), default=list, blank=True)
    topics = models.ManyToManyField(
        "tickets.Topic", blank=True, related_name="+", verbose_name=_("topics")
    )
    channels = models.ManyToManyField(
        "connectors.Channel", blank=True, related_name="+", verbose_name=_("channels")
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response (business minutes)"), null=True, blank=True
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response (business minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (business minutes)"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # A value no ticket can have would make a policy that silently matches nothing.
        errors = {}
        for field, choices in (("priorities", Priority), ("tiers", Tier)):
            values = getattr(self, field)
            known = set(choices.values)
            if not isinstance(values, list) or not all(v in known for v in values):
                errors[field] = _("Choose from: %(choices)s.") % {
                    "choices": ", ".join(sorted(known))
                }
        if errors:
            raise ValidationError(errors)


class SlaClock(models.Model):
    """Where a ticket's SLA clocks stand and when they are due, kept by the SLA clocks.

    What the due times are computed from besides the ticket: since when the customer has
    been waiting for a reply, and how much business time the ticket spent paused (pending
    or solved), which the first-response and resolution clocks do not count. And the due
    times themselves: on this narrow row, not the ticket, because a schedule change
    rewrites them for every open ticket, and a ticket row write is an entry in each of its
    dozen indexes (bench/sla.py: a 5,000-ticket batch 450 ms there, ~70 ms here).
    A ticket without a row has no due time and has had no clock event.
    """

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="sla_clock"
    )
    # No index: nothing looks clocks up by policy but a policy's deletion (a scan, rare),
    # and every recompute write would pay for one.
    policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    # The first customer message not answered yet (after the first response).
    waiting_since = models.DateTimeField(null=True, blank=True)
    paused_since = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.FloatField(default=0)
    # The last event applied: a retried listener does not apply an event twice.
    last_event_id = models.BigIntegerField(default=0)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    # The earliest running due time (next reply or resolution): what the inbox sorts and
    # badges on, and what the breach check looks for.
    sla_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sla_due_at", "ticket"], name="slaclock_due")]

    def __str__(self) -> str:
        return f"SLA clock of {self.ticket_id}"


class SlaBreach(models.Model):
    """A target missed: one reporting row per ticket, metric and due time."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=16, choices=SlaMetric.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    breached_at = models.DateTimeField()
    # How long the customer had waited when the breach was seen: on the wall clock and in
    # the schedule's business time (reports show both).
    wall_seconds = models.FloatField()
    business_seconds = models.FloatField()
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric", "due_at"], name="sla_breach_once")
        ]
        indexes = [models.Index(fields=["breached_at"], name="sla_breach_time")]

    def __str__(self) -> str:
        return f"{self.metric} breach on {self.ticket_id}"
