"""Over HTTPS the session and CSRF cookies are Secure and HSTS is sent; plain HTTP works."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def _log_in(client: Client, **extra: Any) -> Any:
    client.get("/login/", **extra)
    agent = factories.make_agent("Seoyeon", email="seoyeon@example.com")
    response = client.post(
        "/login/", {"username": agent.email, "password": factories.PASSWORD}, **extra
    )
    assert response.status_code == 302
    return response


def test_over_https_the_cookies_are_secure_and_hsts_is_sent() -> None:
    client = Client(enforce_csrf_checks=False)
    response = _log_in(client, secure=True)
    assert response.cookies["sessionid"]["secure"] is True
    assert client.cookies["csrftoken"]["secure"] is True
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_a_tls_proxy_the_forwarded_proto_header_counts(settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = _log_in(Client(), HTTP_X_FORWARDED_PROTO="https")
    assert response.cookies["sessionid"]["secure"] is True
    assert "Strict-Transport-Security" in response


def test_the_plain_http_demo_still_logs_in_without_hsts() -> None:
    client = Client()
    response = _log_in(client)
    assert not response.cookies["sessionid"]["secure"]
    assert "Strict-Transport-Security" not in response
    assert client.get("/").status_code == 200
