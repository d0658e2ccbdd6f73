"""Encryption at rest for channel secrets (passwords, tokens, app secrets).

Keys come from ``SANGDAM_ENCRYPTION_KEYS`` (comma-separated Fernet keys, newest first, so
keys can be rotated) or are derived from SECRET_KEY when none is configured.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

from sangdam.core.env import env_list


def _keys() -> tuple[str, ...]:
    keys = env_list("SANGDAM_ENCRYPTION_KEYS")
    if not keys:
        digest = hashlib.sha256(("sangdam-secrets:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return tuple(keys)


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


@functools.lru_cache(maxsize=1024)
def _plaintext(keys: tuple[str, ...], token: str) -> bytes:
    """A token's content, decrypted once per process and keys.

    Every read of a channel row decrypts its secrets (routing reads the channel with each
    new ticket, delivery with each reply): a Fernet check and decryption each time. The
    plain text is in this process's memory whenever the secrets are used anyway.
    """
    return _fernet(keys).decrypt(token.encode())


def encrypt_json(value: dict[str, Any]) -> str:
    return _fernet(_keys()).encrypt(json.dumps(value).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return dict(json.loads(_plaintext(_keys(), token)))
    except InvalidToken as exc:
        raise ValueError("channel secrets cannot be decrypted with the configured keys") from exc


class EncryptedJSONField(models.TextField):
    """A dict stored as a Fernet token; the column never holds plain text."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> dict[str, Any]:
        return decrypt_json(value or "")

    def to_python(self, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        return decrypt_json(value or "")

    def get_prep_value(self, value: Any) -> str:
        return encrypt_json(dict(value or {}))
