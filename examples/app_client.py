"""A tiny reference client for Sangdam's app API (/api/app/v1/): what an app does.

Two halves, as in a real integration:

- :func:`sign_user` runs on the company's **backend** (it holds the app secret) and hands
  the signature to the logged-in app;
- :class:`AppClient` runs in the **app** with the public app key, the user id and that
  signature.

    signature = sign_user(APP_SECRET, "user-42")            # backend
    client = AppClient("https://help.example.com", APP_KEY, "user-42", signature)
    created = client.create_inquiry("결제가 두 번 됐어요", topic="payment",
                                    files=[("screen.png", png_bytes)],
                                    device={"app_version": "5.2.0", "os": "iOS"})
    client.list_inquiries()
    client.reply(created["id"], "영수증 첨부합니다")

Only the standard library and httpx are needed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any
from urllib.parse import quote

import httpx

API_PREFIX = "/api/app/v1"


def sign_user(app_secret: str, value: str) -> str:
    """Backend side: hex HMAC-SHA256 of the user id (or email) with the app secret."""
    return hmac.new(app_secret.encode(), value.encode(), hashlib.sha256).hexdigest()


class AppApiError(Exception):
    """A problem document from the API; branch on ``code``."""

    def __init__(self, status: int, body: dict[str, Any], headers: httpx.Headers) -> None:
        super().__init__(f"{status} {body.get('code')}: {body.get('detail')}")
        self.status = status
        self.code = str(body.get("code", ""))
        self.body = body
        self.headers = headers


class AppClient:
    def __init__(
        self,
        base_url: str,
        app_key: str,
        user_id: str = "",
        signature: str = "",
        *,
        device_id: str = "",
        email: str = "",
        email_signature: str = "",
        name: str = "",
        language: str = "ko",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"X-App-Key": app_key, "Accept-Language": language}
        if user_id:
            headers |= {"X-User-Id": user_id, "X-User-Signature": signature}
        if device_id:
            headers["X-Device-Id"] = device_id
        if email:
            headers |= {"X-User-Email": email, "X-User-Email-Signature": email_signature}
        if name:
            # Header values are Latin-1 on the wire; percent-encode anything else.
            headers["X-User-Name"] = quote(name)
        self.http = httpx.Client(
            base_url=base_url.rstrip("/") + API_PREFIX,
            headers=headers,
            transport=transport,
            timeout=30,
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            try:
                body = response.json()
            except json.JSONDecodeError:
                body = {"code": "http_error", "detail": response.text}
            raise AppApiError(response.status_code, body, response.headers)
        if response.status_code == 204:
            return None
        return response.json()

    # --- reference data -------------------------------------------------------------

    def topics(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/topics"))

    def suggest_articles(self, text: str) -> list[dict[str, Any]]:
        return list(self._call("POST", "/articles/suggest", json={"text": text}))

    # --- inquiries ------------------------------------------------------------------

    def create_inquiry(
        self,
        text: str,
        *,
        topic: str = "",
        files: list[tuple[str, bytes]] | None = None,
        device: dict[str, str] | None = None,
        metadata: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Open an inquiry; retrying with the same ``idempotency_key`` is always safe."""
        data: dict[str, str] = {"text": text, **(device or {})}
        if topic:
            data["topic"] = topic
        if metadata:
            data["metadata"] = json.dumps(metadata, ensure_ascii=False)
        return dict(
            self._call(
                "POST",
                "/inquiries",
                data=data,
                files=[("files", (name, content)) for name, content in files or []] or None,
                headers={"Idempotency-Key": idempotency_key or uuid.uuid4().hex},
            )
        )

    def list_inquiries(self, cursor: str = "") -> dict[str, Any]:
        return dict(self._call("GET", "/inquiries", params={"cursor": cursor} if cursor else {}))

    def get_inquiry(self, inquiry_id: int, cursor: str = "", limit: int = 50) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return dict(self._call("GET", f"/inquiries/{inquiry_id}", params=params))

    def reply(
        self,
        inquiry_id: int,
        text: str,
        *,
        files: list[tuple[str, bytes]] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        return dict(
            self._call(
                "POST",
                f"/inquiries/{inquiry_id}/messages",
                data={"text": text},
                files=[("files", (name, content)) for name, content in files or []] or None,
                headers={"Idempotency-Key": idempotency_key or uuid.uuid4().hex},
            )
        )

    def mark_read(self, inquiry_id: int) -> dict[str, Any]:
        return dict(self._call("POST", f"/inquiries/{inquiry_id}/read"))

    def close(self, inquiry_id: int) -> dict[str, Any]:
        return dict(self._call("POST", f"/inquiries/{inquiry_id}/close"))

    def reopen(self, inquiry_id: int) -> dict[str, Any]:
        return dict(self._call("POST", f"/inquiries/{inquiry_id}/reopen"))

    def request_callback(self, number: str, start: str, end: str, name: str = "") -> dict[str, Any]:
        """Ask to be called back between ``start`` and ``end`` (ISO 8601, within the phone
        line's opening hours)."""
        payload = {"number": number, "start": start, "end": end, "name": name}
        return dict(self._call("POST", "/callbacks", json=payload))

    def download(self, inquiry_id: int, attachment_id: int) -> bytes:
        response = self.http.get(f"/inquiries/{inquiry_id}/attachments/{attachment_id}")
        response.raise_for_status()
        return response.content

    # --- push -----------------------------------------------------------------------

    def register_push_token(
        self,
        kind: str,
        token: str = "",
        *,
        subscription: dict[str, Any] | None = None,
        locale: str = "",
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": kind, "locale": locale}
        if token:
            body["token"] = token
        if subscription:
            body["subscription"] = subscription
        return dict(
            self._call(
                "POST", "/push-tokens", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
            )
        )

    def unregister_push_token(self, token: str) -> None:
        self._call("DELETE", "/push-tokens", params={"token": token})
