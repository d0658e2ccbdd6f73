"""core/inserts.py writes the same rows as the ORM's ``create``/``bulk_create``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.db.models.signals import post_save
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sangdam.core.inserts import insert, insert_all, known_related
from sangdam.customers.models import Customer
from sangdam.search.models import SearchDocument
from sangdam.tickets.models import Attachment, Direction, Event, Message, Ticket
from sangdam.tickets.models.ticket import Priority
from tests import factories

pytestmark = pytest.mark.django_db


def stored(obj: Model, *without: str) -> dict[str, Any]:
    row = type(obj).objects.get(pk=obj.pk)  # type: ignore[attr-defined]
    return {k: v for k, v in model_to_dict(row).items() if k not in ("id", *without)}


def a_ticket(reference: str, customer: Customer, when: dt.datetime) -> Ticket:
    return Ticket(
        reference=reference,
        subject="결제가 두 번 되었어요",
        priority=Priority.HIGH,
        channel=factories.make_channel("webform", name=f"form {reference}"),
        customer=customer,
        language="ko",
        metadata={"order": "A-1", "items": [1, 2], "주문": None},
        last_activity_at=when,
        created_at=when,
    )


def test_a_ticket_inserted_directly_reads_back_as_one_the_orm_created() -> None:
    customer = insert(Customer(name="김민지", contact="minji@example.com", language="ko"))
    when = timezone.now() - dt.timedelta(hours=3)
    direct = insert(a_ticket("100001", customer, when))
    by_orm = a_ticket("100002", customer, when)
    by_orm.save()
    assert isinstance(direct.pk, int) and not direct._state.adding
    mine, theirs = stored(direct, "reference", "channel"), stored(by_orm, "reference", "channel")
    assert mine == theirs
    assert mine["metadata"] == {"order": "A-1", "items": [1, 2], "주문": None}
    assert Ticket.objects.get(pk=direct.pk).created_at == when


def test_rows_inserted_together_each_get_their_own_id_in_order() -> None:
    ticket = factories.customer_writes(factories.make_channel()).ticket
    rows = [Event(ticket=ticket, kind=f"kind_{i}", data={"n": i}) for i in range(400)]
    insert_all(rows)  # more values than one SQLite statement takes
    assert [Event.objects.get(pk=row.pk).data for row in rows] == [{"n": i} for i in range(400)]


def test_a_repeated_unique_value_fails_as_with_the_orm_and_changes_nothing() -> None:
    ticket = factories.customer_writes(factories.make_channel()).ticket

    def mail(text: str) -> Message:
        return Message(
            ticket=ticket,
            direction=Direction.IN,
            text=text,
            external_id="mail-1",
            channel=ticket.channel,
            created_at=timezone.now(),
        )

    insert(mail("first"))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(mail("again"))
    assert list(Message.objects.filter(external_id="mail-1").values_list("text", flat=True)) == [
        "first"
    ]


def test_a_model_with_save_receivers_is_saved_by_the_orm_so_they_hear_of_it() -> None:
    heard: list[str] = []

    def note(sender: type[Model], instance: Customer, created: bool, **kwargs: Any) -> None:
        heard.append(instance.name)

    post_save.connect(note, sender=Customer)
    try:
        insert(Customer(name="박서준"))
    finally:
        post_save.disconnect(note, sender=Customer)
    assert heard == ["박서준"]


def test_a_row_whose_unique_field_exists_updates_it_instead_when_asked() -> None:
    ticket = factories.customer_writes(factories.make_channel()).ticket
    SearchDocument.objects.filter(ticket=ticket).delete()
    when = timezone.now()
    insert_all([SearchDocument(ticket=ticket, head="old", body="old", indexed_at=when)])
    again = SearchDocument(
        ticket=ticket, head="new", body="new", last_message_id=7, indexed_at=when
    )
    insert_all(
        [again], update_conflicts=(["ticket"], ["head", "body", "last_message_id", "indexed_at"])
    )
    assert list(
        SearchDocument.objects.filter(ticket=ticket).values_list("body", "last_message_id")
    ) == [("new", 7)]


def test_a_relation_declared_known_answers_without_a_query_and_lookups_still_read(
    email_channel,
) -> None:
    message = factories.customer_writes(email_channel).message
    known_related(message, "attachments", [])
    Attachment.objects.create(message=message, filename="later.png", size=1, sha256="0" * 64)

    with CaptureQueriesContext(connection) as captured:
        assert list(message.attachments.all()) == []
    assert captured.captured_queries == []
    assert [a.filename for a in message.attachments.filter(size=1)] == ["later.png"]
