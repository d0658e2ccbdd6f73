"""Guessing passwords stops: lockout per account and per address, API throttling."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from sangdam.accounts.models import Role
from sangdam.accounts.tokens import create_api_token
from sangdam.core import ratelimit
from tests import factories

pytestmark = pytest.mark.django_db

EMAIL = "seoyeon@example.com"


def _login(password: str, *, ip: str = "203.0.113.7", email: str = EMAIL, lang: str = "en") -> Any:
    return Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=lang).post(
        "/login/", {"username": email, "password": password}
    )


def _basic(email: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def test_after_30_wrong_passwords_the_right_one_is_refused_with_a_clear_message() -> None:
    factories.make_agent("Seoyeon", email=EMAIL)
    for _ in range(30):
        _login("wrong-guess")
    response = _login(factories.PASSWORD)
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_the_lockout_message_is_in_the_users_language() -> None:
    factories.make_agent("Seoyeon", email=EMAIL)
    for _ in range(10):
        _login("wrong-guess", lang="ko")
    response = _login(factories.PASSWORD, lang="ko")
    assert response.status_code == 429
    assert "로그인 시도가 너무 많이 실패했습니다" in response.content.decode()


def test_case_variants_of_the_email_count_against_one_account() -> None:
    factories.make_agent("Seoyeon", email=EMAIL)
    for i in range(10):
        _login("wrong-guess", email=EMAIL.upper() if i % 2 else EMAIL, ip=f"198.51.100.{i}")
    assert _login(factories.PASSWORD, ip="192.0.2.50").status_code == 429


def test_an_address_guessing_many_accounts_is_locked_out_while_others_log_in() -> None:
    factories.make_agent("Seoyeon", email=EMAIL)
    for i in range(10):
        _login("wrong-guess", email=f"guess{i}@example.com", ip="203.0.113.9")
    assert _login(factories.PASSWORD, ip="203.0.113.9").status_code == 429
    assert _login(factories.PASSWORD, ip="192.0.2.10").status_code == 302


def test_an_admin_unlocks_an_agent_from_the_agents_page() -> None:
    boss_client = Client()
    boss_client.force_login(factories.make_admin("Boss"))
    seoyeon = factories.make_agent("Seoyeon", email=EMAIL)
    for _ in range(10):
        _login("wrong-guess")
    page = boss_client.get("/admin/agents/").content.decode()
    assert f"/admin/agents/{seoyeon.pk}/unlock/" in page
    assert boss_client.post(f"/admin/agents/{seoyeon.pk}/unlock/").status_code == 302
    assert _login(factories.PASSWORD).status_code == 302
    assert (
        f"/admin/agents/{seoyeon.pk}/unlock/"
        not in boss_client.get("/admin/agents/").content.decode()
    )


def test_agents_cannot_unlock(agent_client: Client) -> None:
    other = factories.make_agent("Alex")
    assert agent_client.post(f"/admin/agents/{other.pk}/unlock/").status_code == 403


def test_api_basic_auth_failures_lock_out_with_a_429_problem(settings: Any) -> None:
    settings.API_ALLOW_BASIC_AUTH = True
    factories.make_agent("Seoyeon", email=EMAIL)
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(30):
        assert client.get("/api/v1/tickets", headers=_basic(EMAIL, "wrong")).status_code in (
            401,
            429,
        )
    response = client.get("/api/v1/tickets", headers=_basic(EMAIL, factories.PASSWORD))
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "locked_out"
    assert int(response["Retry-After"]) > 0


def test_failed_api_basic_auth_counts_towards_the_console_lockout(settings: Any) -> None:
    settings.API_ALLOW_BASIC_AUTH = True
    factories.make_agent("Seoyeon", email=EMAIL)
    client = Client(REMOTE_ADDR="198.51.100.1")
    for _ in range(10):
        client.get("/api/v1/tickets", headers=_basic(EMAIL, "wrong"))
    assert _login(factories.PASSWORD, ip="192.0.2.1").status_code == 429


def test_a_burst_of_api_requests_with_one_token_is_throttled_with_retry_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Held inside one minute: on a busy machine 150 requests may straddle two windows.
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_030.0)
    agent = factories.make_agent("Seoyeon", role=Role.AGENT)
    headers = {"Authorization": f"Bearer {create_api_token(user=agent, name='t').raw}"}
    client = Client()
    statuses = [client.get("/api/v1/tickets", headers=headers).status_code for _ in range(150)]
    assert statuses.count(200) == 120
    response = client.get("/api/v1/tickets", headers=headers)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) == 31
