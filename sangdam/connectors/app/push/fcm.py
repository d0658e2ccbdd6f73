"""Firebase Cloud Messaging, HTTP v1 API.

Authentication is OAuth 2.0 with the service account: a JWT assertion signed RS256 with
the account's private key is exchanged at its ``token_uri`` for an access token (cached
until shortly before it expires), sent as ``Authorization: Bearer``.
See https://firebase.google.com/docs/cloud-messaging/send/v1-api and
https://developers.google.com/identity/protocols/oauth2/service-account#httprest.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import httpx
from django.core.cache import cache

from sangdam.connectors.app.push.common import (
    TIMEOUT_SECONDS,
    Notification,
    PushResult,
    config,
    dead_token,
    refused,
    status_result,
    transient,
)

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DEFAULT_BASE_URL = "https://fcm.googleapis.com"


class CredentialsError(Exception):
    """The service account was refused or the token endpoint failed."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def _assertion(account: dict[str, Any], now: int) -> str:
    claims = {
        "iss": account["client_email"],
        "scope": SCOPE,
        "aud": account["token_uri"],
        "iat": now,
        "exp": now + 3600,
    }
    headers = {"kid": account.get("private_key_id", "")}
    import jwt  # PyJWT's crypto backends load in ~0.1 s: only when a push is sent

    return jwt.encode(claims, account["private_key"], algorithm="RS256", headers=headers)


def access_token(account: dict[str, Any], client: httpx.Client) -> str:
    cache_key = (
        "fcm-token:"
        + hashlib.sha256(
            f"{account['client_email']}|{account['token_uri']}|{account.get('private_key_id')}".encode()
        ).hexdigest()
    )
    cached = cache.get(cache_key)
    if cached:
        return str(cached)
    try:
        response = client.post(
            account["token_uri"],
            data={"grant_type": GRANT_TYPE, "assertion": _assertion(account, int(time.time()))},
        )
    except httpx.HTTPError as exc:
        raise CredentialsError(f"FCM token endpoint unreachable: {exc}", permanent=False) from exc
    if response.status_code != 200:
        permanent = response.status_code in (400, 401, 403)
        raise CredentialsError(
            f"FCM token endpoint answered {response.status_code}: {response.text[:200]}",
            permanent=permanent,
        )
    body = response.json()
    token = str(body["access_token"])
    lifetime = int(body.get("expires_in", 3600))
    cache.set(cache_key, token, max(60, lifetime - 120))
    return token


def message_body(token: str, note: Notification) -> dict[str, Any]:
    return {
        "message": {
            "token": token,
            "notification": {"title": note.title, "body": note.body},
            "data": note.data,
            "android": {"notification": {"notification_count": note.badge}},
            "apns": {"payload": {"aps": {"badge": note.badge, "sound": "default"}}},
        }
    }


def _error_code(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", {})
    except ValueError:
        return ""
    for detail in error.get("details", []) or []:
        if isinstance(detail, dict) and detail.get("errorCode"):
            return str(detail["errorCode"])
    return str(error.get("status", ""))


def send(account: dict[str, Any], token: str, note: Notification) -> PushResult:
    base = config("APP_FCM_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
    url = f"{base}/v1/projects/{account['project_id']}/messages:send"
    with httpx.Client(timeout=TIMEOUT_SECONDS) as client:
        try:
            bearer = access_token(account, client)
        except CredentialsError as exc:
            return refused(str(exc)) if exc.permanent else transient(str(exc))
        try:
            response = client.post(
                url, json=message_body(token, note), headers={"Authorization": f"Bearer {bearer}"}
            )
        except httpx.HTTPError as exc:
            return transient(f"FCM unreachable: {exc}")
    if response.status_code == 200:
        return PushResult(ok=True, provider_id=str(response.json().get("name", "")))
    code = _error_code(response)
    error = f"FCM answered {response.status_code} {code}".strip()
    if code == "UNREGISTERED" or response.status_code == 404:
        return dead_token(error)
    if code == "INVALID_ARGUMENT" and "token" in response.text.lower():
        return dead_token(error)
    return status_result(response.status_code, error)
