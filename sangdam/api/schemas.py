"""Request and response shapes of the REST API (they become the OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator, model_validator

from sangdam.service.selectors import clock_of
from sangdam.service.sla import sla_state
from sangdam.tickets.models import Message, Priority, Status, Ticket
from sangdam.tickets.selectors import MAX_PAGE_SIZE

# Deliberately loose: the intake normalizes, and the customer's mail server is the judge.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
METADATA_MAX_ITEMS = 50


class Problem(Schema):
    """RFC 9457 problem details; branch on ``code``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, str]] | None = None


# The error statuses endpoints document (each answered with a Problem).
ERRORS: dict[frozenset[int], type[Problem]] = {
    frozenset({400, 401, 403, 404, 409, 422, 429}): Problem
}


# --- small references ---------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class ChannelRef(Schema):
    id: int
    kind: str
    name: str


# --- tickets --------------------------------------------------------------------------


class SlaOut(Schema):
    policy: str | None = Field(None, description="the SLA policy that applies, if any")
    state: Literal["ok", "due_soon", "breached", "paused", "none"] = Field(
        description="breached: a running target has passed; due_soon: within the hour; "
        "paused: waiting on the customer; none: no running target"
    )
    due_at: dt.datetime | None = Field(
        None, description="the earliest running due time (next reply or resolution)"
    )


class TicketOut(Schema):
    id: int
    reference: str
    subject: str
    status: str
    priority: str
    language: str
    channel: ChannelRef
    topic: str | None = Field(None, description="topic slug")
    customer: Ref
    assignee: Ref | None = None
    team: Ref | None = None
    tags: list[str]
    metadata: dict[str, Any]
    merged_into: str | None = Field(None, description="reference of the ticket it was merged into")
    first_response_due_at: dt.datetime | None = None
    next_response_due_at: dt.datetime | None = None
    resolution_due_at: dt.datetime | None = None
    sla: SlaOut
    first_responded_at: dt.datetime | None = None
    solved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    created_at: dt.datetime
    last_activity_at: dt.datetime
    snippet: str | None = Field(
        None,
        description="search results only: where the ticket matched `q`, as HTML "
        "(text escaped, matches in <mark>)",
    )

    @staticmethod
    def resolve_topic(obj: Ticket) -> str | None:
        return obj.topic.slug if obj.topic_id and obj.topic else None

    @staticmethod
    def resolve_customer(obj: Ticket) -> dict[str, Any]:
        return {"id": obj.customer_id, "name": obj.customer.name}

    @staticmethod
    def resolve_assignee(obj: Ticket) -> dict[str, Any] | None:
        return {"id": obj.assignee.pk, "name": obj.assignee.name} if obj.assignee else None

    @staticmethod
    def resolve_first_response_due_at(obj: Ticket) -> dt.datetime | None:
        clock = clock_of(obj)
        return clock.first_response_due_at if clock else None

    @staticmethod
    def resolve_next_response_due_at(obj: Ticket) -> dt.datetime | None:
        clock = clock_of(obj)
        return clock.next_response_due_at if clock else None

    @staticmethod
    def resolve_resolution_due_at(obj: Ticket) -> dt.datetime | None:
        clock = clock_of(obj)
        return clock.resolution_due_at if clock else None

    @staticmethod
    def resolve_sla(obj: Ticket) -> dict[str, Any]:
        clock = clock_of(obj)
        policy = clock.policy if clock is not None and clock.policy_id else None
        due = clock.sla_due_at if clock else None
        return {
            "policy": policy.name if policy else None,
            "state": sla_state(
                status=obj.status, due=due, now=timezone.now(), has_policy=bool(policy)
            ),
            "due_at": due,
        }

    @staticmethod
    def resolve_merged_into(obj: Ticket) -> str | None:
        return obj.merged_into.reference if obj.merged_into_id and obj.merged_into else None


class TicketPageOut(Schema):
    items: list[TicketOut]
    next_cursor: str | None
    total: int | None = Field(
        None, description="with `q`: how many tickets matched (counted up to 1000)"
    )


