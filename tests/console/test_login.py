from __future__ import annotations

from django.test import Client

from tests import factories


def test_anonymous_visitor_is_sent_to_login(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_agent_logs_in_with_email_and_password(db: None) -> None:
    agent = factories.make_agent("Seoyeon", email="seoyeon@example.com")
    client = Client()
    response = client.post(
        "/login/", {"username": "seoyeon@example.com", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"] == agent


def test_it_refuses_a_wrong_password(db: None) -> None:
    factories.make_agent("Seoyeon", email="seoyeon@example.com")
    response = Client().post("/login/", {"username": "seoyeon@example.com", "password": "nope"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content


def test_agent_logs_out(agent_client: Client) -> None:
    response = agent_client.post("/logout/")
    assert response.status_code == 302
    assert agent_client.get("/").status_code == 302


def test_ticket_pages_and_downloads_need_a_login(db: None) -> None:
    client = Client()
    for url in ("/tickets/1/", "/tickets/1/thread/", "/attachments/1/", "/inbox/list/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/")
