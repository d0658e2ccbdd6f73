"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291).

pywebpush does the encryption and py_vapid the VAPID signature; the push service is
whatever URL the browser's subscription names, chosen by the app user, so it is posted
to through :mod:`sangdam.core.netguard` (checked at registration and again here, on
every hop, against the address actually connected to).
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from sangdam.connectors.app.push.common import (
    TIMEOUT_SECONDS,
    Notification,
    PushResult,
    dead_token,
    status_result,
    transient,
)
from sangdam.core import netguard

TTL_SECONDS = 24 * 3600
VAPID_SECONDS = 12 * 3600


def payload(note: Notification) -> dict[str, Any]:
    return {"title": note.title, "body": note.body, "badge": note.badge, "data": note.data}


def _headers(vapid: dict[str, Any], endpoint: str) -> dict[str, str]:
    from py_vapid import Vapid

    key = Vapid.from_pem(str(vapid["private_key"]).encode())
    origin = urlsplit(endpoint)
    claims = {
        "sub": str(vapid["subject"]),
        "aud": f"{origin.scheme}://{origin.netloc}",
        "exp": int(time.time()) + VAPID_SECONDS,
    }
    signed = {str(k): str(v) for k, v in key.sign(claims).items()}
    return {**signed, "content-encoding": "aes128gcm", "ttl": str(TTL_SECONDS)}


def send(vapid: dict[str, Any], subscription: dict[str, Any], note: Notification) -> PushResult:
    # Imported here: pywebpush pulls in aiohttp and requests, a large part of every
    # `sangdam` command's start-up, for the few servers that send Web Push at all.
    from pywebpush import WebPusher

    endpoint = str(subscription["endpoint"])
    data = json.dumps(payload(note), ensure_ascii=False).encode()
    try:
        body = WebPusher(subscription).encode(data, "aes128gcm")["body"]
        headers = _headers(vapid, endpoint)
    except (ValueError, TypeError) as exc:
        return dead_token(f"Web Push subscription is not usable: {exc}")
    try:
        with netguard.guarded_client(timeout=TIMEOUT_SECONDS) as client:
            response = client.post(endpoint, content=body, headers=headers)
    except httpx.HTTPError as exc:
        refusal = netguard.refusal_of(exc)
        if isinstance(refusal, netguard.BlockedAddress):
            # A subscription pointing into our own network is never going to work: drop it.
            return dead_token(f"Web Push endpoint refused: {refusal}")
        return transient(f"Web Push failed: {exc}")
    if response.status_code > 202:
        error = f"Web Push answered {response.status_code}: {response.text[:200]}"
        if response.status_code in (404, 410):
            return dead_token(error)
        return status_result(response.status_code, error)
    return PushResult(ok=True, provider_id=str(response.headers.get("Location", "")))
