from __future__ import annotations

from collections.abc import Iterator

import pytest

from sangdam.connectors import registry
from sangdam.connectors.models import Channel
from tests import factories
from tests.webhooks.hooks import KIND, SECRET, SignedHookConnector


@pytest.fixture
def test_connector() -> Iterator[SignedHookConnector]:
    registry.register(SignedHookConnector)
    connector = registry.get_connector(KIND)
    assert isinstance(connector, SignedHookConnector)
    connector.poison_ids = set()
    yield connector
    registry.unregister(KIND)


@pytest.fixture
def hook_channel(db, test_connector: SignedHookConnector) -> Channel:
    return factories.make_channel(KIND, secrets={"signing_secret": SECRET})
