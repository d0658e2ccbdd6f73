"""Queries compiled once (core/compiled.py) answer each run with that run's values."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from sangdam.accounts.models import User
from sangdam.core.compiled import MARKER, CompiledQuery
from sangdam.tickets.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db


def _named(user_id: int) -> QuerySet[User]:
    return User.objects.filter(pk=user_id, is_active=True)


def test_each_run_finds_the_row_of_its_own_value() -> None:
    minji, minho = factories.make_agent("Minji"), factories.make_agent("Minho")
    query = CompiledQuery(User, _named, -1)
    assert [u.display_name for u in query.run(minji.pk)] == ["Minji"]
    assert [u.display_name for u in query.run(minho.pk)] == ["Minho"]
    assert query.run(10**9) == []


def test_a_marker_the_sql_does_not_hold_once_is_refused() -> None:
    def twice(user_id: int) -> QuerySet[User]:
        return User.objects.filter(pk=user_id) | User.objects.filter(pk=user_id)

    with pytest.raises(ValueError, match="appears 2 times"):
        CompiledQuery(User, twice, -1).run(1)


def _with_channel(ticket_id: int) -> QuerySet[Ticket]:
    return (
        Ticket.objects.select_related("channel", "customer")
        .only("id", "subject", "created_at", "channel__kind", "customer__name")
        .filter(pk=ticket_id)
    )


def test_instances_come_with_their_related_rows_and_typed_values() -> None:
    channel = factories.make_channel("email")
    ticket = factories.customer_writes(channel, subject="Refund", sender_name="Jisoo").ticket
    query = CompiledQuery(Ticket, _with_channel, MARKER)

    for _ in range(2):  # compiled on the first run, replayed on the second
        [found] = query.objects(ticket.pk)
        with CaptureQueriesContext(connection) as more:
            assert (found.subject, found.channel.kind, found.customer.name) == (
                "Refund",
                "email",
                "Jisoo",
            )
            assert found.created_at == ticket.created_at  # a datetime on SQLite too
        assert len(more) == 0
    assert query.objects(10**9) == []


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_outside_a_transaction_is_refused() -> None:
    query = CompiledQuery(
        Ticket, lambda pk: Ticket.objects.select_for_update().filter(pk=pk), MARKER
    )
    with pytest.raises(TransactionManagementError):
        query.objects(1)
