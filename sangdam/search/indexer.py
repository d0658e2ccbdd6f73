"""Building search documents from tickets: the write side of the index.

A ticket's document is its head (reference, subject, customer name and contacts) and
its body (every message's terms, in order). A new message only appends its own terms
(``last_message_id`` makes a repeat a no-op), so the cost of a message does not grow with
the length of its ticket; a subject change, a customer merge or a ticket merge rebuilds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import phonenumbers
from django.db import transaction
from django.utils import timezone

from sangdam.core.compiled import MARKER, MARKER_2, CompiledQuery
from sangdam.core.inserts import insert_all
from sangdam.customers.models import Identity, IdentityKind
from sangdam.search import analyzer
from sangdam.search.backends import get_backend
from sangdam.search.models import SearchDocument
from sangdam.tickets.models import Message, Ticket

# A body longer than this stops growing (PostgreSQL refuses tsvectors over 1 MB).
MAX_BODY_CHARS = 400_000
SHOWN_KINDS = (IdentityKind.EMAIL, IdentityKind.PHONE)


def _phone_forms(value: str) -> list[str]:
    """``+821012345678`` as typed in Korea too (``01012345678``)."""
    forms = [value]
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return forms
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    forms.append("".join(ch for ch in national if ch.isdigit()))
    return forms


class Contact(NamedTuple):
    """An identity as the head needs it: two strings, not a model instance."""

    kind: str
    value: str


class TicketRow(NamedTuple):
    """What a document is made from, as read from the ticket and its customer."""

    id: int
    reference: str
    subject: str
    merged_into_id: int | None
    customer_id: int | None
    name: str | None
    contact: str | None


ROW_FIELDS = (
    *("id", "reference", "subject", "merged_into_id", "customer_id"),
    *("customer__name", "customer__contact"),
)


def head_text(ticket: TicketRow, identities: Sequence[Contact]) -> str:
    parts = [ticket.reference, ticket.subject]
    if ticket.customer_id is not None:
        name = ticket.name or ""
        # The name's words as written too: Kiwi may split a name it reads in context
        # (김민지 -> 김 민 지), while a search for the name alone keeps it whole.
        parts += [name, *name.split(), ticket.contact or ""]
    for identity in identities:
        if identity.kind == IdentityKind.PHONE:
            parts += _phone_forms(identity.value)
        elif identity.kind == IdentityKind.EMAIL:
            parts.append(identity.value)
    # Each part on its own: the analysis of one field never leans on its neighbour's words.
    # A part repeated (a one-word name is also its only word) is analysed once.
    analysed: dict[str, str] = {}
    for part in parts:
        if part and part not in analysed:
            analysed[part] = analyzer.index_text(part)
    return " ".join(analysed[p] for p in parts if p)


# The listener indexes one inquiry's ticket at a time, almost always: its three reads are
# compiled once (core/compiled.py; compiling them cost more CPU than running them).
# Plain rows, not models: building Identity instances was a quarter of the listener's time
# per inquiry (bench/profile_form.py, cProfile).
_ONE_TICKET = CompiledQuery(
    Ticket, lambda pk: Ticket.objects.filter(pk=pk).values_list(*ROW_FIELDS), MARKER
)
# The kinds are picked in Python, not in SQL: with ``kind IN (...)`` SQLite prefers the
# (kind, value) index and reads every email identity there is.
_ONE_CUSTOMER = CompiledQuery(
    Identity,
    lambda pk: (
        Identity.objects.filter(customer_id=pk)
        .order_by("id")
        .values_list("customer_id", "kind", "value")
    ),
    MARKER,
)
# No ORDER BY in SQL: ordered by id, SQLite walks the whole table in id order instead of
# using the ticket index (seconds at millions of messages); rows are sorted in Python.
_ONE_TICKETS_MESSAGES = CompiledQuery(
    Message,
    lambda pk, since: (
        Message.objects.filter(ticket_id=pk, id__gt=since)
        .order_by()
        .values_list("ticket_id", "id", "text")
    ),
    MARKER,
    MARKER_2,
)


def _tickets(ids: list[int]) -> dict[int, TicketRow]:
    rows: Iterable[tuple[Any, ...]]
    if len(ids) == 1:
        rows = _ONE_TICKET.rows(ids[0])
    else:
        rows = Ticket.objects.filter(pk__in=ids).values_list(*ROW_FIELDS)
    return {row[0]: TicketRow(*row) for row in rows}


_ONE_DOCUMENT = CompiledQuery(
    SearchDocument, lambda pk: SearchDocument.objects.filter(ticket_id=pk), MARKER
)


def _documents(ticket_ids: list[int]) -> dict[int, SearchDocument]:
    if not ticket_ids:
        return {}
    if len(ticket_ids) == 1:  # a follow-up message: compiled once, as the reads above
        found = _ONE_DOCUMENT.objects(ticket_ids[0])
    else:
        found = list(SearchDocument.objects.filter(ticket_id__in=ticket_ids))
    return {d.ticket_id: d for d in found}


def _identities(customer_ids: Iterable[int | None]) -> dict[int, list[Contact]]:
    found: dict[int, list[Contact]] = {}
    ids = sorted({pk for pk in customer_ids if pk is not None})
    if not ids:
        return found
    rows: Iterable[tuple[Any, ...]]
    if len(ids) == 1:
        rows = _ONE_CUSTOMER.rows(ids[0])
    else:
        rows = (
            Identity.objects.filter(customer_id__in=ids)
            .order_by("id")
            .values_list("customer_id", "kind", "value")
        )
    for customer_id, kind, value in rows:
        if kind in SHOWN_KINDS:
            found.setdefault(customer_id, []).append(Contact(kind, value))
    return found


def _messages(ticket_ids: list[int], since: int) -> list[tuple[int, int, str]]:
    """Messages of ``ticket_ids`` with an id above ``since``, oldest first."""
    rows: Iterable[tuple[Any, ...]]
    if len(ticket_ids) == 1:
        rows = _ONE_TICKETS_MESSAGES.rows(ticket_ids[0], since)
    else:
        rows = (
            Message.objects.filter(ticket_id__in=ticket_ids, id__gt=since)
            .order_by()
            .values_list("ticket_id", "id", "text")
        )
    return sorted(rows, key=lambda row: row[1])


def _append(body: str, more: str) -> str:
    if not more or len(body) >= MAX_BODY_CHARS:
        return body
    joined = f"{body}\n{more}" if body else more
    return joined[:MAX_BODY_CHARS]


def index_tickets(
    ticket_ids: Iterable[int], *, rebuild: bool = False, opened: Iterable[int] = ()
) -> int:
    """Bring the documents of ``ticket_ids`` up to date; returns how many were written.

    Without ``rebuild`` an existing document keeps its head and gets the messages that
    arrived since it was written; with it, head and body are made anew. A merged-away
    ticket loses its document (its messages live on in the ticket it was merged into).
    ``opened``: tickets just opened, whose documents are made whole without looking for one
    (a retry overwrites the first attempt's with the same).
    """
    ids = sorted(set(ticket_ids))
    if not ids:
        return 0
    tickets = _tickets(ids)
    gone = [pk for pk in ids if pk not in tickets or tickets[pk].merged_into_id is not None]
    live = [pk for pk in ids if pk not in gone]
    fresh = set(opened)
    look = [pk for pk in live if pk not in fresh]
    existing = _documents(look)
    since = {
        pk: (0 if rebuild or pk not in existing else existing[pk].last_message_id) for pk in live
    }
    low = min(since.values(), default=0)
    messages: dict[int, list[tuple[int, str]]] = {}
    for ticket_id, message_id, text in _messages(live, low) if live else []:
        if message_id > since[ticket_id]:
            messages.setdefault(ticket_id, []).append((message_id, text))
    need_head = [pk for pk in live if rebuild or pk not in existing]
    identities = _identities(tickets[pk].customer_id for pk in need_head)
    now = timezone.now()
    docs: list[SearchDocument] = []
    for pk in live:
        doc = existing.get(pk)
        new = messages.get(pk, [])
        if doc is not None and not rebuild and not new:
            continue
        ticket = tickets[pk]
        if doc is None or rebuild:
            head = head_text(ticket, identities.get(ticket.customer_id or 0, []))
            body, last = "", 0
        else:
            head, body, last = doc.head, doc.body, doc.last_message_id
        for message_id, text in new:
            body = _append(body, analyzer.index_text(text))
            last = message_id
        docs.append(
            SearchDocument(ticket_id=pk, head=head, body=body, last_message_id=last, indexed_at=now)
        )
    _save(docs, gone)
    return len(docs)


def refresh_heads(ticket_ids: Iterable[int]) -> int:
    """Rewrite the heads (subject, customer) of existing documents; bodies stay."""
    ids = sorted(set(ticket_ids))
    existing = {d.ticket_id: d for d in SearchDocument.objects.filter(ticket_id__in=ids)}
    missing = [pk for pk in ids if pk not in existing]
    written = index_tickets(missing) if missing else 0
    tickets = list(_tickets(sorted(existing)).values()) if existing else []
    identities = _identities(t.customer_id for t in tickets)
    docs = []
    for ticket in tickets:
        doc = existing[ticket.id]
        doc.head = head_text(ticket, identities.get(ticket.customer_id or 0, []))
        doc.indexed_at = timezone.now()
        docs.append(doc)
    _save(docs, [])
    return written + len(docs)


def _save(docs: list[SearchDocument], gone: Sequence[int]) -> None:
    # No savepoint of its own: on a failure the dispatch runs each listener alone.
    with transaction.atomic(savepoint=False):
        if gone:
            SearchDocument.objects.filter(ticket_id__in=gone).delete()
        if docs:
            insert_all(
                docs,
                update_conflicts=(["ticket"], ["head", "body", "last_message_id", "indexed_at"]),
            )
    backend = get_backend()
    backend.documents_changed(docs, gone)


def unindexed_since(when: dt.datetime) -> list[int]:
    """Tickets with activity after ``when`` (for a catch-up reindex)."""
    return list(Ticket.objects.filter(last_activity_at__gte=when).values_list("id", flat=True))
