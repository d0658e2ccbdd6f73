"""An admin registers an app in the console, copies its secret once, and rotates it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sangdam.connectors.app.models import App
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(factories.make_admin())
    return client


def test_admin_registers_an_app_and_sees_its_secret_once(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/apps/new/", {"name": "Shop Android", "platform": "android"}
    )
    app = App.objects.get()
    assert app.channel.kind == "app" and not app.anonymous_allowed
    body = response.content.decode()
    assert app.key in body and app.secrets["current"] in body
    listing = admin_client.get("/admin/apps/").content.decode()
    assert app.key in listing and app.secrets["current"] not in listing


def test_rotating_keeps_the_previous_secret_valid_for_a_while(admin_client: Client) -> None:
    admin_client.post("/admin/apps/new/", {"name": "Shop iOS", "platform": "ios"})
    app = App.objects.get()
    old = app.secrets["current"]
    response = admin_client.post(f"/admin/apps/{app.pk}/rotate/")
    app.refresh_from_db()
    assert app.secrets["current"] in response.content.decode()
    assert app.secrets["previous"] == old
    assert app.valid_secrets() == [app.secrets["current"], old]


def test_secrets_are_encrypted_at_rest(admin_client: Client) -> None:
    from django.db import connection

    admin_client.post("/admin/apps/new/", {"name": "Web", "platform": "web"})
    app = App.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM app_channel_app WHERE id = %s", [app.pk])
        raw = cursor.fetchone()[0]
    assert app.secrets["current"] not in raw


def test_admin_sets_push_credentials_without_seeing_them_again(admin_client: Client) -> None:
    admin_client.post("/admin/apps/new/", {"name": "Web", "platform": "web"})
    app = App.objects.get()
    account = {
        "project_id": "p",
        "client_email": "fcm@p.iam.gserviceaccount.com",
        "private_key": "-----BEGIN PRIVATE KEY-----x",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    response = admin_client.post(
        f"/admin/apps/{app.pk}/",
        {
            "app-name": "Web",
            "app-platform": "web",
            "app-enabled": "on",
            "push-fcm_service_account": json.dumps(account),
        },
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.secrets["fcm_service_account"] == account
    page = admin_client.get(f"/admin/apps/{app.pk}/").content.decode()
    assert "fcm@p.iam" not in page


def test_agents_cannot_manage_apps() -> None:
    client = Client()
    client.force_login(factories.make_agent("Jiho"))
    assert client.get("/admin/apps/").status_code == 403


def test_an_operator_registers_and_rotates_from_the_shell() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("app_channel", "register", "Shop Web", "web", stdout=out)
    app = App.objects.get()
    assert app.key in out.getvalue() and app.secrets["current"] in out.getvalue()
    out = StringIO()
    call_command("app_channel", "rotate", app.key, "--overlap-hours", "1", stdout=out)
    app.refresh_from_db()
    assert app.secrets["current"] in out.getvalue() and len(app.valid_secrets()) == 2
