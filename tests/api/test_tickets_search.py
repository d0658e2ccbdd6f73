"""`GET /tickets?q=`: the REST API's search."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sangdam.connectors.models import Channel
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_q_finds_a_korean_inflected_form_with_a_marked_snippet(
    api: ApiClient, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    ticket = factories.customer_writes(email_channel, text="어제 환불했는데 아직이에요").ticket
    factories.customer_writes(email_channel, text="배송 문의", sender=("email", "jun@example.com"))
    run_tasks()
    body = api.get("/tickets", {"q": "환불했어요"}).json()
    assert [t["reference"] for t in body["items"]] == [ticket.reference]
    assert body["total"] == 1
    assert "<mark>환불</mark>했는데" in body["items"][0]["snippet"]


def test_q_finds_mixed_language_text(
    api: ApiClient, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    ticket = factories.customer_writes(
        email_channel, text="注文した商品が届きません. Order 4412, 배송이 안 와요"
    ).ticket
    run_tasks()
    for q in ("商品", "order 4412", "배송 와요"):
        items = api.get("/tickets", {"q": q}).json()["items"]
        assert [t["reference"] for t in items] == [ticket.reference], q


def test_q_pages_through_results_with_the_cursor(
    api: ApiClient, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    created = {
        factories.customer_writes(
            email_channel, text="쿠폰이 안 돼요", sender=("email", f"c{i}@example.com")
        ).ticket.reference
        for i in range(5)
    }
    run_tasks()
    seen: list[str] = []
    params: dict[str, object] = {"q": "쿠폰", "limit": 2}
    while True:
        body = api.get("/tickets", params).json()
        assert body["total"] == 5
        seen += [t["reference"] for t in body["items"]]
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    assert sorted(seen) == sorted(created)


def test_q_keeps_the_other_filters(
    api: ApiClient, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    telegram = factories.make_channel("telegram")
    factories.customer_writes(email_channel, text="환불 문의")
    by_telegram = factories.customer_writes(
        telegram, text="환불 문의", sender=("telegram", "42")
    ).ticket
    run_tasks()
    items = api.get("/tickets", {"q": "환불", "channel": "telegram"}).json()["items"]
    assert [t["reference"] for t in items] == [by_telegram.reference]
    assert api.get("/tickets", {"q": "환불", "view": "solved"}).json()["items"] == []
