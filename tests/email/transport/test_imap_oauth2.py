"""OAuth2 mailboxes (Google, Microsoft 365 style): XOAUTH2 logins with tokens kept fresh.

A real Dovecot checks each XOAUTH2 login by asking the local authorization server
(oauth2_server.py) whether the token is active; Sangdam gets its tokens from that same
server's token endpoint.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from sangdam.connectors.email.imap import poll_mailbox
from sangdam.connectors.email.models import AuthMethod, Mailbox
from sangdam.tickets.models import Ticket
from tests.email.transport.conftest import append
from tests.email.transport.mails import customer_mail
from tests.email.transport.oauth2_server import CLIENT_ID, CLIENT_SECRET, AuthServer, auth_server

MakeMailbox = Callable[..., Mailbox]


@pytest.fixture
def provider() -> Iterator[AuthServer]:
    with auth_server() as server:
        yield server


@pytest.fixture
def oauth2_mailbox(make_mailbox: MakeMailbox, provider: AuthServer) -> Callable[..., Mailbox]:
    def make(secrets: dict[str, object]) -> Mailbox:
        return make_mailbox(
            auth_method=AuthMethod.OAUTH2,
            oauth2_token_url=provider.token_url,
            oauth2_client_id=CLIENT_ID,
            secrets=secrets,
        )

    return make


def test_a_mailbox_with_a_refresh_token_fetches_a_token_and_polls(
    oauth2_mailbox: Callable[..., Mailbox], provider: AuthServer, imap_folder: str
):
    mailbox = oauth2_mailbox({"oauth2_refresh_token": "refresh-1"})
    append(imap_folder, customer_mail())

    result = poll_mailbox(mailbox)

    assert result.error == ""
    assert Ticket.objects.count() == 1
    assert provider.grants == ["refresh_token"]
    mailbox.refresh_from_db()
    assert mailbox.secrets["oauth2_token"] in provider.access_tokens
    assert mailbox.secrets["oauth2_expires_at"] > time.time() + 3000


def test_a_valid_token_is_used_without_asking_for_a_new_one(
    oauth2_mailbox: Callable[..., Mailbox], provider: AuthServer
):
    provider.access_tokens.add("still-good")
    mailbox = oauth2_mailbox(
        {
            "oauth2_refresh_token": "refresh-1",
            "oauth2_token": "still-good",
            "oauth2_expires_at": time.time() + 1800,
        }
    )

    assert poll_mailbox(mailbox).error == ""
    assert provider.grants == []


def test_an_expired_token_is_replaced_before_logging_in(
    oauth2_mailbox: Callable[..., Mailbox], provider: AuthServer
):
    mailbox = oauth2_mailbox(
        {
            "oauth2_refresh_token": "refresh-1",
            "oauth2_token": "expired",
            "oauth2_expires_at": time.time() - 10,
        }
    )

    assert poll_mailbox(mailbox).error == ""
    assert provider.grants == ["refresh_token"]


def test_a_token_the_server_refuses_is_refreshed_once(
    oauth2_mailbox: Callable[..., Mailbox], provider: AuthServer
):
    mailbox = oauth2_mailbox({"oauth2_refresh_token": "refresh-1", "oauth2_token": "revoked"})

    assert poll_mailbox(mailbox).error == ""
    assert provider.grants == ["refresh_token"]


def test_an_app_only_mailbox_uses_the_client_secret(
    oauth2_mailbox: Callable[..., Mailbox], provider: AuthServer
):
    mailbox = oauth2_mailbox({"oauth2_client_secret": CLIENT_SECRET})

    assert poll_mailbox(mailbox).error == ""
    assert provider.grants == ["client_credentials"]


def test_a_refused_refresh_token_shows_on_the_mailbox(oauth2_mailbox: Callable[..., Mailbox]):
    mailbox = oauth2_mailbox({"oauth2_refresh_token": "revoked-long-ago"})

    result = poll_mailbox(mailbox)

    mailbox.refresh_from_db()
    assert "token refresh refused (400): token revoked" in mailbox.last_error
    assert mailbox.last_error == result.error


@pytest.fixture(autouse=True)
def _db(db: None) -> None:
    """Every test here stores mailboxes."""
