"""Embedding: other sites may frame the form; admins get the snippets."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sangdam.tickets.models import Topic
from tests import factories
from tests.portal.conftest import form_data

pytestmark = pytest.mark.django_db


def test_the_form_can_be_framed_by_another_site(client: Client, webform: Any) -> None:
    response = client.get("/contact/new?embed=1")
    assert "X-Frame-Options" not in response
    assert 'class="site-header"' not in response.content.decode()


def test_frame_ancestors_narrow_who_may_frame_the_form(
    client: Client, webform: Any, settings: Any
) -> None:
    settings.PORTAL_FRAME_ANCESTORS = ["https://www.example.com"]
    response = client.get("/contact/new")
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert "frame-ancestors 'self' https://www.example.com" in directives


def test_an_embedded_submission_stays_embedded_on_the_thank_you_page(
    client: Client, webform: Any, refund: Topic
) -> None:
    response = client.post("/contact/new", form_data(client, embed="1"), follow=True)
    html = response.content.decode()
    assert 'class="reference"' in html
    assert 'class="site-header"' not in html
    assert 'target="_top"' in html


def test_the_status_page_cannot_be_framed(client: Client, webform: Any) -> None:
    from sangdam.portal.links import status_path

    ticket = factories.customer_writes(webform).ticket
    assert client.get(status_path(ticket))["X-Frame-Options"] == "DENY"


def test_admin_copies_the_snippets_with_a_preselected_topic(webform: Any, refund: Topic) -> None:
    admin = Client()
    admin.force_login(factories.make_admin())
    html = admin.get("/contact/embed?topic=payment-refund&form_lang=ko").content.decode()
    assert "&lt;iframe src=&quot;http" in html
    assert "/contact/new?topic=payment-refund&amp;amp;lang=ko&amp;amp;embed=1" in html


def test_agents_who_are_not_admins_cannot_open_the_snippets(agent_client: Client) -> None:
    assert agent_client.get("/contact/embed").status_code == 403


def test_the_thank_you_page_has_its_policy_and_the_redirect_to_it_needs_none(
    client: Client, webform: Any, refund: Topic
) -> None:
    redirect = client.post("/contact/new", form_data(client))

    assert redirect.status_code == 302
    assert "Content-Security-Policy" not in redirect
    assert "script-src" in client.get(redirect["Location"])["Content-Security-Policy"]
