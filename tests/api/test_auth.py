from __future__ import annotations

import base64
import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from sangdam.accounts.models import ApiToken, User
from sangdam.tickets.models import Ticket
from tests import factories
from tests.api.conftest import ApiClient, new_inquiry

pytestmark = pytest.mark.django_db


def basic(email: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()


def test_agent_with_a_token_reads_tickets(api: ApiClient) -> None:
    response = api.get("/tickets")
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None, "total": None}


def test_it_refuses_a_wrong_token_with_a_problem_document() -> None:
    response = ApiClient("sd_not-a-real-token").get("/tickets")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["code"] == "unauthenticated"
    assert body["status"] == 401
    assert {"type", "title", "detail"} <= set(body)


def test_it_refuses_a_request_without_credentials() -> None:
    assert ApiClient().get("/tickets").json()["code"] == "unauthenticated"


def test_it_refuses_the_token_of_a_deactivated_agent(agent: User, api: ApiClient) -> None:
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert api.get("/tickets").status_code == 401


def test_basic_auth_works_when_the_setting_allows_it(settings, agent: User) -> None:
    settings.API_ALLOW_BASIC_AUTH = True
    client = ApiClient(Authorization=basic(agent.email, factories.PASSWORD))
    assert client.get("/tickets").status_code == 200


def test_basic_auth_is_refused_when_the_setting_is_off(settings, agent: User) -> None:
    settings.API_ALLOW_BASIC_AUTH = False
    client = ApiClient(Authorization=basic(agent.email, factories.PASSWORD))
    response = client.get("/tickets")
    assert response.status_code == 401
    assert "Basic" not in response["WWW-Authenticate"]


def test_basic_auth_with_a_wrong_password_is_refused(settings, agent: User) -> None:
    settings.API_ALLOW_BASIC_AUTH = True
    client = ApiClient(Authorization=basic(agent.email, "wrong"))
    assert client.get("/tickets").status_code == 401


def test_read_only_agent_can_read(readonly_api: ApiClient) -> None:
    assert readonly_api.get("/tickets").status_code == 200


def test_read_only_agent_cannot_create_a_ticket(readonly_api: ApiClient) -> None:
    response = readonly_api.post("/tickets", new_inquiry())
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Ticket.objects.exists()


def test_token_use_is_recorded_at_most_once_a_minute(agent: User, api: ApiClient) -> None:
    api.get("/tickets")
    token = ApiToken.objects.get(user=agent)
    first = token.last_used_at
    assert first is not None
    api.get("/tickets")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    api.get("/tickets")
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > timezone.now() - dt.timedelta(
        seconds=30
    )


def test_admin_creates_a_token_from_the_command_line(agent: User) -> None:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", agent.email, "mobile backend", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("sd_")
    assert ApiToken.objects.get(user=agent).name == "mobile backend"
    assert ApiClient(raw).get("/tickets").status_code == 200


def test_a_token_call_is_answered_in_the_callers_language(readonly_api: ApiClient) -> None:
    korean = readonly_api.post("/tickets", new_inquiry(), **{"Accept-Language": "ko"})
    english = readonly_api.post("/tickets", new_inquiry(), **{"Accept-Language": "en"})

    assert korean.json()["detail"] == "읽기 전용 사용자는 API로 조회만 할 수 있습니다."
    assert english.json()["detail"] == "Read-only users can only read through the API."
    assert korean["Content-Language"] == "ko"


def test_a_token_call_gets_no_browser_cookies_or_page_headers(api: ApiClient) -> None:
    api.client.cookies["sessionid"] = "not-a-session"

    response = api.get("/tickets")

    assert response.status_code == 200
    assert not response.cookies
    assert "X-Frame-Options" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
    # The API's docs page, opened by a browser, keeps its page headers.
    assert api.client.get("/api/v1/docs")["X-Frame-Options"] == "DENY"
