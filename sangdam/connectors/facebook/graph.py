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

from sangdam.connectors.http import ProviderClient, ProviderError, fetch_untrusted

DEFAULT_API_VERSION = "v25.0"

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

    def __init__(
        self,
        *,
        kind: str,
        token: str,
        api_version: str = DEFAULT_API_VERSION,
        config: dict[str, Any] | None = None,
    ) -> None:
        self.kind = kind
        self.token = token
        self.version = api_version or DEFAULT_API_VERSION
        self.client = ProviderClient(kind, config=config)

    # --- the one place requests are made ----------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            response = self.client.request(
                method, f"{self.version}/{path}", headers=headers, **kwargs
            )
        except ProviderError as exc:
            raise _from_provider_error(exc) from exc
        try:
            body = response.json()
        except ValueError as exc:
            raise GraphError(
                "the Graph API answered with something that is not JSON", permanent=False
            ) from exc
        if not isinstance(body, dict):
            raise GraphError("the Graph API answered with an unexpected shape", permanent=False)
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
        return self._message_id(self._call("POST", "me/messages", json=body))

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
        try:
            response = fetch_untrusted(url, label=f"{self.kind} media", max_bytes=max_bytes)
        except ProviderError as exc:
            # The SSRF guard's refusal is final, however the seam classed the failure.
            refused = _guard_refusal(exc)
            raise GraphError(
                f"media URL refused: {refused}" if refused else str(exc),
                permanent=exc.permanent or refused is not None,
                status=exc.status,
            ) from exc
        content_type = response.headers.get("content-type", "application/octet-stream")
        return Media(
            content=response.content,
            content_type=content_type,
            filename=_filename(url, content_type, fallback_name),
        )


def _guard_refusal(exc: BaseException) -> Exception | None:
    from sangdam.core.netguard import NetguardError

    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            return None
        if isinstance(seen, NetguardError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _from_provider_error(exc: ProviderError) -> GraphError:
    """The seam's error, read as Graph's own (code, subcode) when the answer carried one."""
    response = exc.response
    if isinstance(response, httpx.Response):
        return graph_error(response)
    return GraphError(str(exc), permanent=exc.permanent, status=exc.status)
