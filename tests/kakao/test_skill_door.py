"""Kakao's chatbot calls the skill: only allowed bots, answered in time, in Kakao's format."""

from __future__ import annotations

import json

import pytest

from sangdam.connectors.kakao.fake import FakeKakao
from sangdam.connectors.kakao.request import parse_skill_request
from sangdam.connectors.models import InboundEvent
from sangdam.tickets.models import Ticket
from tests.factories import PNG
from tests.kakao.conftest import fixture, post_skill

pytestmark = pytest.mark.django_db


def test_a_call_from_a_bot_not_on_the_allow_list_is_refused_and_nothing_is_stored(
    kakao_channel,
):
    payload = fixture("skill_text")
    payload["bot"]["id"] = "someone-elses-bot"

    response = post_skill(kakao_channel, payload)

    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_a_wrong_secret_in_the_url_is_refused_and_nothing_is_stored(kakao_channel):
    response = post_skill(kakao_channel, fixture("skill_text"), key="not-the-key")

    assert response.status_code == 404
    assert not InboundEvent.objects.exists()


def test_a_body_that_is_not_a_skill_payload_is_refused(kakao_channel):
    response = post_skill(kakao_channel, {"hello": "world"})

    assert response.status_code == 400
    assert not InboundEvent.objects.exists()


def fixture_bytes(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def test_the_documented_payloads_are_read():
    text = parse_skill_request(fixture_bytes(fixture("skill_text")).encode())
    assert (text.bot_id, text.utterance, text.user_key) == (
        "5f2a9c0e3b1d7a0001c0ffee",
        "결제가 두 번 되었어요",
        "Xj1bW5wlE5SR",
    )
    photo = parse_skill_request(fixture_bytes(fixture("skill_photo")).encode())
    assert photo.photo_urls == (
        "http://talk.kakaocdn.net/dna/bh1LQe/K6b4Z5P6/i_abc123.jpg",
        "http://talk.kakaocdn.net/dna/bh1LQe/K6b4Z5P6/i_def456.jpg",
    )
    sent = parse_skill_request(fixture_bytes(fixture("skill_photo_utterance")).encode())
    assert sent.photo_urls == ("http://dn-m.talk.kakao.com/talkm/oZz1aBcDeF/abc/i_7sk2kdp0.jpg",)
    callback = parse_skill_request(fixture_bytes(fixture("skill_callback")).encode())
    assert callback.callback_url.startswith("https://bot-api.kakao.com/")
    anonymous = parse_skill_request(fixture_bytes(fixture("skill_no_plusfriend")).encode())
    assert anonymous.user_key.startswith("bot:f0e1d2")


@pytest.mark.django_db(transaction=True)
def test_over_http_each_answer_comes_well_inside_five_seconds(
    live_server, kakao_channel, kakao: FakeKakao
):
    url = f"{live_server.url}/hooks/kakao/{kakao_channel.key}"

    replies = [
        kakao.say(url, u) for u in ("안녕하세요", "결제", "환불해 주세요", "건너뛰기", "접수하기")
    ]

    assert Ticket.objects.get().reference in replies[-1].text
    assert max(r.seconds for r in replies) < 1.0


@pytest.mark.django_db(transaction=True)
def test_photos_in_callback_mode_are_fetched_and_the_answer_is_posted_to_kakao(
    live_server, kakao_channel, kakao: FakeKakao, run_tasks, settings
):
    settings.NETGUARD_ALLOW_LOCAL = True
    url = f"{live_server.url}/hooks/kakao/{kakao_channel.key}"
    photo = kakao.add_image("i_receipt.png", PNG)
    for utterance in ("안녕하세요", "결제", "영수증이 두 장 나왔어요"):
        kakao.say(url, utterance)
    kakao.say(url, "", photos=(photo,))
    kakao.say(url, "다음")

    pending = kakao.say(url, "접수하기", callback=True)
    assert pending.data["useCallback"] is True
    run_tasks()

    ticket = Ticket.objects.get()
    assert ticket.messages.get().attachments.get().file.read() == PNG
    [posted] = kakao.callbacks()
    assert ticket.reference in str(posted)
    assert kakao.calls_to("/callback/1")[0].method == "POST"


@pytest.mark.django_db(transaction=True)
def test_a_photo_that_cannot_be_fetched_stays_as_a_link(
    live_server, kakao_channel, kakao: FakeKakao, run_tasks, settings
):
    settings.NETGUARD_ALLOW_LOCAL = True
    url = f"{live_server.url}/hooks/kakao/{kakao_channel.key}"
    missing = f"{kakao.url}/talkm/gone.png"
    for utterance in ("안녕하세요", "결제", "사진 첨부합니다"):
        kakao.say(url, utterance)
    kakao.say(url, "", photos=(missing,))
    kakao.say(url, "다음")
    kakao.say(url, "접수하기", callback=True)
    run_tasks()

    message = Ticket.objects.get().messages.get()
    assert missing in message.text
    assert not message.attachments.exists()
    assert len(kakao.callbacks()) == 1
