"""Lockout after repeated failed logins (django-axes), per account and per network address.

Failures are counted wherever a password is checked with the request: the console's
/login/ and HTTP Basic on the REST API. After ``AXES_FAILURE_LIMIT`` failures within
``AXES_COOLOFF_TIME`` the account and the address are refused, even with the right
password, until the cool-off ends or an admin unlocks them from the Agents page. Counts
live in the database, so every process sees them.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


class LockoutBackend(AxesStandaloneBackend):
    """Refuses locked-out logins; checks without a request (tests, the shell) pass through.

    Every login from the network (the login form, API Basic auth) passes its request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR (never X-Forwarded-For, which the client writes), or None when the request
    has none (a login made in code): axes stores it in an IP column, which PostgreSQL checks."""
    value = str(request.META.get("REMOTE_ADDR") or "")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The email as typed, normalised: ``Admin@Example.com`` counts against ``admin@…``."""
    value = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(value).strip().lower()


def cooloff() -> dt.timedelta:
    value = settings.AXES_COOLOFF_TIME
    return value if isinstance(value, dt.timedelta) else dt.timedelta(hours=float(value or 1))


def _minutes() -> int:
    return max(1, int(cooloff().total_seconds() // 60))


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """429 in the user's language: a problem document on the API, a page in the console."""
    message = _(
        "Too many failed log-in attempts. Logging in to this account or from this address "
        "is locked for %(minutes)d minutes. An admin can unlock it on the Agents page."
    ) % {"minutes": _minutes()}
    retry_after = str(int(cooloff().total_seconds()))
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "type": "urn:sangdam:problem:locked_out",
                "title": "Too many requests",
                "status": 429,
                "detail": message,
                "code": "locked_out",
            },
            status=429,
            content_type="application/problem+json",
        )
    else:
        response = render(request, "console/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = retry_after
    return response


def locked_out_emails(emails: list[str]) -> set[str]:
    """Which of ``emails`` are locked out now (for the Agents page)."""
    since = timezone.now() - cooloff()
    rows = (
        AccessAttempt.objects.filter(
            username__in=[e.lower() for e in emails], attempt_time__gte=since
        )
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
    )
    return {r["username"] for r in rows if r["failures"] >= settings.AXES_FAILURE_LIMIT}


def unlock(email: str) -> int:
    """Forget the failures of ``email`` and of the addresses they came from."""
    email = email.lower()
    addresses = set(
        AccessAttempt.objects.filter(username=email)
        .exclude(ip_address=None)
        .values_list("ip_address", flat=True)
    )
    count = reset(username=email)
    for address in addresses:
        count += reset(ip=address)
    return count
