"""Reads of customers for the console and the API."""

from __future__ import annotations

from django.db.models import Count, Q

from sangdam.customers.models import Customer, Identity


def customer_identities(*, customer_id: int) -> list[Identity]:
    """Every way we know to reach the customer, grouped by kind."""
    return list(Identity.objects.filter(customer_id=customer_id).order_by("kind", "value"))


def customer_page(
    *, query: str = "", cursor: int | None = None, limit: int = 50
) -> tuple[list[Customer], int | None]:
    """Customers newest first, found by name or any identity (email, phone, ...).

    Keyset-paged on id; the cursor is the last id seen. Merged-away records are hidden:
    their identities and tickets live on the surviving customer.
    """
    from sangdam.customers.actions import normalize_identity

    qs = Customer.objects.filter(merged_into__isnull=True)
    query = query.strip()
    if query:
        values = {query.lower(), normalize_identity("phone", query)}
        qs = qs.filter(
            Q(name__icontains=query)
            | Q(identities__value__in=values)
            | Q(identities__value__icontains=query)
        ).distinct()
    if cursor is not None:
        qs = qs.filter(pk__lt=cursor)
    items = list(qs.prefetch_related("identities").order_by("-id")[: limit + 1])
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    return items, items[-1].pk


def customer_detail(*, customer_id: int) -> Customer | None:
    """A customer with identities and ``ticket_count``."""
    return (
        Customer.objects.annotate(ticket_count=Count("tickets"))
        .prefetch_related("identities")
        .filter(pk=customer_id)
        .first()
    )
