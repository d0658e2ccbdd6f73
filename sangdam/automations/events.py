"""Automation's events: a trigger or a time rule fired on a ticket, and what it did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sangdam.tickets.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class TriggerFired(DomainEvent):
    kind: ClassVar[str] = "trigger_fired"
    trigger: int
    name: str
    actions: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TimeRuleFired(DomainEvent):
    kind: ClassVar[str] = "time_rule_fired"
    rule: int
    name: str
    actions: tuple[str, ...] = ()
