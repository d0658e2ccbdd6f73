"""Schedules: when a channel (or the whole center) answers.

A schedule with no channel is the center's default; a channel may have its own. The
rules themselves live in :mod:`sangdam.service.hours` as pure functions.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from sangdam.service.hours import WeeklyHours, parse_intervals


def _validate_week(value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("Weekly hours must map weekdays to time spans."))
    try:
        parse_intervals(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(str(exc)) from exc


def _validate_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(zone)s") % {"zone": value}) from exc


def _validate_country(value: str) -> None:
    if value and value.upper() not in holidays.list_supported_countries():
        raise ValidationError(_("No holiday calendar for country %(code)s") % {"code": value})


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
    # Extra closed days: [{"date": "2026-12-31", "name": "year-end inventory"}].
    closures = models.JSONField(_("closures"), default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def hours(self) -> WeeklyHours:
        names = {
            dt.date.fromisoformat(str(item["date"])): str(item.get("name") or "")
            for item in self.closures or []
            if isinstance(item, dict) and item.get("date")
        }
        return WeeklyHours(
            time_zone=self.time_zone,
            week=parse_intervals(self.week or {}),
            holiday_country=self.holiday_country.upper(),
            closures=frozenset(names),
            closure_names=names,
        )
