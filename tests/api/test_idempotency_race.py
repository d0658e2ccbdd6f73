"""Two clients retrying at the same moment with one Idempotency-Key create one ticket."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from sangdam.accounts.models import User
from sangdam.tickets.models import Ticket
from tests.api.conftest import client_for, new_inquiry


@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_create_one_ticket(agent: User) -> None:
    api = client_for(agent)
    api.post("/tickets", new_inquiry(customer={"email": "warm@example.com"}))  # API channel
    results: list[Any] = []
    barrier = threading.Barrier(4)

    def post() -> None:
        try:
            barrier.wait()
            response = api.post("/tickets", new_inquiry(), **{"Idempotency-Key": "race-1"})
            results.append((response.status_code, response.json()["reference"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {status for status, _ in results} == {201}
    assert len({reference for _, reference in results}) == 1
    assert Ticket.objects.filter(reference=results[0][1]).count() == 1
    assert Ticket.objects.count() == 2
