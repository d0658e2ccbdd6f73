"""Finding the one customer behind an identity, and merging two customers."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from sangdam.core.compiled import CompiledQuery
from sangdam.core.inserts import insert
from sangdam.customers.models import SHOWN_CONTACT_KINDS, Customer, Identity
from sangdam.tickets.actor import Actor
from sangdam.tickets.errors import DomainError


def normalize_identity(kind: str, value: str) -> str:
    value = value.strip()
    if kind == "email":
        return value.lower()
    if kind == "phone":
        import phonenumbers

        try:
            parsed = phonenumbers.parse(value, "KR")
        except phonenumbers.NumberParseException:
            return value
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return value


# Every inquiry looks its sender up, almost always by one identity: compiled once
# (core/compiled.py). The markers are values no kind or address has.
_KIND, _VALUE = "\x00kind", "\x00value"
_ONE_IDENTITY = CompiledQuery(
    Identity,
    lambda kind, value: Identity.objects.select_related("customer").filter(kind=kind, value=value),
    _KIND,
    _VALUE,
)


def _known(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Identity]:
    if len(pairs) == 1:
        found = _ONE_IDENTITY.objects(*pairs[0])
    else:
        lookup = Identity.objects.none()
        for kind, value in pairs:
            lookup = lookup | Identity.objects.filter(kind=kind, value=value)
        found = list(lookup.select_related("customer"))
    return {(i.kind, i.value): i for i in found}


def resolve_customer(
    *, identities: Sequence[tuple[str, str]], name: str = "", language: str = ""
) -> Customer:
    """The customer these identities belong to, created if none does.

    Identities already owned by another customer are left with that customer: two
    people are joined only by an explicit merge, never by a guess.
    """
    pairs = [(kind, normalize_identity(kind, value)) for kind, value in identities if value.strip()]
    if not pairs:
        raise DomainError(_("A message needs a sender."), code="no_sender")
    known = _known(pairs)
    customer = next((known[p].customer for p in pairs if p in known), None)
    contact = next((v for k, v in pairs if k in SHOWN_CONTACT_KINDS), "")
    if customer is None:
        customer = insert(Customer(name=name[:200], contact=contact, language=language))
    elif (not customer.name and name) or (not customer.contact and contact):
        customer.name = customer.name or name[:200]
        customer.contact = customer.contact or contact
        customer.save(update_fields=["name", "contact", "updated_at"])
    for kind, value in pairs:
        if (kind, value) not in known:
            # A concurrent intake may add the same identity first: our insert then fails,
            # the intake rolls back and retries, and the retry finds the winner's customer.
            insert(Identity(customer=customer, kind=kind, value=value))
    return customer


def do_merge_customers(*, source: Customer, target: Customer, actor: Actor) -> Customer:
    """Merge two records of one person: identities and tickets move to ``target``."""
    from sangdam.tickets.dispatch import record
    from sangdam.tickets.events import CustomerMerged
    from sangdam.tickets.models import Ticket

    if source.pk == target.pk:
        raise DomainError(_("A customer cannot be merged into itself."), code="merge_into_self")
    with transaction.atomic():
        Identity.objects.filter(customer=source).update(customer=target)
        moved = Ticket.objects.filter(customer=source).update(customer=target)
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        if not target.name and source.name:
            target.name = source.name
            target.save(update_fields=["name", "updated_at"])
        record(
            [CustomerMerged(ticket_id=None, source=source.pk, target=target.pk, tickets=moved)],
            actor=actor,
        )
    return target
