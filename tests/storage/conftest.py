from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import storages

from sangdam.core.storage import default_storage_from_env
from tests.s3 import S3Server, s3_server


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    with s3_server() as server:
        yield server


@pytest.fixture
def bucket(s3: S3Server, settings: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Attachments of this test go to a fresh bucket, configured as an operator would: env."""
    name = s3.new_bucket()
    for key, value in s3.env(name).items():
        monkeypatch.setitem(os.environ, key, value)
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_from_env()}
    assert type(storages["default"]).__name__ == "S3Storage"
    return name


# The app's signed-client fixtures, for the in-app inquiry with a screenshot.
from tests.app.conftest import (  # noqa: E402, F401
    _fresh_rate_limits,
    _keep_test_connection,
    app,
    client_for,
    minji,
)
