"""A fresh install's first admin sets up the center on one page, then customers can write."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sangdam.accounts.models import User
from sangdam.center.models import Company
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.service.models import Schedule
from sangdam.tickets.models import Topic
from tests import factories

pytestmark = pytest.mark.django_db


def _log_in(user: User) -> Any:
    return Client().post("/login/", {"username": user.email, "password": factories.PASSWORD})


def _answers(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "company_name": "한빛 주식회사",
        "support_email": "help@hanbit.example",
        "time_zone": "Asia/Seoul",
        "open_days": ["0", "1", "2", "3", "4", "5"],
        "opens": "10:00",
        "closes": "19:00",
        "channels": ["webform", "email"],
        "default_topics": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin() -> User:
    return factories.make_admin("Jiwoo")


@pytest.fixture
def admin_client(admin: User) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def test_the_first_admin_lands_on_the_first_run_page_after_login(admin: User) -> None:
    assert _log_in(admin)["Location"] == "/setup/"


def test_the_first_admin_who_opened_the_inbox_url_also_lands_on_the_first_run_page(
    admin: User,
) -> None:
    response = Client().post(
        "/login/?next=/", {"username": admin.email, "password": factories.PASSWORD}
    )
    assert response["Location"] == "/setup/"


def test_an_admin_who_asked_for_another_page_gets_it(admin: User) -> None:
    response = Client().post(
        "/login/?next=/admin/topics/", {"username": admin.email, "password": factories.PASSWORD}
    )
    assert response["Location"] == "/admin/topics/"


def test_an_agent_logs_in_to_the_inbox_and_may_not_set_up(admin: User) -> None:
    agent = factories.make_agent("Minho")
    assert _log_in(agent)["Location"] == "/"
    client = Client()
    client.force_login(agent)
    assert client.get("/setup/").status_code == 403


def test_once_set_up_the_admin_logs_in_to_the_inbox(admin: User, admin_client: Client) -> None:
    admin_client.post("/setup/", _answers())
    assert _log_in(admin)["Location"] == "/"


def test_the_page_saves_the_company_and_its_support_address(admin_client: Client) -> None:
    response = admin_client.post("/setup/", _answers())
    assert response.status_code == 302
    company = Company.objects.get()
    assert (company.name, company.support_email) == ("한빛 주식회사", "help@hanbit.example")


def test_the_hours_become_the_default_schedule(admin_client: Client) -> None:
    admin_client.post("/setup/", _answers(time_zone="Europe/Berlin"))
    schedule = Schedule.objects.get(channel=None, team=None)
    assert schedule.time_zone == "Europe/Berlin"
    assert schedule.week["5"] == [["10:00", "19:00"]]
    assert schedule.week["6"] == []


def test_an_existing_default_schedule_is_changed_not_doubled(admin_client: Client) -> None:
    Schedule.objects.create(name="기본", week={"0": [["09:00", "18:00"]]})
    admin_client.post("/setup/", _answers())
    assert Schedule.objects.get().week["0"] == [["10:00", "19:00"]]


def test_the_chosen_channels_are_enabled_and_email_sends_from_the_support_address(
    admin_client: Client,
) -> None:
    admin_client.post("/setup/", _answers(channels=["email", "livechat"]))
    enabled = {c.kind: c for c in Channel.objects.filter(enabled=True)}
    assert set(enabled) == {ChannelKind.EMAIL, ChannelKind.LIVECHAT}
    assert enabled[ChannelKind.EMAIL].address == "help@hanbit.example"


def test_leaving_out_the_homepage_form_switches_it_off(admin_client: Client) -> None:
    admin_client.post("/setup/", _answers(channels=["email"]))
    assert Client().get("/contact/new").status_code == 404


def test_the_homepage_form_offers_the_default_topics_in_the_customers_language(
    admin_client: Client,
) -> None:
    admin_client.post("/setup/", _answers())
    assert "결제 및 환불" in Client().get("/contact/new").content.decode()
    assert "Payment &amp; refund" in Client().get("/contact/new?lang=en").content.decode()


def test_the_default_topics_can_be_left_out(
    admin_client: Client,
) -> None:
    admin_client.post("/setup/", _answers(default_topics=""))
    assert not Topic.objects.exists()


def test_topics_an_admin_already_made_are_kept(admin_client: Client) -> None:
    factories.make_topic("warranty", ko="보증", en="Warranty")
    assert "default_topics" not in admin_client.get("/setup/").content.decode()
    admin_client.post("/setup/", _answers())
    assert list(Topic.objects.values_list("slug", flat=True)) == ["warranty"]


def test_closing_before_opening_is_refused_and_nothing_is_saved(admin_client: Client) -> None:
    response = admin_client.post("/setup/", _answers(opens="18:00", closes="09:00"))
    assert response.status_code == 200
    assert "닫는 시간은 여는 시간보다 늦어야 합니다." in response.content.decode()
    assert not Company.objects.exists()
