"""Bulk actions from the inbox: one operation applied to many tickets, ticket by ticket.

Each ticket goes through the same action as on its own page (via
:func:`sangdam.console.properties.change_property`, or the merge and tag actions), in its
own transaction: one refused ticket (a closed ticket cannot be reopened) neither stops
nor undoes the others, and every change is audited with the agent who made it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sangdam.accounts.models import Team, User
from sangdam.console.properties import change_property
from sangdam.core.memo import Memo
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.errors import DomainError
from sangdam.tickets.models import Priority, Status, Ticket, Topic
from sangdam.tickets.selectors import ticket_by_reference

MAX_TICKETS = 500
PROPERTY_OPS = ("assignee", "status", "priority", "topic", "team")


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)  # references
    failed: list[tuple[str, str]] = field(default_factory=list)  # reference, reason


# Agents, topics and teams for the menu, kept per process for a few seconds
# (core/memo.py): the inbox page is the console's busiest and these rarely change.
_menu = Memo(User, Topic, Team)


def _menu_rows() -> tuple[list[tuple[int, str]], list[tuple[int, dict[str, str], str]], list[Any]]:
    agents = [(u.pk, str(u.name)) for u in User.objects.filter(is_active=True)]
    topics = [(t.pk, dict(t.names), t.slug) for t in Topic.objects.filter(active=True)]
    teams = list(Team.objects.values_list("pk", "name"))
    return agents, topics, teams


def operations(*, me: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """The inbox's bulk menu: groups of ``(op value, label)``."""
    rows, topic_rows, team_rows = _menu.get("menu", _menu_rows)
    language = (get_language() or "en")[:2]
    agents = [(f"assignee:{pk}", name) for pk, name in rows]
    return [
        (
            str(gettext_lazy("Assign to")),
            [(f"assignee:{me.pk}", _("Me")), ("assignee:", _("(unassigned)")), *agents],
        ),
        (
            str(gettext_lazy("Set status")),
            [(f"status:{v}", str(n)) for v, n in Status.choices if v != Status.NEW],
        ),
        (
            str(gettext_lazy("Set priority")),
            [(f"priority:{v}", str(n)) for v, n in Priority.choices],
        ),
        (
            str(gettext_lazy("Set topic")),
            [("topic:", _("(no topic)"))]
            + [
                (f"topic:{pk}", names.get(language) or names.get("en") or slug)
                for pk, names, slug in topic_rows
            ],
        ),
        (
            str(gettext_lazy("Set team")),
            [("team:", _("(no team)"))] + [(f"team:{pk}", name) for pk, name in team_rows],
        ),
        (
            str(gettext_lazy("Tags and merging")),
            [
                ("tag_add", _("Add the tag typed on the right")),
                ("tag_remove", _("Remove the tag typed on the right")),
                ("merge", _("Merge into the ticket typed on the right")),
            ],
        ),
    ]


def _apply_one(ticket: Ticket, *, actor: Actor, op: str, text: str, target: Ticket | None) -> None:
    name, _sep, value = op.partition(":")
    if name in PROPERTY_OPS:
        change_property(ticket=ticket, actor=actor, field=name, value=value)
    elif name == "tag_add":
        actions.do_update_fields(ticket=ticket, actor=actor, tags=[*ticket.tags, text])
    elif name == "tag_remove":
        # Tags are stored trimmed and cut at 50 characters (do_update_fields); compare so.
        tag = text[:50]
        if tag not in ticket.tags:
            raise DomainError(_("It has no tag %(tag)s.") % {"tag": tag}, code="no_such_tag")
        actions.do_update_fields(
            ticket=ticket, actor=actor, tags=[t for t in ticket.tags if t != tag]
        )
    elif name == "merge" and target is not None:
        actions.do_merge_tickets(source=ticket, target=target, actor=actor)
    else:
        raise DomainError(_("Choose an action."), code="no_action")


def apply_bulk(*, ticket_ids: list[int], actor: Actor, op: str, text: str) -> Outcome:
    """Apply ``op`` to each ticket in its own transaction; report what succeeded."""
    outcome = Outcome()
    text = text.strip()
    if op == "tag_add" and not text:
        raise DomainError(_("Type the tag to add."), code="no_tag")
    if op == "tag_remove" and not text:
        raise DomainError(_("Type the tag to remove."), code="no_tag")
    target = None
    if op == "merge":
        target = ticket_by_reference(reference=text.upper())
        if target is None:
            raise DomainError(
                _("There is no ticket %(reference)s.") % {"reference": text}, code="no_target"
            )
    tickets = Ticket.objects.filter(pk__in=ticket_ids[:MAX_TICKETS]).order_by("id")
    for ticket in tickets:
        if target is not None and ticket.pk == target.pk:
            continue  # the merge target is among the selected: it stays
        try:
            with transaction.atomic():
                _apply_one(ticket, actor=actor, op=op, text=text, target=target)
        except DomainError as exc:
            outcome.failed.append((ticket.reference, exc.message))
        else:
            outcome.done.append(ticket.reference)
    return outcome
