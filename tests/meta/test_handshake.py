"""Meta's subscription check: GET hub.challenge with the verify token."""

from __future__ import annotations

import pytest
from django.test import Client

from sangdam.connectors.facebook import fake as meta_fake
from sangdam.connectors.models import InboundEvent

pytestmark = pytest.mark.django_db


def _get(channel, **query: str):
    return Client().get(f"/hooks/{channel.kind}/{channel.key}", query)


def test_the_challenge_is_echoed_when_the_verify_token_matches(messenger):
    response = _get(
        messenger,
        **{
            "hub.mode": "subscribe",
            "hub.verify_token": meta_fake.VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )

    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


def test_a_wrong_verify_token_is_refused(messenger):
    response = _get(
        messenger,
        **{"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"},
    )

    assert response.status_code == 403
    assert b"1158201444" not in response.content


def test_a_channel_without_a_verify_token_refuses_every_handshake(messenger):
    messenger.config = {**messenger.config, "verify_token": ""}
    messenger.save(update_fields=["config"])

    response = _get(
        messenger, **{"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "42"}
    )

    assert response.status_code == 403


def test_instagram_answers_the_same_handshake(instagram):
    response = _get(
        instagram,
        **{
            "hub.mode": "subscribe",
            "hub.verify_token": meta_fake.VERIFY_TOKEN,
            "hub.challenge": "abc",
        },
    )

    assert response.content == b"abc"
    assert not InboundEvent.objects.exists()


def test_a_verify_token_kept_with_the_secrets_still_works(messenger):
    messenger.config = {k: v for k, v in messenger.config.items() if k != "verify_token"}
    messenger.secrets = {**messenger.secrets, "verify_token": "kept-as-a-secret"}
    messenger.save(update_fields=["config", "secrets"])

    response = _get(
        messenger,
        **{"hub.mode": "subscribe", "hub.verify_token": "kept-as-a-secret", "hub.challenge": "7"},
    )

    assert response.content == b"7"
