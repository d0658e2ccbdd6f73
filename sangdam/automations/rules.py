"""Conditions and actions of triggers and time rules: checking and running them.

A condition is ``{"field", "op", "value"}``; an action ``{"type", "value"}``. Values are
stored as the admin typed them where that is stable (a channel kind, a status, a tag) and
as ids where names may change (team, topic, agent, macro). Every action goes through the
tickets domain's actions (``do_assign``, ``do_update_fields``, ``do_reply``, ...) with the
rule's actor, so the audit trail and every listener see it like any other change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangdam.accounts.models import Team, User
from sangdam.automations.macros import fill, render_macro
from sangdam.automations.models import Macro
from sangdam.service.hours import is_open
from sangdam.service.selectors import schedule_book
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.errors import DomainError
from sangdam.tickets.models import Priority, Status, Ticket, Topic

CONDITION_FIELDS: dict[str, Any] = {
    "status": _("Status"),
    "priority": _("Priority"),
    "channel": _("Channel (kind)"),
    "language": _("Language"),
    "topic": _("Topic (slug)"),
    "team": _("Team"),
    "assignee": _("Assignee (email, or “none”)"),
    "tag": _("Tag"),
    "subject": _("Subject"),
    "text": _("Message text"),
    "business_hours": _("Business hours (“open” or “closed”)"),
}
OPERATORS: dict[str, Any] = {
    "is": _("is"),
    "is_not": _("is not"),
    "contains": _("contains"),
    "not_contains": _("does not contain"),
}
ACTION_TYPES: dict[str, Any] = {
    "set_team": _("Set team (name)"),
    "set_topic": _("Set topic (slug)"),
    "set_priority": _("Set priority"),
    "set_status": _("Set status"),
    "set_assignee": _("Assign to (email, or “none”)"),
    "add_tags": _("Add tags (comma separated)"),
    "auto_reply": _("Send auto-reply (macro name)"),
    "add_note": _("Add internal note"),
    "notify": _("Notify by email (“assignee”, “team” or an agent's email)"),
}


class RuleError(ValueError):
    """A condition or action the admin typed cannot be used; the message says why."""


@dataclass(frozen=True)
class Facts:
    """What conditions read besides the ticket: the text of the message that caused it."""

    text: str = ""
    now: dt.datetime | None = None


# --- admin input → stored rows ----------------------------------------------------------


def clean_condition(field: str, op: str, raw: str) -> dict[str, Any]:
    """Check one condition row and store ids for named things; raise RuleError."""
    value: Any = raw.strip()
    if field not in CONDITION_FIELDS:
        raise RuleError(_("Unknown condition field."))
    if op not in OPERATORS:
        raise RuleError(_("Unknown operator."))
    if field == "status" and value not in Status.values:
        raise RuleError(_("Status must be one of: %(v)s") % {"v": ", ".join(Status.values)})
    if field == "priority" and value not in Priority.values:
        raise RuleError(_("Priority must be one of: %(v)s") % {"v": ", ".join(Priority.values)})
    if field == "business_hours" and value not in ("open", "closed"):
        raise RuleError(_("Business hours is “open” or “closed”."))
    if field == "team":
        value = _team(value).pk
    if field == "assignee":
        value = None if value.lower() in ("", "none") else _agent(value).pk
    if field == "topic" and not Topic.objects.filter(slug=value).exists():
        raise RuleError(_("No topic has the slug “%(v)s”.") % {"v": value})
    return {"field": field, "op": op, "value": value}


def clean_action(kind: str, raw: str) -> dict[str, Any]:
    value: Any = raw.strip()
    if kind not in ACTION_TYPES:
        raise RuleError(_("Unknown action."))
    if kind == "set_team":
        value = _team(value).pk
    elif kind == "set_topic":
        topic = Topic.objects.filter(slug=value).first()
        if topic is None:
            raise RuleError(_("No topic has the slug “%(v)s”.") % {"v": value})
        value = topic.pk
    elif kind == "set_priority" and value not in Priority.values:
        raise RuleError(_("Priority must be one of: %(v)s") % {"v": ", ".join(Priority.values)})
    elif kind == "set_status" and value not in Status.values:
        raise RuleError(_("Status must be one of: %(v)s") % {"v": ", ".join(Status.values)})
    elif kind == "set_assignee":
        value = None if value.lower() in ("", "none") else _agent(value).pk
    elif kind == "add_tags":
        value = [t.strip()[:50] for t in value.split(",") if t.strip()]
        if not value:
            raise RuleError(_("Name at least one tag."))
    elif kind == "auto_reply":
        macro = Macro.objects.filter(name=value).first()
        if macro is None:
            raise RuleError(_("No macro is named “%(v)s”.") % {"v": value})
        value = macro.pk
    elif kind == "add_note" and not value:
        raise RuleError(_("A note needs some text."))
    elif kind == "notify" and value not in ("assignee", "team"):
        value = _agent(value).pk
    return {"type": kind, "value": value}


def shown_value(item: dict[str, Any]) -> str:
    """A stored value as the admin typed it (names, not ids), for forms and lists."""
    key = item.get("field") or item.get("type")
    value: Any = item.get("value")
    if key in ("team", "set_team"):
        return str(Team.objects.filter(pk=value).values_list("name", flat=True).first() or "?")
    if key in ("assignee", "set_assignee") or (key == "notify" and isinstance(value, int)):
        if value is None:
            return "none"
        return str(User.objects.filter(pk=value).values_list("email", flat=True).first() or "?")
    if key == "set_topic":
        return str(Topic.objects.filter(pk=value).values_list("slug", flat=True).first() or "?")
    if key == "auto_reply":
        return str(Macro.objects.filter(pk=value).values_list("name", flat=True).first() or "?")
    if key == "add_tags":
        return ", ".join(value or [])
    return "" if value is None else str(value)


def _team(name: str) -> Team:
    team = Team.objects.filter(name=name).first()
    if team is None:
        raise RuleError(_("No team is named “%(v)s”.") % {"v": name})
    return team


def _agent(email: str) -> User:
    agent = User.objects.filter(email=email.lower(), is_active=True).first()
    if agent is None:
        raise RuleError(_("No active agent has the email “%(v)s”.") % {"v": email})
    return agent


# --- checking conditions ------------------------------------------------------------------


def _actual(field: str, ticket: Ticket, facts: Facts) -> Any:
    if field == "status":
        return ticket.status
    if field == "priority":
        return ticket.priority
    if field == "channel":
        return ticket.channel.kind
    if field == "language":
        return (ticket.language or "")[:2]
    if field == "topic":
        return ticket.topic.slug if ticket.topic else ""
    if field == "team":
        return ticket.team_id
    if field == "assignee":
        return ticket.assignee_id
    if field == "tag":
        return list(ticket.tags or [])
    if field == "subject":
        return ticket.subject
    if field == "text":
        return facts.text
    if field == "business_hours":
        hours = schedule_book().hours_for(channel_id=ticket.channel_id, team_id=ticket.team_id)
        # No schedule at all: the center never closes.
        return "open" if hours is None or is_open(hours, facts.now or timezone.now()) else "closed"
    raise RuleError(f"unknown field {field}")


def holds(condition: dict[str, Any], ticket: Ticket, facts: Facts) -> bool:
    field, op, value = condition["field"], condition["op"], condition.get("value")
    actual = _actual(field, ticket, facts)
    if isinstance(actual, list):  # tags: "is" = has the tag
        found = (
            any(str(value).lower() in tag.lower() for tag in actual)
            if op in ("contains", "not_contains")
            else str(value) in actual
        )
        return found if op in ("is", "contains") else not found
    if op in ("contains", "not_contains"):
        found = str(value).casefold() in str(actual or "").casefold()
        return found if op == "contains" else not found
    if isinstance(actual, str) and isinstance(value, str):
        same = actual.casefold() == value.casefold()
    else:
        same = actual == value
    return same if op == "is" else not same


def all_hold(conditions: Sequence[dict[str, Any]], ticket: Ticket, facts: Facts) -> bool:
    return all(holds(condition, ticket, facts) for condition in conditions)


# --- running actions ------------------------------------------------------------------------


def run_actions(items: Sequence[dict[str, Any]], *, ticket: Ticket, actor: Actor) -> list[str]:
    """Run the actions in order on the locked ticket; returns what was done, for the audit.

    An action the ticket refuses (a closed ticket cannot be replied to) is skipped and
    says so; the others still run.
    """
    done: list[str] = []
    for item in items:
        kind, value = item.get("type"), item.get("value")
        try:
            with transaction.atomic():
                note = _run_one(str(kind), value, ticket=ticket, actor=actor)
        except DomainError as exc:
            note = f"{kind}: skipped ({exc.message})"
        done.append(note)
        ticket.refresh_from_db()
    return done


def _run_one(kind: str, value: Any, *, ticket: Ticket, actor: Actor) -> str:
    if kind == "set_team":
        team = Team.objects.filter(pk=value).first()
        if team is None:
            return "set_team: team no longer exists"
        # Moving to another team leaves its queue to route it (the assignee was the old
        # team's choice).
        if ticket.team_id != team.pk:
            actions.do_assign(ticket=ticket, actor=actor, assignee=None, team=team)
        return f"team={team.name}"
    if kind == "set_topic":
        topic = Topic.objects.filter(pk=value).first()
        actions.do_update_fields(ticket=ticket, actor=actor, topic=topic)
        return f"topic={topic.slug if topic else '-'}"
    if kind == "set_priority":
        actions.do_update_fields(ticket=ticket, actor=actor, priority=str(value))
        return f"priority={value}"
    if kind == "set_status":
        actions.do_change_status(ticket=ticket, actor=actor, status=str(value))
        return f"status={value}"
    if kind == "set_assignee":
        agent = User.objects.filter(pk=value).first() if value else None
        actions.do_assign(ticket=ticket, actor=actor, assignee=agent)
        return f"assignee={agent.email if agent else '-'}"
    if kind == "add_tags":
        tags = sorted({*ticket.tags, *(value or [])})
        actions.do_update_fields(ticket=ticket, actor=actor, tags=tags)
        return "tags+=" + ",".join(value or [])
    if kind == "auto_reply":
        macro = Macro.objects.filter(pk=value).first()
        if macro is None:
            return "auto_reply: macro no longer exists"
        text = render_macro(macro, ticket=ticket, agent=ticket.assignee)
        actions.do_reply(ticket=ticket, actor=actor, text=text, automatic=True)
        return f"auto_reply={macro.name}"
    if kind == "add_note":
        text = fill(str(value), ticket=ticket, agent=ticket.assignee)
        actions.do_reply(ticket=ticket, actor=actor, text=text, note=True)
        return "note"
    if kind == "notify":
        from sangdam.automations.tasks import notify_agents

        if value == "assignee":
            ids = [ticket.assignee_id] if ticket.assignee_id else []
        elif value == "team":
            ids = list(ticket.team.members.values_list("pk", flat=True)) if ticket.team else []
        else:
            ids = [int(value)]
        if ids:
            notify_agents.enqueue(ticket.pk, ids, actor.label)
        return f"notify={value} ({len(ids)})"
    return f"{kind}: unknown action"
