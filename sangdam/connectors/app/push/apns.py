"""Apple Push Notification service over HTTP/2 with token-based (ES256 JWT) auth.

The provider token (claims ``iss`` = team id, ``iat``; header ``kid`` = key id) is reused
for up to 50 minutes: Apple refuses tokens older than an hour and throttles refreshes.
See https://developer.apple.com/documentation/usernotifications/sending-notification-requests-to-apns.
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
    status_result,
    transient,
)

PRODUCTION = "https://api.push.apple.com"
SANDBOX = "https://api.sandbox.push.apple.com"
TOKEN_SECONDS = 50 * 60
DEAD_REASONS = {"BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic"}


def provider_token(creds: dict[str, Any]) -> str:
    key = "apns-jwt:" + hashlib.sha256(f"{creds['team_id']}|{creds['key_id']}".encode()).hexdigest()
    cached = cache.get(key)
    if cached:
        return str(cached)
    import jwt  # PyJWT's crypto backends load in ~0.1 s: only when a push is sent

    token = jwt.encode(
        {"iss": creds["team_id"], "iat": int(time.time())},
        creds["private_key"],
        algorithm="ES256",
        headers={"kid": creds["key_id"]},
    )
    cache.set(key, token, TOKEN_SECONDS)
    return token


def payload(note: Notification) -> dict[str, Any]:
    return {
        "aps": {
            "alert": {"title": note.title, "body": note.body},
            "badge": note.badge,
            "sound": "default",
        },
        **note.data,
    }


def send(creds: dict[str, Any], device_token: str, note: Notification) -> PushResult:
    default = SANDBOX if creds.get("sandbox") else PRODUCTION
    base = config("APP_APNS_BASE_URL", default).rstrip("/")
    headers = {
        "authorization": f"bearer {provider_token(creds)}",
        "apns-topic": creds["topic"],
        "apns-push-type": "alert",
        "apns-priority": "10",
    }
    # APNs speaks HTTP/2 only: no HTTP/1.1 fallback (and h2 prior knowledge on http://).
    with httpx.Client(http1=False, http2=True, timeout=TIMEOUT_SECONDS) as client:
        try:
            response = client.post(
                f"{base}/3/device/{device_token}", json=payload(note), headers=headers
            )
        except httpx.HTTPError as exc:
            return transient(f"APNs unreachable: {exc}")
    if response.status_code == 200:
        return PushResult(ok=True, provider_id=response.headers.get("apns-id", ""))
    try:
        reason = str(response.json().get("reason", ""))
    except ValueError:
        reason = ""
    error = f"APNs answered {response.status_code} {reason}".strip()
    if response.status_code == 410 or reason in DEAD_REASONS:
        return dead_token(error)
    return status_result(response.status_code, error)
