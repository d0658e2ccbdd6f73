"""What every push transport receives and answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Notification:
    title: str
    body: str
    badge: int
    # Deep-link data for the app: which inquiry to open. Strings only (FCM requires it).
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PushResult:
    """``ok``; else whether the token is dead (delete it) and whether retrying can help."""

    ok: bool
    provider_id: str = ""
    remove_token: bool = False
    permanent: bool = False
    error: str = ""


def config(name: str, default: str) -> str:
    """Provider base URLs are configuration, so tests point them at local servers."""
    return str(getattr(settings, name, "") or default)


def transient(error: str) -> PushResult:
    return PushResult(ok=False, error=error)


def dead_token(error: str) -> PushResult:
    return PushResult(ok=False, remove_token=True, permanent=True, error=error)


def refused(error: str) -> PushResult:
    return PushResult(ok=False, permanent=True, error=error)


def status_result(status: int, error: str) -> PushResult:
    """429 and 5xx are worth a retry; other refusals are not."""
    if status == 429 or status >= 500:
        return transient(error)
    return refused(error)
