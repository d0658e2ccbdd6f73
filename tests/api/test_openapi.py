from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_endpoints() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/tickets",
        "/api/v1/tickets/{key}",
        "/api/v1/tickets/{key}/messages",
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/customers/{customer_id}/merge",
        "/api/v1/topics",
        "/api/v1/agents",
        "/api/v1/schedules",
        "/api/v1/schedules/{schedule_id}/preview",
        "/api/v1/sla-policies",
        "/api/v1/wait-times",
        "/api/v1/triggers",
        "/api/v1/time-rules",
        "/api/v1/routing-rules",
        "/api/v1/teams/routing",
    ):
        assert path in paths
    schemes = response.json()["components"]["securitySchemes"]
    assert {s["scheme"] for s in schemes.values()} == {"bearer", "basic"}


def test_api_docs_page_loads() -> None:
    assert Client().get("/api/v1/docs").status_code == 200
