"""The public contact page lists enabled channels with how to use them and their hours."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sangdam.service.models import Schedule
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def channels(db: Any) -> None:
    factories.make_channel("email", address="help@example.com")
    phone = factories.make_channel("phone", address="+82 1588-0000")
    factories.make_channel("webform")
    factories.make_channel("telegram", address="@example_bot")
    factories.make_channel("line", address="@hidden", enabled=False)
    Schedule.objects.create(
        name="phone", channel=phone, week={"0": [["09:00", "18:00"]]}, holiday_country="KR"
    )


def test_customer_sees_every_enabled_channel_and_how_to_use_it(
    client: Client, channels: None
) -> None:
    html = client.get("/contact").content.decode()
    assert 'href="mailto:help@example.com"' in html
    assert 'href="tel:+8215880000"' in html
    assert "1588-0000" in html
    assert 'href="https://t.me/example_bot"' in html
    assert 'href="/contact/new"' in html
    assert "@hidden" not in html


def test_phone_hours_say_whether_it_is_open(client: Client, channels: None) -> None:
    html = client.get("/contact").content.decode()
    assert ("지금 상담 가능" in html) or ("지금은 상담 시간이 아닙니다" in html)
    assert "09:00–18:00" in html


def test_contact_page_is_in_english_with_lang_en(client: Client, channels: None) -> None:
    html = client.get("/contact?lang=en").content.decode()
    assert '<html lang="en">' in html
    assert "Contact us" in html


def test_contact_page_follows_the_browser_language(client: Client, channels: None) -> None:
    html = client.get("/contact", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en">' in html


def test_app_card_shows_store_links_but_never_a_script_link(client: Client, db: Any) -> None:
    factories.make_channel(
        "app",
        config={
            "app_store_url": "https://apps.apple.com/app/id1",
            "play_store_url": "javascript://alert(1)",
            "deep_link": "example://support",
        },
    )
    html = client.get("/contact").content.decode()
    assert 'href="https://apps.apple.com/app/id1"' in html
    assert 'href="example://support"' in html
    assert "javascript:" not in html


def test_a_closure_says_why_the_phone_is_closed_today(client: Client, db: Any) -> None:
    today = timezone.localdate()  # Asia/Seoul, the schedule's zone
    phone = factories.make_channel("phone", address="1588-0000")
    Schedule.objects.create(
        name="phone",
        channel=phone,
        week={str(d): [["09:00", "18:00"]] for d in range(7)},
        holiday_country="",
        closures=[{"date": today.isoformat(), "name": "창립기념일"}],
    )
    html = client.get("/contact").content.decode()
    assert "지금은 상담 시간이 아닙니다" in html
    assert "창립기념일" in html
