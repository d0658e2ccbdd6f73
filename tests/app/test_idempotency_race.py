"""A phone retrying while its first request is still running still opens one inquiry."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from examples.app_client import sign_user
from sangdam.connectors.app import services
from sangdam.tickets.models import Ticket


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_open_one_inquiry() -> None:
    app = services.create_app(name="Shop", platform="android")
    headers = {
        "X-App-Key": app.key,
        "X-User-Id": "user-42",
        "X-User-Signature": sign_user(str(app.secrets["current"]), "user-42"),
        "Idempotency-Key": "race-1",
    }
    results: list[Any] = []
    barrier = threading.Barrier(4)

    def post() -> None:
        try:
            barrier.wait()
            response = Client().post(
                "/api/app/v1/inquiries", {"text": "결제가 두 번 되었어요"}, headers=headers
            )
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {status for status, _ in results} == {201}
    assert len({body["id"] for _, body in results}) == 1
    assert Ticket.objects.count() == 1
