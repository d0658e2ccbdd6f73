"""The console's 알림톡 template page: list, write with code, text, variables and buttons,
a preview with sample values as it is typed, and clear refusals (Korean and English)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from sangdam.connectors.kakao import alimtalk
from sangdam.connectors.kakao.fake import FakeKakao
from sangdam.connectors.kakao.models import AlimTalkTemplate, Purpose
from sangdam.connectors.models import Channel
from tests import factories
from tests.kakao.test_counsel import make_counsel_channel

pytestmark = pytest.mark.django_db

BODY = "#{고객명}님, 문의 #{접수번호}에 답변이 등록되었습니다."


@pytest.fixture
def dealer(settings) -> Iterator[FakeKakao]:
    settings.NETGUARD_ALLOW_LOCAL = True
    with FakeKakao() as fake:
        yield fake


@pytest.fixture
def kakao(dealer: FakeKakao) -> Channel:
    return make_counsel_channel(dealer)


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(factories.make_admin())
    return client


def _form(channel: Channel, **overrides: str) -> dict[str, str]:
    data = {
        "channel": str(channel.pk),
        "code": "SD_ANSWERED_02",
        "name": "답변 완료",
        "purpose": Purpose.ANSWERED,
        "body": BODY,
        "button_lines": "문의 확인 | https://help.example.com/s/#{링크}",
        "fallback": "LM",
        "active": "on",
    }
    data.update(overrides)
    return data


def test_an_admin_creates_a_template_with_buttons(admin_client, kakao):
    response = admin_client.post(reverse("console:admin_alimtalk_create"), _form(kakao))

    assert response.status_code == 302
    template = AlimTalkTemplate.objects.get(code="SD_ANSWERED_02")
    assert template.body == BODY
    assert template.buttons == [{"name": "문의 확인", "url": "https://help.example.com/s/#{링크}"}]
    assert template.fallback == "LM"


def test_the_list_shows_each_template(admin_client, kakao):
    AlimTalkTemplate.objects.create(channel=kakao, code="SD_CB_01", purpose=Purpose.CALLBACK, body="#{시간}")  # fmt: skip

    page = admin_client.get(reverse("console:admin_alimtalk")).content.decode()

    assert "SD_CB_01" in page
    assert "다시 전화" in page or "call you back" in page


def test_an_admin_edits_a_template_and_sees_its_buttons_as_lines(admin_client, kakao):
    template = AlimTalkTemplate.objects.create(
        channel=kakao, code="SD_1", body=BODY, buttons=[{"name": "보기", "url": "https://x.kr"}]
    )
    url = reverse("console:admin_alimtalk_edit", args=[template.pk])

    assert "보기 | https://x.kr" in admin_client.get(url).content.decode()
    admin_client.post(url, _form(kakao, code="SD_1", button_lines=""))

    template.refresh_from_db()
    assert template.buttons == []


def test_the_preview_fills_the_text_and_buttons_with_sample_values(admin_client, kakao):
    response = admin_client.post(
        reverse("console:admin_alimtalk_preview"),
        {"body": BODY, "button_lines": "문의 확인 | https://help.example.com/#{접수번호}"},
    )

    html = response.content.decode()
    assert "김민지님, 문의 SD-240123에 답변이 등록되었습니다." in html
    assert 'href="https://help.example.com/SD-240123"' in html
    assert "#{고객명}" in html  # the variables are listed


def test_an_unclosed_variable_is_refused_with_the_reason_in_korean(admin_client, kakao):
    response = admin_client.post(
        reverse("console:admin_alimtalk_create"), _form(kakao, body="#{고객명 님 안녕하세요")
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "템플릿을 저장하지 않았습니다" in html
    assert not AlimTalkTemplate.objects.filter(code="SD_ANSWERED_02").exists()


def test_a_long_button_name_and_a_bad_address_are_refused_in_english(kakao):
    admin = factories.make_admin()
    admin.language = "en"
    admin.save(update_fields=["language"])
    client = Client()
    client.force_login(admin)

    response = client.post(
        reverse("console:admin_alimtalk_create"),
        _form(kakao, button_lines="A button name far too long | https://x.kr\nOpen | ftp://x"),
    )

    html = response.content.decode()
    assert not AlimTalkTemplate.objects.filter(code="SD_ANSWERED_02").exists()
    assert "Line 1: a button name has at most 14 characters." in html
    assert "Line 2: the address must start with https://." in html


def test_a_long_button_name_is_refused_in_korean(admin_client, kakao):
    response = admin_client.post(
        reverse("console:admin_alimtalk_create"),
        _form(kakao, button_lines="아주아주아주아주아주 긴 버튼 이름 | https://x.kr"),
    )

    assert "1번째 줄: 버튼명은 14자 이내여야 합니다." in response.content.decode()


def test_the_preview_says_why_it_cannot_show_the_message(admin_client, kakao):
    response = admin_client.post(
        reverse("console:admin_alimtalk_preview"), {"body": "가" * 1001, "button_lines": ""}
    )

    assert 'id="preview-errors"' in response.content.decode()


def test_an_agent_who_is_not_an_admin_cannot_open_the_page(kakao):
    client = Client()
    client.force_login(factories.make_agent("상담원"))

    assert client.get(reverse("console:admin_alimtalk")).status_code == 403


def test_a_template_with_a_button_sends_it_filled_in(kakao, dealer):
    dealer.templates = {"SD_B": BODY}
    template = AlimTalkTemplate.objects.create(
        channel=kakao,
        code="SD_B",
        body=BODY,
        buttons=[{"name": "문의 확인", "url": "https://help.example.com/#{접수번호}"}],
    )

    notice = alimtalk.send(
        template=template, phone="01012345678", values={"고객명": "민지", "접수번호": "SD-9"}
    )

    assert notice.sent, notice.error
    [button] = dealer.alimtalks()[0]["attachment"]["button"]
    assert button == {
        "name": "문의 확인",
        "type": "WL",
        "url_mobile": "https://help.example.com/SD-9",
        "url_pc": "https://help.example.com/SD-9",
    }
