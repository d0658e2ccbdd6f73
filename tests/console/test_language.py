from __future__ import annotations

from django.test import Client

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from tests.console.helpers import new_ticket


def test_agent_with_korean_language_sees_a_korean_interface(
    agent_client: Client, agent: User, email_channel: Channel
) -> None:
    agent.language = "ko"
    agent.save(update_fields=["language"])
    ticket = new_ticket(email_channel)
    body = agent_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ko">' in body
    assert "다음 페이지" in body or "문의함" in body
    assert "신규" in body  # the "new" status label
    page = agent_client.get(f"/tickets/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    assert "내부 메모" in page.decode()


def test_agent_with_english_language_sees_english(en_client: Client) -> None:
    body = en_client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert '<html lang="en">' in body
    assert "Inbox" in body


def test_language_switch_is_stored_on_the_profile(en_client: Client, agent: User) -> None:
    response = en_client.post("/language/", {"language": "ko", "next": "/?view=mine"})
    assert response["Location"] == "/?view=mine"
    agent.refresh_from_db()
    assert agent.language == "ko"
    assert '<html lang="ko">' in en_client.get("/").content.decode()


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(
    en_client: Client, agent: User
) -> None:
    assert en_client.post("/language/", {"language": "xx"}).status_code == 400
    response = en_client.post("/language/", {"language": "ko", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_read_only_user_may_change_their_language(readonly_client: Client) -> None:
    assert readonly_client.post("/language/", {"language": "ko"}).status_code == 302
