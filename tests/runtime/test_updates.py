"""core/updates.py writes what ``save(update_fields=…)`` writes, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError
from django.db.models.signals import pre_save
from django.utils import timezone

from sangdam.core.updates import update
from sangdam.tickets.models import Message, Status, Ticket
from tests import factories

pytestmark = pytest.mark.django_db


def test_only_the_named_fields_are_written_and_updated_at_moves() -> None:
    ticket = factories.customer_writes(factories.make_channel()).ticket
    before = Ticket.objects.get(pk=ticket.pk)
    later = timezone.now() + dt.timedelta(minutes=5)
    ticket.last_activity_at = later
    ticket.subject = "changed in memory only"
    update(ticket, ["last_activity_at", "updated_at"])
    row = Ticket.objects.get(pk=ticket.pk)
    assert row.last_activity_at == later
    assert row.subject == before.subject
    assert row.updated_at > before.updated_at


def test_json_and_foreign_keys_read_back_as_the_orm_wrote_them() -> None:
    result = factories.customer_writes(factories.make_channel())
    message = Message.objects.get(pk=result.message.pk)
    other = factories.make_channel("webform", name="form")
    message.metadata = {"recipient": "김민지", "ids": [1, 2], "none": None}
    message.channel = other
    update(message, ["metadata", "channel"])
    row = Message.objects.get(pk=message.pk)
    assert row.metadata == {"recipient": "김민지", "ids": [1, 2], "none": None}
    assert row.channel_id == other.pk


def test_a_field_named_twice_is_written_once() -> None:
    ticket = factories.customer_writes(factories.make_channel()).ticket
    ticket.status = Status.OPEN
    update(ticket, ["status", "updated_at", "status", "updated_at"])
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN


def test_a_row_that_is_gone_fails_as_with_the_orm() -> None:
    ticket = factories.customer_writes(factories.make_channel()).ticket
    Ticket.objects.filter(pk=ticket.pk).delete()
    with pytest.raises(DatabaseError):
        update(ticket, ["subject"])


def test_a_model_with_receivers_goes_through_save_and_they_hear_it() -> None:
    ticket = factories.customer_writes(factories.make_channel()).ticket
    heard: list[frozenset[str] | None] = []

    def receiver(
        sender: type[Ticket], instance: Ticket, update_fields: frozenset[str] | None, **_: object
    ) -> None:
        heard.append(update_fields)

    pre_save.connect(receiver, sender=Ticket)
    try:
        ticket.subject = "heard"
        update(ticket, ["subject"])
    finally:
        pre_save.disconnect(receiver, sender=Ticket)
    assert heard == [frozenset({"subject"})]
    assert Ticket.objects.get(pk=ticket.pk).subject == "heard"
