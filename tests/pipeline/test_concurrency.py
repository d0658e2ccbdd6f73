"""Several processes deliver at the same moment: the database keeps one of each.

Real processes against the real test database: PostgreSQL, or the SQLite test file that
tests/conftest.py sets up (there IMMEDIATE transactions and busy_timeout queue writers).
"""

from __future__ import annotations

import pytest

from sangdam.customers.models import Customer, Identity
from sangdam.tickets.models import Message, Ticket
from tests import factories
from tests.processes import at_once, deliver, deliver_in_conversation

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_processes_delivering_the_same_message_store_it_once():
    channel = factories.make_channel("email")

    outcomes = at_once(deliver, [(channel.pk, "<race@mail.example>", "minji@example.com")] * 2)

    assert Message.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert sorted(o[2] for o in outcomes) == [False, True]
    assert {o[0] for o in outcomes} == {Ticket.objects.get().pk}


def test_eight_processes_delivering_the_same_message_store_it_once():
    channel = factories.make_channel("email")

    outcomes = at_once(deliver, [(channel.pk, "<storm@mail.example>", "john@example.com")] * 8)

    assert Message.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert Customer.objects.count() == 1
    assert sum(1 for o in outcomes if not o[2]) == 1


def test_two_first_messages_from_a_new_customer_make_one_customer():
    channel = factories.make_channel("email")

    at_once(
        deliver,
        [
            (channel.pk, "<first@mail.example>", "new.customer@example.com"),
            (channel.pk, "<second@mail.example>", "New.Customer@example.com"),
        ],
    )

    assert Message.objects.count() == 2
    assert Customer.objects.count() == 1
    assert Identity.objects.filter(value="new.customer@example.com").count() == 1
    assert set(Ticket.objects.values_list("customer", flat=True)) == {Customer.objects.get().pk}


def test_messages_of_one_conversation_arriving_together_stay_on_one_ticket():
    channel = factories.make_channel("email")
    factories.customer_writes(channel, sender=("email", "kim@example.com"))  # a known customer

    for round_no in range(4):
        key = f"<conversation-{round_no}@mail.example>"
        tickets = at_once(
            deliver_in_conversation,
            [
                (channel.pk, f"<{round_no}.{n}@mail.example>", "kim@example.com", key)
                for n in range(3)
            ],
        )
        assert len(set(tickets)) == 1, f"round {round_no} split over tickets {tickets}"
