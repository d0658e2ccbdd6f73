"""The Graph API calls both Meta connectors make: Send API, user profile, /me, media.

Plain HTTP against the documented Graph API rather than an SDK: the Python Messenger SDKs
are unmaintained (pymessenger 2016, fbmessenger 2019) and Meta's own ``facebook-business``
SDK covers the Marketing API, not messaging. The calls are few and small.

Errors come back as Graph's ``{"error": {"message", "type", "code", "error_subcode",
"is_transient", "fbtrace_id"}}``; :func:`graph_error` turns one into a :class:`GraphError`
that says whether retrying can help.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from django.conf import settings

DEFAULT_API_BASE = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v25.0"
TIMEOUT = httpx.Timeout(20.0, connect=5.0)

# Graph error codes that mean "try again later" (Graph answers most errors with HTTP 400).
TRANSIENT_CODES = {1, 2, 4, 17, 32, 341, 613}
# Sent outside the allowed window: the customer must write again first.
OUTSIDE_WINDOW_SUBCODES = {2018278, 2018065, 2534022}
# The person cannot be reached (blocked the page, deleted the account).
UNAVAILABLE_CODES = {551}
INVALID_TOKEN_CODES = {190}


class GraphError(Exception):
    """A Graph API call failed. ``permanent``: retrying the same call cannot help."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        status: int | None = None,
        code: int | None = None,
        subcode: int | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status
        self.code = code
        self.subcode = subcode

    @property
    def outside_window(self) -> bool:
        return self.subcode in OUTSIDE_WINDOW_SUBCODES


class MediaTooLarge(GraphError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit // (1024 * 1024)} MB", permanent=True)


def graph_error(response: httpx.Response) -> GraphError:
    """The Graph API's error answer as a :class:`GraphError`."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
    message = str(error.get("message") or f"HTTP {response.status_code}")
    transient = (
        response.status_code >= 500
        or response.status_code == 429
        or bool(error.get("is_transient"))
        or code in TRANSIENT_CODES
    )
    if code in INVALID_TOKEN_CODES:
        message = f"The page access token was refused: {message}"
    elif subcode in OUTSIDE_WINDOW_SUBCODES:
        message = f"Meta refused the reply as outside the messaging window: {message}"
    elif code in UNAVAILABLE_CODES:
        message = f"The customer cannot be reached on this channel any more: {message}"
    detail = f" (code {code}" + (f", subcode {subcode}" if subcode else "") + ")" if code else ""
    return GraphError(
        f"{message}{detail}",
        permanent=not transient,
        status=response.status_code,
        code=code,
        subcode=subcode,
    )


def api_base(kind: str) -> str:
    bases = getattr(settings, "PROVIDER_BASE_URLS", {}) or {}
    return str(bases.get(kind) or DEFAULT_API_BASE).rstrip("/")


@dataclass(frozen=True)
class Media:
    content: bytes
    content_type: str
    filename: str


def _filename(url: str, content_type: str, fallback: str) -> str:
    path = unquote(urlsplit(url).path)
    name = path.rsplit("/", 1)[-1]
    if "." in name and len(name) <= 120:
        return name
    ext = {
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "image/gif": ".gif",
        "image/webp": ".webp",
        "video/mp4": ".mp4",
        "audio/mpeg": ".mp3",
        "audio/mp4": ".m4a",
        "application/pdf": ".pdf",
    }.get(content_type.split(";")[0].strip(), "")
    return f"{fallback}{ext}"


class GraphClient:
    """One page's Graph API, with its page access token."""

    def __init__(self, *, kind: str, token: str, api_version: str = DEFAULT_API_VERSION) -> None:
        self.kind = kind
        self.token = token
        self.base = f"{api_base(kind)}/{api_version or DEFAULT_API_VERSION}"

    # --- the one place requests are made ----------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            with httpx.Client(timeout=TIMEOUT) as client:
                response = client.request(
                    method,
                    f"{self.base}/{path.lstrip('/')}",
                    params=params,
                    json=json_body,
                    data=data,
                    files=files,
                    headers=headers,
                )
        except httpx.HTTPError as exc:
            raise GraphError(f"Graph API unreachable: {exc}", permanent=False) from exc
        if response.status_code >= 400:
            raise graph_error(response)
        try:
            body = response.json()
        except ValueError as exc:
            raise GraphError(
                "Graph API answered with something that is not JSON", permanent=False
            ) from exc
        if not isinstance(body, dict):
            raise GraphError("Graph API answered with an unexpected shape", permanent=False)
        return body

    # --- calls --------------------------------------------------------------------------

    def me(self, fields: str = "id,name") -> dict[str, Any]:
        return self._call("GET", "me", params={"fields": fields})

    def profile(self, user_id: str, fields: str) -> dict[str, Any]:
        return self._call("GET", user_id, params={"fields": fields})

    def send(
        self,
        *,
        recipient: str,
        message: dict[str, Any],
        tag: str = "",
    ) -> str:
        """POST /me/messages; returns Meta's message id."""
        body: dict[str, Any] = {
            "recipient": {"id": recipient},
            "messaging_type": "MESSAGE_TAG" if tag else "RESPONSE",
            "message": message,
        }
        if tag:
            body["tag"] = tag
        return self._message_id(self._call("POST", "me/messages", json_body=body))

    def send_file(
        self,
        *,
        recipient: str,
        attachment_type: str,
        filename: str,
        content: bytes,
        content_type: str,
        tag: str = "",
    ) -> str:
        """Upload and send in one call (multipart ``filedata``); returns Meta's message id."""
        data = {
            "recipient": json.dumps({"id": recipient}),
            "messaging_type": "MESSAGE_TAG" if tag else "RESPONSE",
            "message": json.dumps(
                {"attachment": {"type": attachment_type, "payload": {"is_reusable": False}}}
            ),
        }
        if tag:
            data["tag"] = tag
        files = {"filedata": (filename, content, content_type)}
        return self._message_id(self._call("POST", "me/messages", data=data, files=files))

    @staticmethod
    def _message_id(body: dict[str, Any]) -> str:
        message_id = body.get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise GraphError("The Send API answered without a message id", permanent=False)
        return message_id

    def download(self, url: str, *, max_bytes: int, fallback_name: str) -> Media:
        """Fetch a media URL from a webhook payload (outsider-influenced: SSRF-guarded)."""
        from sangdam.core.netguard import NetguardError, guarded_client

        chunks: list[bytes] = []
        size = 0
        try:
            with (
                guarded_client(timeout=20.0, follow_redirects=True) as client,
                client.stream("GET", url) as response,
            ):
                if response.status_code >= 400:
                    raise GraphError(
                        f"media download answered HTTP {response.status_code}",
                        permanent=response.status_code < 500 and response.status_code != 429,
                        status=response.status_code,
                    )
                declared = int(response.headers.get("content-length") or 0)
                if declared > max_bytes:
                    raise MediaTooLarge(max_bytes)
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise MediaTooLarge(max_bytes)
                    chunks.append(chunk)
                content_type = response.headers.get("content-type", "application/octet-stream")
        except NetguardError as exc:
            raise GraphError(f"media URL refused: {exc}", permanent=True) from exc
        except httpx.HTTPError as exc:
            if isinstance(exc.__cause__, NetguardError):
                raise GraphError(f"media URL refused: {exc.__cause__}", permanent=True) from exc
            raise GraphError(f"media download failed: {exc}", permanent=False) from exc
        return Media(
            content=b"".join(chunks),
            content_type=content_type,
            filename=_filename(url, content_type, fallback_name),
        )
