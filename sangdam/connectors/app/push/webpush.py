"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291).

pywebpush does the encryption and the VAPID signature; the push service is whatever URL
the browser's subscription names.
"""

from __future__ import annotations

import json
from typing import Any

from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from sangdam.connectors.app.push.common import (
    TIMEOUT_SECONDS,
    Notification,
    PushResult,
    dead_token,
    status_result,
    transient,
)

TTL_SECONDS = 24 * 3600


def payload(note: Notification) -> dict[str, Any]:
    return {"title": note.title, "body": note.body, "badge": note.badge, "data": note.data}


def send(vapid: dict[str, Any], subscription: dict[str, Any], note: Notification) -> PushResult:
    key = Vapid.from_pem(str(vapid["private_key"]).encode())
    try:
        response = webpush(
            subscription_info=subscription,
            data=json.dumps(payload(note), ensure_ascii=False),
            vapid_private_key=key,
            vapid_claims={"sub": str(vapid["subject"])},
            ttl=TTL_SECONDS,
            timeout=TIMEOUT_SECONDS,
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else 0
        error = f"Web Push answered {status}: {exc.message[:200]}"
        if status in (404, 410):
            return dead_token(error)
        return status_result(status, error) if status else transient(error)
    except (OSError, ValueError) as exc:
        return transient(f"Web Push failed: {exc}")
    return PushResult(ok=True, provider_id=str(response.headers.get("Location", "")))
