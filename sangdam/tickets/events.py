"""Domain events: one typed definition per kind of change, with its payload.

Actions build these and hand them to :func:`sangdam.tickets.dispatch.record`, which writes
them as audit :class:`~sangdam.tickets.models.Event` rows (the ``kind`` column comes from
the type, the ``data`` column from the payload fields) and, after commit, hands them to
the listeners registered for their type. Listeners (live push, SLA clocks, routing,
reporting, ...) register with ``@listener(TicketOpened)``; a new reaction is a new
listener, never an edit to every action.

The payload is what the audit row has always held, field for field: optional fields are
written only when set, so ``data`` stays as small and as readable as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar

# A field that changed: (old, new), written to the audit row as a two-item list.
Change = tuple[Any, Any]


@dataclass(frozen=True)
class EventMeta:
    """Who did it and when: known once the event is written (not part of the payload)."""

    event_id: int
    actor_label: str
    actor_user_id: int | None
    occurred_at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every event. Subclasses set ``kind`` (the audit row's kind)."""

    kind: ClassVar[str] = ""
    # The ticket it happened to (None for a customer merge, which has no ticket).
    ticket_id: int | None
    meta: EventMeta | None = field(default=None, compare=False, repr=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("kind"):
            if cls.kind in KINDS:
                raise TypeError(f"two event types for kind {cls.kind!r}")
            KINDS[cls.kind] = cls

    @property
    def event_kind(self) -> str:
        return self.kind

    def payload(self) -> dict[str, Any]:
        """The audit row's ``data``: required fields always, optional ones when set."""
        data: dict[str, Any] = {}
        for item in _payload_fields(type(self)):
            value = getattr(self, item.name)
            if item.default is not dataclasses.MISSING and value == item.default:
                continue
            data[item.name] = list(value) if isinstance(value, tuple) else value
        return data

    @classmethod
    def from_row(cls, *, kind: str, ticket_id: int | None, data: dict[str, Any]) -> DomainEvent:
        names = _tuple_fields(cls)
        known = {f.name for f in _payload_fields(cls)}
        values: dict[str, Any] = {
            key: tuple(value) if key in names and isinstance(value, list) else value
            for key, value in data.items()
            if key in known
        }
        return cls(ticket_id=ticket_id, **values)


KINDS: dict[str, type[DomainEvent]] = {}


_FIELDS: dict[type[DomainEvent], tuple[dataclasses.Field[Any], ...]] = {}
_TUPLES: dict[type[DomainEvent], frozenset[str]] = {}


def _payload_fields(cls: type[DomainEvent]) -> tuple[dataclasses.Field[Any], ...]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(
            f for f in dataclasses.fields(cls) if f.name not in ("ticket_id", "meta") and f.init
        )
    return found


def _tuple_fields(cls: type[DomainEvent]) -> frozenset[str]:
    """Fields typed as tuples (changes): JSON gives them back as lists."""
    found = _TUPLES.get(cls)
    if found is None:
        names = set()
        for name, hint in typing.get_type_hints(cls).items():
            options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
            if any(typing.get_origin(option) is tuple for option in options):
                names.add(name)
        found = _TUPLES[cls] = frozenset(names)
    return found


def event_from_row(*, kind: str, ticket_id: int | None, data: dict[str, Any]) -> DomainEvent | None:
    """The typed event an audit row holds (None for kinds no type describes)."""
    cls = KINDS.get(kind)
    if cls is None and kind.startswith(DeliveryChanged.KIND_PREFIX):
        cls = DeliveryChanged
    if cls is None:
        return None
    return cls.from_row(kind=kind, ticket_id=ticket_id, data=data or {})


# --- tickets and messages --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TicketOpened(DomainEvent):
    """A new ticket (its first message follows as :class:`CustomerReplied`)."""

    kind: ClassVar[str] = "ticket_created"
    channel: str  # the channel's kind
    reference: str


@dataclass(frozen=True, kw_only=True)
class TicketLinked(DomainEvent):
    """A new ticket continues an earlier one (a reply to a closed ticket)."""

    kind: ClassVar[str] = "ticket_linked"
    follows: str  # the earlier ticket's reference


@dataclass(frozen=True, kw_only=True)
class CustomerReplied(DomainEvent):
    """A customer's message arrived (the first one of a ticket too)."""

    kind: ClassVar[str] = "message_received"
    message_id: int
    # A machine wrote it (an out-of-office): it neither reopens nor restarts clocks.
    automatic: bool = False


@dataclass(frozen=True, kw_only=True)
class AgentReplied(DomainEvent):
    """An agent's public reply, queued for delivery."""

    kind: ClassVar[str] = "reply_queued"
    message_id: int


@dataclass(frozen=True, kw_only=True)
class NoteAdded(DomainEvent):
    """An internal note (never sent to the customer)."""

    kind: ClassVar[str] = "note_added"
    message_id: int


@dataclass(frozen=True, kw_only=True)
class StatusChanged(DomainEvent):
    kind: ClassVar[str] = "status_changed"
    old: str
    new: str


@dataclass(frozen=True, kw_only=True)
class ChatEnded(DomainEvent):
    """The customer ended the conversation (live chat's "end chat"): the ticket is solved."""

    kind: ClassVar[str] = "chat_ended"
    status: str  # the status the ticket had when the customer ended it


@dataclass(frozen=True, kw_only=True)
class Assigned(DomainEvent):
    """The assignee or the team changed; only what changed is set."""

    kind: ClassVar[str] = "assigned"
    assignee: Change | None = None  # (old user id, new user id)
    team: Change | None = None  # (old team id, new team id)


@dataclass(frozen=True, kw_only=True)
class FieldsChanged(DomainEvent):
    """Priority, topic (ids), subject or tags changed; only what changed is set."""

    kind: ClassVar[str] = "fields_changed"
    priority: Change | None = None
    topic: Change | None = None
    subject: Change | None = None
    tags: Change | None = None


@dataclass(frozen=True, kw_only=True)
class MergedInto(DomainEvent):
    """This ticket was a duplicate: its messages moved to ``target`` and it closed."""

    kind: ClassVar[str] = "merged_into"
    target: str  # reference
    messages: int


@dataclass(frozen=True, kw_only=True)
class MergedFrom(DomainEvent):
    """A duplicate's messages moved into this ticket."""

    kind: ClassVar[str] = "merged_from"
    source: str  # reference
    messages: int


@dataclass(frozen=True, kw_only=True)
class DeliveryChanged(DomainEvent):
    """What happened to an outbound message: one kind per state (``delivery_sent``, ...).

    The family shares one definition: the state is part of the kind, as the audit trail
    has always written it, and not repeated in the payload.
    """

    KIND_PREFIX: ClassVar[str] = "delivery_"
    state: str
    message_id: int
    error: str
    attempts: int
    # The provider's receipt said so (delivered, read), rather than our own send.
    receipt: bool = False

    @property
    def event_kind(self) -> str:
        return f"{self.KIND_PREFIX}{self.state}"

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message_id": self.message_id, "error": self.error}
        data["attempts"] = self.attempts
        if self.receipt:
            data["receipt"] = True
        return data

    @classmethod
    def from_row(cls, *, kind: str, ticket_id: int | None, data: dict[str, Any]) -> DomainEvent:
        return cls(
            ticket_id=ticket_id,
            state=kind.removeprefix(DeliveryChanged.KIND_PREFIX),
            message_id=int(data.get("message_id") or 0),
            error=str(data.get("error") or ""),
            attempts=int(data.get("attempts") or 0),
            receipt=bool(data.get("receipt")),
        )


@dataclass(frozen=True, kw_only=True)
class SlaBreached(DomainEvent):
    """A ticket missed an SLA target (raised once per target and due time)."""

    kind: ClassVar[str] = "sla_breached"
    metric: str  # first_response, next_response, resolution
    due_at: str  # ISO 8601


# --- customers -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CustomerMerged(DomainEvent):
    """Two records of one person became one (no ticket: ``ticket_id`` is None)."""

    kind: ClassVar[str] = "customer_merged"
    source: int
    target: int
    tickets: int


# Every event that means "someone is waiting for an answer" or "the answer came".
MESSAGE_EVENTS: tuple[type[DomainEvent], ...] = (CustomerReplied, AgentReplied, NoteAdded)
