"""Encryption at rest for channel secrets (passwords, tokens, app secrets).

Keys come from ``SANGDAM_ENCRYPTION_KEYS`` (comma-separated Fernet keys, newest first, so
keys can be rotated) or are derived from SECRET_KEY when none is configured.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

from sangdam.core.env import env_list


def _fernet() -> MultiFernet:
    keys = env_list("SANGDAM_ENCRYPTION_KEYS")
    if not keys:
        digest = hashlib.sha256(("sangdam-secrets:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt_json(value: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(value).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return dict(json.loads(_fernet().decrypt(token.encode())))
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
