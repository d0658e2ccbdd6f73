"""Fuzz both published OpenAPI schemas: no 5xx, and every answer matches the schema.

schemathesis generates requests from /api/app/v1/openapi.json and /api/v1/openapi.json
(valid and invalid ones) and sends them in-process through Django's WSGI handler, signed
as a real app user or agent, inside the test's database transaction.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from examples.app_client import sign_user
from sangdam.connectors.app.models import App
from tests import factories
from tests.app.conftest import secret_of

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
FUZZ = settings(
    max_examples=int(os.environ.get("SANGDAM_FUZZ_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)

app_schema = schemathesis.openapi.from_wsgi("/api/app/v1/openapi.json", WSGIHandler())
core_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


def _probe(path: str, headers: dict[str, str]) -> int:
    # Through WSGI like schemathesis (Django's test Client would reconnect the signal
    # that closes the test's database connection after each request).
    transport = httpx.WSGITransport(app=WSGIHandler())
    with httpx.Client(transport=transport, base_url="http://testserver") as client:
        return client.get(path, headers=headers).status_code


@pytest.fixture
def app_headers(app: App, _keep_test_connection: None, settings: Any) -> dict[str, str]:
    settings.APP_API_RATE_PER_USER = 1_000_000
    settings.APP_API_RATE_PER_APP = 1_000_000
    factories.make_topic("payment")
    headers = {
        "X-App-Key": app.key,
        "X-User-Id": "fuzz-user",
        "X-User-Signature": sign_user(secret_of(app), "fuzz-user"),
    }
    # The fuzzing is only worth something if the requests get past authentication.
    assert _probe("/api/app/v1/inquiries", headers) == 200
    return headers


@pytest.fixture
def agent_headers(db: None, _keep_test_connection: None) -> dict[str, str]:
    from sangdam.accounts.tokens import create_api_token

    agent = factories.make_agent("Fuzz")
    issued = create_api_token(user=agent, name="fuzz")
    headers = {"Authorization": f"Bearer {issued.raw}"}
    assert _probe("/api/v1/tickets", headers) == 200
    return headers


@pytest.mark.django_db
@app_schema.parametrize()
@FUZZ
def test_app_api_never_fails_and_conforms(
    case: schemathesis.Case, app_headers: dict[str, str]
) -> None:
    case.call_and_validate(headers=app_headers, checks=CHECKS)


@pytest.mark.django_db
@core_schema.parametrize()
@FUZZ
def test_core_api_never_fails_and_conforms(
    case: schemathesis.Case, agent_headers: dict[str, str]
) -> None:
    case.call_and_validate(headers=agent_headers, checks=CHECKS)
