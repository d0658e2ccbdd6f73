from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from sangdam.core.runtime import make_worker
from tests import factories


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


@pytest.fixture
def run_tasks():
    """Run every queued background task until the queue is empty (as `sangdam worker` would)."""

    def run() -> None:
        make_worker(batch=True, interval=0).run()

    return run


@pytest.fixture
def email_channel(db):
    return factories.make_channel("email")


@pytest.fixture
def agent(db):
    return factories.make_agent("Seoyeon", languages=["ko", "en"])


@pytest.fixture
def agent_client(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client
