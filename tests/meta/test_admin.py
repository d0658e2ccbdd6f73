"""An admin connects a Facebook Page from the console (the generic webhook channel admin)."""

from __future__ import annotations

import pytest
from django.test import Client

from sangdam.connectors.facebook import fake as meta_fake
from sangdam.connectors.models import Channel
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(factories.make_admin())
    return client


def test_admin_adds_a_page_and_sees_the_webhook_url_and_verify_token(admin_client, graph):
    response = admin_client.post(
        "/admin/channels/new/facebook/",
        {
            "name": "Example Shop",
            "enabled": "on",
            "config__page_id": meta_fake.PAGE_ID,
            "config__username": "exampleshop",
            "config__verify_token": "",
            "config__api_version": "v25.0",
            "secret__page_access_token": meta_fake.PAGE_TOKEN,
            "secret__app_secret": meta_fake.APP_SECRET,
        },
        follow=True,
    )

    channel = Channel.objects.get(kind="facebook")
    page = response.content.decode()
    assert f"/hooks/facebook/{channel.key}" in page
    assert len(channel.config["verify_token"]) >= 24  # generated, shown to paste into Meta
    assert channel.config["verify_token"] in page
    assert meta_fake.APP_SECRET not in page
    assert meta_fake.PAGE_TOKEN not in page
    assert "https://m.me/exampleshop" in page


def test_the_page_and_app_secret_are_required(admin_client):
    response = admin_client.post(
        "/admin/channels/new/instagram/",
        {"name": "IG", "enabled": "on", "config__page_id": meta_fake.IG_ACCOUNT_ID},
    )

    assert response.status_code == 200
    assert not Channel.objects.filter(kind="instagram").exists()


def test_test_connection_names_the_page(admin_client, messenger):
    response = admin_client.post(f"/admin/channels/{messenger.pk}/test/", follow=True)

    assert "Example Shop" in response.content.decode()
