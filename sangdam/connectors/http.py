"""The one HTTP seam for calls to providers (Telegram, LINE, Meta, ...).

Every provider call goes through :class:`ProviderClient`: timeouts, bounded retries on
429, 5xx and connection errors that honour ``Retry-After``, and the provider's base URL
from settings (``PROVIDER_BASE_URLS[kind]``, env ``SANGDAM_<KIND>_API_BASE``) or from the
channel's ``config["api_base"]`` (set by ``sangdam fake-providers``), so tests and demos
talk to local servers and production to the real API with the same code.

A wait longer than ``PROVIDER_MAX_RETRY_AFTER`` is not slept through in a worker: the call
raises a transient :class:`ProviderError` and the task's own backoff takes over.
"""

from __future__ import annotations

import email.utils
import threading
import time
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

from sangdam.core import backoff, netguard

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class ProviderError(Exception):
    """A provider call failed. ``permanent`` says whether retrying can help."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        status: int | None = None,
        response: httpx.Response | None = None,
    ):
        super().__init__(message)
        self.permanent = permanent
        self.status = status
        # The provider's error answer, for connectors that read its own codes (Graph's
        # error code and subcode say more than the HTTP status).
        self.response = response


_local = threading.local()


def _client() -> httpx.Client:
    # One pooled client per thread: workers reuse connections to the same provider.
    client: httpx.Client | None = getattr(_local, "client", None)
    if client is None:
        client = httpx.Client(timeout=settings.PROVIDER_TIMEOUT_SECONDS, follow_redirects=False)
        _local.client = client
    return client


def base_url(kind: str, config: dict[str, Any] | None = None) -> str:
    """The provider's API root for a channel of ``kind`` (no trailing slash)."""
    override = (config or {}).get("api_base") if isinstance(config, dict) else None
    url = str(override or settings.PROVIDER_BASE_URLS.get(kind, ""))
    if not url:
        raise ProviderError(f"no API base URL is configured for {kind}", permanent=True)
    return url.rstrip("/")


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds (delta or HTTP date); None when absent or unreadable."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - timezone.now()).total_seconds(), 0.0)


class ProviderClient:
    """Calls one provider's API (``kind``), relative to its base URL."""

    def __init__(self, kind: str, *, config: dict[str, Any] | None = None) -> None:
        self.kind = kind
        self.base = base_url(kind, config)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send ``method path`` (a path under the base URL, or an absolute URL of the
        provider), retrying transient failures; raise :class:`ProviderError` when it fails."""
        url = (
            path if path.startswith(("http://", "https://")) else f"{self.base}/{path.lstrip('/')}"
        )
        return send_with_retries(_client(), method, url, label=self.kind, **kwargs)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderError(
                f"{self.kind}: the answer is not JSON", status=response.status_code
            ) from exc


def send_with_retries(
    client: httpx.Client, method: str, url: str, *, label: str, **kwargs: Any
) -> httpx.Response:
    attempts = max(settings.PROVIDER_HTTP_ATTEMPTS, 1)
    for attempt in range(1, attempts + 1):
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            error = ProviderError(f"{label}: no answer in time ({type(exc).__name__})")
            wait: float | None = None
        except httpx.TransportError as exc:
            if netguard.refusal_of(exc) is not None:
                raise ProviderError(f"{label}: {exc}", permanent=True) from exc
            error = ProviderError(f"{label}: cannot connect ({exc})")
            wait = None
        else:
            if response.status_code < 400:
                return response
            error = ProviderError(
                f"{label}: HTTP {response.status_code}: {_reason(response)}",
                permanent=response.status_code not in RETRY_STATUSES,
                status=response.status_code,
                response=response,
            )
            if error.permanent:
                raise error
            wait = retry_after_seconds(response)
        if attempt == attempts:
            raise error
        delay = (
            wait
            if wait is not None
            else backoff.delay_seconds(attempt, base=settings.PROVIDER_RETRY_BASE_SECONDS)
        )
        if delay > settings.PROVIDER_MAX_RETRY_AFTER:
            # Do not hold a worker for minutes: the task retries later with its backoff.
            raise error
        time.sleep(delay)
    raise AssertionError("unreachable")


def _reason(response: httpx.Response) -> str:
    """The provider's own words for a failure, shortened (they end up on the ticket)."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(data, dict):
        for key in ("description", "message", "error_description"):
            if isinstance(data.get(key), str):
                return data[key][:300]
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"][:300]
        if isinstance(error, str):
            return error[:300]
    return str(data)[:300]


def fetch_untrusted(url: str, *, label: str, max_bytes: int | None = None) -> httpx.Response:
    """GET a URL an outsider could have chosen (a media URL inside a payload).

    Goes through the SSRF guard (:mod:`sangdam.core.netguard`: only public addresses,
    every redirect hop checked; ``NETGUARD_ALLOW_LOCAL`` for tests and local providers).
    A refused address is a permanent error.
    """
    with netguard.guarded_client(
        timeout=settings.PROVIDER_TIMEOUT_SECONDS, follow_redirects=True
    ) as client:
        response = send_with_retries(client, "GET", url, label=label)
    if max_bytes is not None and len(response.content) > max_bytes:
        raise ProviderError(f"{label}: the file is larger than {max_bytes} bytes", permanent=True)
    return response
