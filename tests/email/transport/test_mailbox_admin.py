"""The console's mailbox pages: an admin sets up IMAP; secrets never come back to the page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from sangdam.accounts.models import User
from sangdam.connectors.email.models import Mailbox
from sangdam.connectors.models import Channel
from tests import factories
from tests.email.transport.conftest import DOVECOT_PASSWORD

SECRET = "app-password-4f9c2b7e"


@pytest.fixture
def admin_client(db: None) -> Client:
    admin: User = factories.make_admin()
    admin.language = "en"
    admin.save(update_fields=["language"])
    client = Client()
    client.force_login(admin)
    return client


def _stored_mailbox(channel: Channel) -> Mailbox:
    fields: dict[str, object] = {"secrets": {"password": SECRET}}
    return Mailbox.objects.create(channel=channel, host="imap.example.com", username="u", **fields)


def _form(channel: Channel, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "channel": channel.pk,
        "host": "imap.gmail.com",
        "port": 993,
        "security": "tls",
        "username": "support@example.com",
        "auth_method": "password",
        "password": SECRET,
        "folder": "INBOX",
        "processed_folder": "",
        "enabled": "on",
    }
    data.update(fields)
    return data


def test_admin_creates_a_mailbox_whose_password_is_stored_encrypted(
    admin_client: Client, email_channel: Channel
):
    response = admin_client.post(reverse("console:admin_mailbox_create"), _form(email_channel))

    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert mailbox.secrets == {"password": SECRET}
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM email_channel_mailbox")
        (stored,) = cursor.fetchone()
    assert SECRET not in stored


def test_the_edit_page_never_shows_the_password(admin_client: Client, email_channel: Channel):
    mailbox = _stored_mailbox(email_channel)

    page = admin_client.get(reverse("console:admin_mailbox_edit", args=[mailbox.pk]))

    assert page.status_code == 200
    assert SECRET.encode() not in page.content
    assert b"Leave empty to keep the current one." in page.content


def test_saving_with_an_empty_password_keeps_the_stored_one(
    admin_client: Client, email_channel: Channel
):
    mailbox = _stored_mailbox(email_channel)

    admin_client.post(
        reverse("console:admin_mailbox_edit", args=[mailbox.pk]),
        _form(email_channel, password="", folder="Support"),
    )

    mailbox.refresh_from_db()
    assert mailbox.folder == "Support"
    assert mailbox.secrets == {"password": SECRET}


def test_it_refuses_a_new_mailbox_without_a_password(admin_client: Client, email_channel: Channel):
    response = admin_client.post(
        reverse("console:admin_mailbox_create"), _form(email_channel, password="")
    )

    assert response.status_code == 200
    assert b"Enter the password." in response.content
    assert not Mailbox.objects.exists()


def test_admin_sees_each_mailboxs_last_error(admin_client: Client, email_channel: Channel):
    Mailbox.objects.create(
        channel=email_channel,
        host="imap.example.com",
        username="u",
        last_error="MailboxLoginError: AUTHENTICATIONFAILED",
    )

    page = admin_client.get(reverse("console:admin_mailboxes"))

    assert b"MailboxLoginError: AUTHENTICATIONFAILED" in page.content


def test_agents_who_are_not_admins_cannot_open_the_mailbox_pages(agent_client: Client):
    assert agent_client.get(reverse("console:admin_mailboxes")).status_code == 403


def test_the_korean_page_is_translated(email_channel: Channel):
    admin = factories.make_admin()
    client = Client()
    client.force_login(admin)  # Korean is the default interface language

    page = client.get(reverse("console:admin_mailboxes"))

    assert "메일함" in page.content.decode()


def test_test_connection_reports_a_wrong_password(
    admin_client: Client, make_mailbox: Callable[..., Mailbox]
):
    mailbox = make_mailbox(secrets={"password": "wrong"})

    page = admin_client.post(reverse("console:admin_mailbox_test", args=[mailbox.pk]), follow=True)

    assert b"Connection failed: MailboxLoginError" in page.content


def test_test_connection_confirms_a_working_mailbox(
    admin_client: Client, make_mailbox: Callable[..., Mailbox]
):
    mailbox = make_mailbox(secrets={"password": DOVECOT_PASSWORD})

    page = admin_client.post(reverse("console:admin_mailbox_test", args=[mailbox.pk]), follow=True)

    assert f"opened {mailbox.folder}".encode() in page.content


def test_admin_sets_up_an_oauth2_mailbox_with_a_refresh_token(
    admin_client: Client, email_channel: Channel
):
    response = admin_client.post(
        reverse("console:admin_mailbox_create"),
        _form(
            email_channel,
            host="outlook.office365.com",
            auth_method="oauth2",
            password="",
            oauth2_token_url="https://login.microsoftonline.com/contoso/oauth2/v2.0/token",
            oauth2_client_id="0f4c1b1e-client",
            oauth2_scope="https://outlook.office365.com/IMAP.AccessAsUser.All offline_access",
            oauth2_refresh_token="refresh-abc",
        ),
    )

    assert response.status_code == 302
    assert Mailbox.objects.get().secrets == {"oauth2_refresh_token": "refresh-abc"}


def test_it_refuses_an_oauth2_mailbox_with_no_way_to_get_a_token(
    admin_client: Client, email_channel: Channel
):
    response = admin_client.post(
        reverse("console:admin_mailbox_create"),
        _form(email_channel, auth_method="oauth2", password=""),
    )

    assert response.status_code == 200
    assert b"Enter an access token" in response.content
