"""A LINE channel talking to a local fake LINE Platform, and signed webhook calls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from sangdam.connectors.line.fake import FakeLine, signature
from sangdam.connectors.models import Channel
from tests import factories

SECRET = "8d2f1e0c4b7a69583d2e1f0a9b8c7d6e"
USER = "U4af4980629a1b2c3d4e5f60718293a4b"  # Yuki, a LINE user who adds the account


@pytest.fixture
def fake_line() -> Iterator[FakeLine]:
    with FakeLine(basic_id="@sangdam") as fake:
        fake.add_profile(USER, "Yuki Tanaka", language="ja")
        yield fake


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Any) -> Iterator[None]:
    # Reply tokens and profiles live in the cache; no test sees another's.
    settings.ALLOW_PRIVATE_PROVIDER_URLS = True
    settings.LANGUAGE_CODE = "en"  # labels such as "(photo)" read in the center's language
    settings.PROVIDER_RETRY_BASE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def line_channel(db: None, fake_line: FakeLine) -> Channel:
    return factories.make_channel(
        "line",
        name="LINE",
        config={"api_base": fake_line.url, "basic_id": "@sangdam"},
        secrets={"channel_secret": SECRET, "channel_access_token": fake_line.access_token},
    )


def post_webhook(
    channel: Channel,
    body: bytes,
    *,
    sign_with: str | None = SECRET,
    signature_value: str | None = None,
    client: Client | None = None,
) -> Any:
    """POST a webhook the way LINE does: JSON body, X-Line-Signature over the raw bytes."""
    headers: dict[str, str] = {}
    if signature_value is not None:
        headers["X-Line-Signature"] = signature_value
    elif sign_with is not None:
        headers["X-Line-Signature"] = signature(sign_with, body)
    return (client or Client()).post(
        f"/hooks/line/{channel.key}", body, content_type="application/json", headers=headers
    )
