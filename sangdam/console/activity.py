"""The ticket's activity: its audit events told as sentences, for the ticket page.

Messages are on the conversation already; this lists what changed around them and who
(or what: routing, a trigger, a time rule) changed it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from sangdam.accounts.models import Team, User
from sangdam.connectors.models import ChannelKind
from sangdam.tickets.models import Event, Priority, Status, Topic

# Shown on the conversation itself.
QUIET_KINDS = ("message_received", "reply_queued", "note_added")


@dataclass(frozen=True)
class ActivityLine:
    at: dt.datetime
    who: str
    text: str
    kind: str


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "—")


class _Names:
    def __init__(self, events: list[Event]) -> None:
        users: set[int] = set()
        teams: set[int] = set()
        topics: set[int] = set()
        for event in events:
            data = event.data or {}
            for key in ("agent",):
                if isinstance(data.get(key), int):
                    users.add(data[key])
            for pair, bucket in (("assignee", users), ("team", teams), ("topic", topics)):
                value = data.get(pair)
                if isinstance(value, list):
                    bucket.update(v for v in value if isinstance(v, int))
                elif isinstance(value, int):
                    bucket.add(value)
        self.users = {u.pk: u.name for u in User.objects.filter(pk__in=users)}
        self.teams = dict(Team.objects.filter(pk__in=teams).values_list("pk", "name"))
        self.topics = {t.pk: t.name() for t in Topic.objects.filter(pk__in=topics)}

    def user(self, pk: Any) -> str:
        return self.users.get(pk, _("nobody")) if pk else _("nobody")

    def team(self, pk: Any) -> str:
        return self.teams.get(pk, _("no team")) if pk else _("no team")

    def topic(self, pk: Any) -> str:
        return self.topics.get(pk, _("no topic")) if pk else _("no topic")


def actor_name(event: Event) -> str:
    """Who did it, as an agent reads it: a person's name, else what acted for Sangdam."""
    if event.actor_user is not None:
        return event.actor_user.name
    label = event.actor_label
    if label == "routing":
        return _("Routing")
    if label.startswith("trigger"):
        return _("Trigger")
    if label.startswith("time-rule"):
        return _("Time rule")
    if label == "customer":
        return _("Customer")
    if label.startswith("connector:"):
        # The channel the customer wrote on ("connector:webform" -> "Web form").
        return _label(ChannelKind, label.partition(":")[2])
    if label == "api":
        return _label(ChannelKind, ChannelKind.API)
    return _("System") if label == "system" or label.startswith("system:") else label


def _describe(event: Event, names: _Names) -> str:
    data: dict[str, Any] = event.data or {}
    kind = event.kind
    if kind == "ticket_created":
        return _("Ticket opened")
    if kind == "routed":
        team = names.team(data.get("team"))
        if data.get("agent"):
            text = _("Routed to %(team)s and assigned to %(agent)s") % {
                "team": team,
                "agent": names.user(data["agent"]),
            }
        elif data.get("waiting") == "manual":
            text = _("Routed to %(team)s; its agents take tickets from the queue") % {"team": team}
        else:
            text = _("Routed to %(team)s; waiting for an online agent with room") % {"team": team}
        if data.get("rule"):
            text += " " + _("(rule “%(rule)s”)") % {"rule": data["rule"]}
        return text
    if kind == "offer_made":
        return _("Offered to %(agent)s") % {"agent": names.user(data.get("agent"))}
    if kind == "offer_answered":
        agent = names.user(data.get("agent"))
        return {
            "accepted": _("%(agent)s accepted the offer"),
            "declined": _("%(agent)s declined the offer"),
            "expired": _("%(agent)s did not accept in time"),
            "withdrawn": _("The offer to %(agent)s was withdrawn"),
        }.get(str(data.get("state")), "%(agent)s") % {"agent": agent}
    if kind == "assigned":
        parts = []
        if data.get("assignee"):
            new = data["assignee"][1]
            parts.append(
                _("Assigned to %(agent)s") % {"agent": names.user(new)} if new else _("Unassigned")
            )
        if data.get("team"):
            parts.append(_("Team: %(team)s") % {"team": names.team(data["team"][1])})
        return "; ".join(parts)
    if kind == "status_changed":
        return _("Status: %(old)s → %(new)s") % {
            "old": _label(Status, data.get("old")),
            "new": _label(Status, data.get("new")),
        }
    if kind == "chat_ended":
        return _("The customer ended the chat")
    if kind == "fields_changed":
        parts = []
        if data.get("priority"):
            parts.append(_("Priority: %(new)s") % {"new": _label(Priority, data["priority"][1])})
        if data.get("topic"):
            parts.append(_("Topic: %(new)s") % {"new": names.topic(data["topic"][1])})
        if data.get("subject"):
            parts.append(_("Subject changed"))
        if data.get("tags"):
            parts.append(_("Tags: %(tags)s") % {"tags": ", ".join(data["tags"][1]) or "—"})
        return "; ".join(parts)
    if kind == "trigger_fired":
        return _("Trigger “%(name)s” ran: %(done)s") % {
            "name": data.get("name", ""),
            "done": ", ".join(str(x) for x in data.get("actions", [])),
        }
    if kind == "time_rule_fired":
        return _("Time rule “%(name)s” ran: %(done)s") % {
            "name": data.get("name", ""),
            "done": ", ".join(str(x) for x in data.get("actions", [])),
        }
    if kind == "merged_into":
        return _("Merged into %(ref)s") % {"ref": data.get("target", "")}
    if kind == "merged_from":
        return _("%(ref)s was merged into this ticket") % {"ref": data.get("source", "")}
    if kind == "ticket_linked":
        return _("Follows %(ref)s") % {"ref": data.get("follows", "")}
    if kind == "confirmation_requested":
        return _("Confirmation with the status link mailed to %(to)s") % {"to": data.get("to", "")}
    return kind


def ticket_activity(*, ticket_id: int, limit: int = 60) -> list[ActivityLine]:
    """The newest changes first (messages and deliveries are on the conversation)."""
    events = list(
        Event.objects.filter(ticket_id=ticket_id)
        .exclude(kind__in=QUIET_KINDS)
        .exclude(kind__startswith="delivery_")
        .select_related("actor_user")
        .order_by("-created_at", "-id")[:limit]
    )
    names = _Names(events)
    return [
        ActivityLine(at=e.created_at, who=actor_name(e), text=_describe(e, names), kind=e.kind)
        for e in events
    ]