class TicketQuery(Schema):
    q: str = Field(
        "",
        max_length=500,
        description="search: references, subjects, messages, customer names, emails and "
        'phone numbers; every word must match (Korean in any inflected form); "a phrase" in '
        "quotes. Results are ranked best first; the other filters still apply.",
    )
    view: Literal["mine", "unassigned", "open", "pending", "solved", "all"] = "all"
    status: Status | None = None
    channel: str = Field("", description="channel kind, e.g. email, app, kakao")
    topic: str = Field("", description="topic slug")
    priority: Priority | None = None
    assignee: int | None = None
    team: int | None = None
    language: str = ""
    customer: int | None = None
    sort: Literal["activity", "due"] = "activity"
    cursor: str = ""
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class CustomerIn(Schema):
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    app_user_id: str | None = Field(None, max_length=200, description="your app's user id")
    name: str = Field("", max_length=200)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not EMAIL_RE.match(value.strip()):
            raise ValueError("not an email address")
        return value.strip() if value else None

    @model_validator(mode="after")
    def _someone(self) -> CustomerIn:
        if not (self.email or (self.phone or "").strip() or (self.app_user_id or "").strip()):
            raise ValueError("give the customer's email, phone or app_user_id")
        return self


class TicketCreate(Schema):
    customer: CustomerIn
    subject: str = Field(..., min_length=1, max_length=300)
    text: str = Field(..., min_length=1, max_length=100_000)
    topic: str | None = Field(None, description="topic slug")
    priority: Priority | None = None
    channel_id: int | None = Field(None, description="default: the API channel")
    metadata: dict[str, str] | None = Field(None, description="e.g. app version, order number")

    @field_validator("text", "subject")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("metadata")
    @classmethod
    def _small_metadata(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is None:
            return None
        if len(value) > METADATA_MAX_ITEMS:
            raise ValueError(f"at most {METADATA_MAX_ITEMS} entries")
        if any(len(k) > 100 or len(v) > 2000 for k, v in value.items()):
            raise ValueError("keys up to 100 and values up to 2000 characters")
        return value


class TicketPatch(Schema):
    """Only the fields sent are changed; ``null`` clears topic, assignee or team."""

    status: Status | None = None
    priority: Priority | None = None
    topic: str | None = Field(None, description="topic slug, or null for none")
    assignee_id: int | None = None
    team_id: int | None = None
    subject: str | None = Field(None, min_length=1, max_length=300)
    tags: list[str] | None = Field(None, max_length=50)


# --- messages -------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class Author(Schema):
    type: Literal["agent", "customer", "system"]
    id: int | None = None
    name: str = ""


class MessageOut(Schema):
    id: int
    direction: str
    kind: str
    author: Author
    text: str
    html: str
    language: str
    channel_id: int | None
    delivery_state: str
    delivery_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_author(obj: Message) -> dict[str, Any]:
        if obj.author_user_id and obj.author_user:
            return {"type": "agent", "id": obj.author_user.pk, "name": obj.author_user.name}
        if obj.author_customer_id and obj.author_customer:
            return {
                "type": "customer",
                "id": obj.author_customer.pk,
                "name": obj.author_customer.name,
            }
        return {"type": "system"}

    @staticmethod
    def resolve_attachments(obj: Message) -> list[Any]:
        return list(obj.attachments.all())


class MessagePageOut(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class MessageCreate(Schema):
    text: str = Field(..., min_length=1, max_length=100_000)
    html: str = Field("", max_length=500_000)
    kind: Literal["reply", "note"] = "reply"
    status: Status | None = Field(None, description="set the ticket's status with the reply")


# --- customers ------------------------------------------------------------------------


class IdentityOut(Schema):
    kind: str
    value: str


class CustomerOut(Schema):
    id: int
    name: str
    language: str
    merged_into_id: int | None
    identities: list[IdentityOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_identities(obj: Any) -> list[Any]:
        return list(obj.identities.all())


class CustomerDetailOut(CustomerOut):
    ticket_count: int


class CustomerPageOut(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class CustomerMerge(Schema):
    into: int = Field(..., description="id of the customer that remains")


# --- reference data -------------------------------------------------------------------


class TopicOut(Schema):
    slug: str
    name: str
    names: dict[str, str]
    active: bool

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.name())


class AgentOut(Schema):
    id: int
    name: str
    email: str
    role: str
    languages: list[str]
    teams: list[Ref]
    presence: Literal["online", "away", "offline"]
    capacity: int = Field(description="open tickets routing gives the agent at most")
    chat_capacity: int = Field(description="open chats (live chat, messengers) at most")

    @staticmethod
    def resolve_teams(obj: Any) -> list[Any]:
        return list(obj.teams.all())


class PresenceIn(Schema):
    presence: Literal["online", "away", "offline"]


class MacroOut(Schema):
    id: int
    name: str
    texts: dict[str, str] = Field(description="the macro as written, by language (ko, en)")
    text: str | None = Field(
        None, description="filled in for the ticket named by `ticket`, in its language"
    )
