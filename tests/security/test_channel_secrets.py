"""Channel secrets at rest: readable with the configured keys only, also once read."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from sangdam.connectors.models import Channel
from tests import factories

pytestmark = pytest.mark.django_db


def test_secrets_read_once_are_refused_after_their_key_is_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("SANGDAM_ENCRYPTION_KEYS", old)
    channel = factories.make_channel("telegram", name="Bot", secrets={"bot_token": "123:abc"})
    assert Channel.objects.get(pk=channel.pk).secrets == {"bot_token": "123:abc"}

    monkeypatch.setenv("SANGDAM_ENCRYPTION_KEYS", new)
    with pytest.raises(ValueError, match="cannot be decrypted"):
        Channel.objects.get(pk=channel.pk)

    monkeypatch.setenv("SANGDAM_ENCRYPTION_KEYS", f"{new},{old}")  # rotation: old still read
    assert Channel.objects.get(pk=channel.pk).secrets == {"bot_token": "123:abc"}


def test_a_secret_read_twice_is_two_separate_dicts() -> None:
    channel = factories.make_channel("telegram", name="Bot", secrets={"bot_token": "123:abc"})
    first = Channel.objects.get(pk=channel.pk).secrets
    first["bot_token"] = "changed in memory"
    assert Channel.objects.get(pk=channel.pk).secrets == {"bot_token": "123:abc"}
