"""An API client holding an agent's Bearer token, as an integrator's backend would."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from sangdam.accounts.models import Role, User
from sangdam.accounts.tokens import create_api_token
from tests import factories

BASE = "/api/v1"


class ApiClient:
    def __init__(self, token: str = "", **headers: str) -> None:
        self.client = Client()
        self.headers = dict(headers)
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        call = getattr(self.client, method)
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        return call(BASE + path, **kwargs)

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(BASE + path, params or {}, headers={**self.headers, **headers})

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._send("post", path, body if body is not None else {}, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self._send("patch", path, body, **headers)


def client_for(user: User) -> ApiClient:
    return ApiClient(create_api_token(user=user, name="tests").raw)


@pytest.fixture
def api(agent: User) -> ApiClient:
    """Seoyeon's integration, authenticated with her token."""
    return client_for(agent)


@pytest.fixture
def readonly_api(db: None) -> ApiClient:
    return client_for(factories.make_agent("Auditor", role=Role.READONLY))


def new_inquiry(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer": {"email": "minji@example.com", "name": "김민지"},
        "subject": "결제 오류",
        "text": "결제가 두 번 되었어요. 환불 부탁드립니다.",
    }
    body.update(fields)
    return body
