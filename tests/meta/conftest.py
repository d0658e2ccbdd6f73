"""A Messenger and an Instagram channel wired to a local fake Graph API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from sangdam.connectors.facebook import fake as meta_fake
from sangdam.connectors.models import Channel
from tests import factories


@pytest.fixture
def graph(settings: Any) -> Iterator[meta_fake.FakeGraph]:
    # Media URLs in the fixtures point at the fake on 127.0.0.1; the SSRF guard is tested
    # on its own (test_media_urls_pointing_inside_are_refused).
    settings.NETGUARD_ALLOW_LOCAL = True
    settings.PROVIDER_RETRY_BASE_SECONDS = 0
    fake = meta_fake.FakeGraph()
    with fake:
        yield fake


def _secrets() -> dict[str, str]:
    return {"page_access_token": meta_fake.PAGE_TOKEN, "app_secret": meta_fake.APP_SECRET}


@pytest.fixture
def messenger(db: None, graph: meta_fake.FakeGraph) -> Channel:
    return factories.make_channel(
        "facebook",
        address="exampleshop",
        config={
            "page_id": meta_fake.PAGE_ID,
            "verify_token": meta_fake.VERIFY_TOKEN,
            "api_base": graph.base_url,
        },
        secrets=_secrets(),
    )


@pytest.fixture
def instagram(db: None, graph: meta_fake.FakeGraph) -> Channel:
    return factories.make_channel(
        "instagram",
        address="example.shop",
        config={
            "page_id": meta_fake.IG_ACCOUNT_ID,
            "verify_token": meta_fake.VERIFY_TOKEN,
            "api_base": graph.base_url,
        },
        secrets=_secrets(),
    )


def post_hook(
    channel: Channel,
    payload: dict[str, Any] | bytes,
    *,
    signature: str | None = "good",
    client: Client | None = None,
) -> Any:
    """POST a webhook as Meta does: raw JSON body signed with the app secret."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {}
    if signature == "good":
        headers["X-Hub-Signature-256"] = meta_fake.sign(meta_fake.APP_SECRET, body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return (client or Client()).post(
        f"/hooks/{channel.kind}/{channel.key}",
        body,
        content_type="application/json",
        headers=headers,
    )


def fixture(graph: meta_fake.FakeGraph, name: str) -> dict[str, Any]:
    return meta_fake.load_fixture(name, media_base=graph.base_url)


def customer_writes(
    channel: Channel,
    graph: meta_fake.FakeGraph,
    text: str = "주문한 상품이 아직 안 왔어요.",
    *,
    sender: str = "6874123409876543",
    hours_ago: float = 0,
) -> Any:
    """The customer sends ``text`` (Meta stamps it ``hours_ago``); returns the response."""
    import time

    instagram = channel.kind == "instagram"
    payload = meta_fake.customer_event(graph, text, sender=sender, instagram=instagram)
    stamp = int((time.time() - hours_ago * 3600) * 1000)
    payload["entry"][0]["messaging"][0]["timestamp"] = stamp
    return post_hook(channel, payload)


@pytest.fixture
def en_client(agent: Any) -> Client:
    """Seoyeon with an English interface, for tests that read UI text."""
    agent.language = "en"
    agent.save(update_fields=["language"])
    client = Client()
    client.force_login(agent)
    return client
