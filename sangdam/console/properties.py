"""One ticket property changed in place: parse the posted value, call its action.

Shared by the ticket page (one control per property, saved at once) and the inbox's bulk
actions, so both go through the same actions and the same checks. Each property knows
how to read its current value as a form value, which is what the undo toast posts back.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangdam.accounts.models import Team, User
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.errors import DomainError
from sangdam.tickets.models import Priority, Status, Ticket, Topic

FIELDS = {
    "status": gettext_lazy("Status"),
    "priority": gettext_lazy("Priority"),
    "topic": gettext_lazy("Topic"),
    "team": gettext_lazy("Team"),
    "assignee": gettext_lazy("Assignee"),
    "tags": gettext_lazy("Tags"),
}


@dataclass(frozen=True)
class Change:
    field: str
    old: str  # the form value that undoes it
    shown: str  # the new value, as the agent reads it
    undoable: bool

    @property
    def label(self) -> str:
        return str(FIELDS[self.field])


def form_value(ticket: Ticket, field: str) -> str:
    """The property's current value as the control posts it."""
    if field == "tags":
        return ", ".join(ticket.tags)
    if field in ("topic", "team", "assignee"):
        pk = getattr(ticket, f"{field}_id")
        return str(pk) if pk else ""
    return str(getattr(ticket, field))


def _pick(model: type[Topic] | type[Team] | type[User], value: str, **filters: object) -> object:
    if not value:
        return None
    found = model.objects.filter(pk=value, **filters).first() if value.isdigit() else None
    if found is None:
        raise DomainError(_("That choice no longer exists."), code="unknown_choice")
    return found


def _shown(ticket: Ticket, field: str) -> str:
    if field == "status":
        return str(Status(ticket.status).label)
    if field == "priority":
        return str(Priority(ticket.priority).label)
    if field == "tags":
        return ", ".join(ticket.tags) or "—"
    related = getattr(ticket, field)
    if related is None:
        return "—"
    return str(related.name) if field != "topic" else related.name()


def change_property(*, ticket: Ticket, actor: Actor, field: str, value: str) -> Change:
    """Apply one property change through its action; raises :class:`DomainError`."""
    if field not in FIELDS:
        raise DomainError(_("Unknown property."), code="unknown_property")
    old = form_value(ticket, field)
    value = value.strip()
    if field == "status":
        actions.do_change_status(ticket=ticket, actor=actor, status=value)
    elif field == "priority":
        actions.do_update_fields(ticket=ticket, actor=actor, priority=value)
    elif field == "topic":
        topic = _pick(Topic, value, active=True)
        actions.do_update_fields(ticket=ticket, actor=actor, topic=topic)  # type: ignore[arg-type]
    elif field == "tags":
        actions.do_update_fields(ticket=ticket, actor=actor, tags=value.split(","))
    elif field == "team":
        team = _pick(Team, value)
        actions.do_assign(ticket=ticket, actor=actor, assignee=ticket.assignee, team=team)  # type: ignore[arg-type]
    else:
        assignee = _pick(User, value, is_active=True)
        actions.do_assign(ticket=ticket, actor=actor, assignee=assignee)  # type: ignore[arg-type]
    undoable = field != "status" or old in actions.ALLOWED_TRANSITIONS[ticket.status]
    return Change(field=field, old=old, shown=_shown(ticket, field), undoable=undoable)


def panel_context(ticket: Ticket) -> dict[str, object]:
    """Choices for each control; the status offers only the moves the ticket allows."""
    allowed = actions.ALLOWED_TRANSITIONS[ticket.status]
    statuses = [(v, n) for v, n in Status.choices if v == ticket.status or v in allowed]
    topics = [(t.pk, t.name()) for t in Topic.objects.filter(active=True)]
    teams = list(Team.objects.values_list("pk", "name"))
    agents = [
        (u.pk, f"{u.name} · {u.get_presence_display()}")
        for u in User.objects.filter(is_active=True).order_by("display_name", "email")
    ]
    selects = [
        ("status", statuses, ""),
        ("priority", Priority.choices, ""),
        ("topic", topics, _("(no topic)")),
        ("team", teams, _("(no team)")),
        ("assignee", agents, _("(unassigned)")),
    ]
    return {
        "ticket": ticket,
        "prop_selects": [
            (field, FIELDS[field], choices, form_value(ticket, field), empty)
            for field, choices, empty in selects
        ],
        "tags_value": ", ".join(ticket.tags),
        # Lets the live refresh drop an answer older than what the page shows already.
        "version": f"{ticket.updated_at.timestamp():.6f}",
    }
