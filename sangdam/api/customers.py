"""Customers: search, one customer with identities, and merging two records of one person."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from sangdam.api.auth import api_actor
from sangdam.api.errors import ApiError, not_found, validation_error
from sangdam.api.schemas import ERRORS, CustomerDetailOut, CustomerMerge, CustomerPageOut
from sangdam.customers.actions import do_merge_customers
from sangdam.customers.models import Customer
from sangdam.customers.selectors import customer_detail, customer_page
from sangdam.tickets.selectors import MAX_PAGE_SIZE

router = Router(tags=["customers"])


class CustomerQuery(Schema):
    q: str = Field("", max_length=200, description="part of a name, email or phone number")
    cursor: str = ""
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


def _customer(customer_id: int) -> Customer:
    customer = customer_detail(customer_id=customer_id)
    if customer is None:
        raise not_found(_("Customer"))
    return customer


@router.get("/customers", response={200: CustomerPageOut, **ERRORS})
def list_customers(request: HttpRequest, q: Query[CustomerQuery]) -> dict[str, Any]:
    """Customers newest first, optionally searched; follow `next_cursor`."""
    if q.cursor and not (q.cursor.isascii() and q.cursor.isdigit()):
        raise validation_error("cursor", _("This cursor is not valid."))
    items, last = customer_page(
        query=q.q, cursor=int(q.cursor) if q.cursor else None, limit=q.limit
    )
    return {"items": items, "next_cursor": str(last) if last is not None else None}


@router.get("/customers/{customer_id}", response={200: CustomerDetailOut, **ERRORS})
def get_customer(request: HttpRequest, customer_id: int) -> Customer:
    """One customer with every identity and how many tickets they have."""
    return _customer(customer_id)


@router.post("/customers/{customer_id}/merge", response={200: CustomerDetailOut, **ERRORS})
def merge_customer(request: HttpRequest, customer_id: int, payload: CustomerMerge) -> Customer:
    """Merge this customer into `into`: identities and tickets move; this record is retired."""
    source = _customer(customer_id)
    if source.merged_into_id:
        raise ApiError(409, "already_merged", _("This customer was already merged."))
    target = customer_detail(customer_id=payload.into)
    if target is None or target.merged_into_id:
        raise validation_error("into", _("No active customer has this id."))
    do_merge_customers(source=source, target=target, actor=api_actor(request))
    return _customer(target.pk)
