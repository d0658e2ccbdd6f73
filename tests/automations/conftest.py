"""Helpers for automation tests: rules are made the way the admin page stores them."""

from __future__ import annotations

from typing import Any

from sangdam.automations.models import Macro, TimeRule, Trigger
from sangdam.automations.rules import clean_action, clean_condition


def make_trigger(
    name: str,
    when: str,
    conditions: list[tuple[str, str, str]],
    actions: list[tuple[str, str]],
    **fields: Any,
) -> Trigger:
    return Trigger.objects.create(
        name=name,
        when=when,
        conditions=[clean_condition(*c) for c in conditions],
        actions=[clean_action(*a) for a in actions],
        **fields,
    )


def make_time_rule(
    name: str,
    since: str,
    minutes: int,
    actions: list[tuple[str, str]],
    status: str = "",
    conditions: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
) -> TimeRule:
    return TimeRule.objects.create(
        name=name,
        since=since,
        status=status,
        minutes=minutes,
        conditions=[clean_condition(*c) for c in conditions],
        actions=[clean_action(*a) for a in actions],
    )


def make_macro(name: str = "reminder", ko: str = "", en: str = "") -> Macro:
    return Macro.objects.create(
        name=name,
        texts={
            "ko": ko or "{{ customer_name }}님, {{ reference }} 문의에 답변을 기다리고 있습니다.",
            "en": en
            or "Dear {{ customer_name }}, we are waiting for your answer on {{ reference }}.",
        },
    )
