"""An app registered in Sangdam, and the reference client an app developer would use.

The client (examples/app_client.py) talks HTTP through httpx's WSGI transport: the same
requests a phone sends, handled in-process inside the test's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from django.core.handlers.wsgi import WSGIHandler

from examples.app_client import AppClient, sign_user
from sangdam.connectors.app import services
from sangdam.connectors.app.models import App

Client = Callable[..., AppClient]


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    """Let WSGI requests run inside the test's transaction (as Django's test Client does)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def app(db: None) -> App:
    return services.create_app(name="Sangdam Shop iOS", platform="ios")


def secret_of(app: App) -> str:
    return str(app.secrets["current"])


@pytest.fixture
def client_for(app: App, _keep_test_connection: None) -> Client:
    """A client for a user the company's backend signed (``signature`` overrides it)."""
    transport = httpx.WSGITransport(app=WSGIHandler())

    def make(
        user_id: str = "user-42", *, signature: str | None = None, **kwargs: object
    ) -> AppClient:
        if user_id and signature is None:
            signature = sign_user(secret_of(app), user_id)
        return AppClient(
            "http://testserver",
            str(kwargs.pop("app_key", app.key)),
            user_id,
            signature or "",
            transport=transport,
            **kwargs,  # type: ignore[arg-type]
        )

    return make


@pytest.fixture
def minji(client_for: Client) -> AppClient:
    return client_for("user-42")
