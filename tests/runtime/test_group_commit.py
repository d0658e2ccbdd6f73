"""Writes that wait for the database together (core/group_commit.py): on SQLite one
transaction for those that waited, a failing one undone alone; elsewhere each alone."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import IntegrityError, connection

from sangdam.core.group_commit import GroupCommit
from sangdam.customers.models import Identity
from sangdam.tickets.models import Topic

pytestmark = pytest.mark.django_db(transaction=True)


def _topic(slug: str, fail: bool = False) -> Callable[[], int | None]:
    """A write that says which transaction it ran in (None: none of its caller's)."""

    def write() -> int | None:
        Topic.objects.create(slug=slug, names={"en": slug})
        if fail:
            raise ValueError(f"{slug} refused")
        return id(connection.atomic_blocks[0]) if connection.in_atomic_block else None

    return write


def _run_while_one_waits(writes: list[Callable[[], Any]]) -> list[Any]:
    """The first write holds the database thread until all the others have been handed in;
    each outcome (a result or the exception) in order."""
    group = GroupCommit()
    started, go = threading.Event(), threading.Event()

    def first() -> int | None:
        started.set()
        go.wait(5)
        return _topic("first")()

    async def scenario() -> list[Any]:
        calls = [asyncio.ensure_future(group.call(first))]
        await sync_to_async(started.wait, thread_sensitive=False)(5)
        calls += [asyncio.ensure_future(group.call(write)) for write in writes]
        await asyncio.sleep(0.05)  # every call is waiting
        go.set()
        return await asyncio.gather(*calls, return_exceptions=True)

    return async_to_sync(scenario)()[1:]


def test_writes_that_waited_together_share_one_transaction_on_sqlite() -> None:
    outcomes = _run_while_one_waits([_topic("a"), _topic("b"), _topic("c")])
    assert set(Topic.objects.values_list("slug", flat=True)) == {"first", "a", "b", "c"}
    if connection.vendor == "sqlite":
        assert outcomes[0] is not None and outcomes == [outcomes[0]] * 3
    else:  # PostgreSQL: a savepoint each would cost more round trips than it saves
        assert outcomes == [None, None, None]


def test_a_write_that_fails_among_them_is_undone_alone_and_its_caller_hears_why() -> None:
    outcomes = _run_while_one_waits([_topic("a"), _topic("b", fail=True), _topic("c")])
    assert isinstance(outcomes[1], ValueError) and str(outcomes[1]) == "b refused"
    slugs = set(Topic.objects.values_list("slug", flat=True))
    if connection.vendor == "sqlite":
        assert slugs == {"first", "a", "c"}
    else:  # alone, in autocommit: what it wrote before it raised stays
        assert slugs == {"first", "a", "b", "c"}


def test_a_single_write_runs_as_it_would_without_the_group() -> None:
    group = GroupCommit()
    assert async_to_sync(group.call)(_topic("alone")) is None
    assert Topic.objects.filter(slug="alone").exists()


def _dangling_identity() -> None:
    """A write whose fault shows only at commit: a foreign key checked when the
    transaction ends (Django's constraints are deferred on both databases)."""
    Identity.objects.create(customer_id=987654321, kind="email", value="ghost@example.com")


def test_when_the_shared_commit_fails_each_write_runs_alone_and_only_the_bad_one_fails() -> None:
    outcomes = _run_while_one_waits([_topic("a"), _dangling_identity, _topic("c")])
    assert isinstance(outcomes[1], IntegrityError)
    assert set(Topic.objects.values_list("slug", flat=True)) == {"first", "a", "c"}
    assert not Identity.objects.filter(value="ghost@example.com").exists()
