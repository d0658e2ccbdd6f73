"""Who is calling: a per-agent Bearer token, or (demo only) HTTP Basic email + password.

A token is found by its sha256 in one query joined to its user, so authentication costs
one round trip. ``last_used_at`` is written at most once a minute per token: an API
client making hundreds of calls a minute should not turn every read into a write.

Each token (or Basic-auth user) is throttled to ``API_RATE_PER_MINUTE`` requests a minute,
answered 429 with Retry-After beyond it.

Read-only agents may call GET (and HEAD/OPTIONS) only; that rule lives here, at the one
place every request passes, because creating an inquiry through the intake is not an
agent action and so is not checked by the actions layer.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBasicAuth, HttpBearer

from sangdam.accounts import twofactor
from sangdam.accounts.models import ApiToken, User, hash_token
from sangdam.api.errors import ApiError
from sangdam.core import ratelimit
from sangdam.core.compiled import CompiledQuery
from sangdam.tickets.actor import Actor

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
TOUCH_EVERY = dt.timedelta(minutes=1)


def _throttle(caller: str) -> None:
    """At most API_RATE_PER_MINUTE requests a minute per token or Basic-auth user."""
    verdict = ratelimit.hit("api", caller, limit=settings.API_RATE_PER_MINUTE, window=60)
    if not verdict.allowed:
        raise ApiError(
            429,
            "rate_limited",
            _("Too many requests; slow down."),
            headers={"Retry-After": str(verdict.retry_after)},
        )


def _authorize(request: HttpRequest, user: User) -> User:
    if request.method not in SAFE_METHODS and not user.can_write:
        raise ApiError(
            403, "permission_denied", _("Read-only users can only read through the API.")
        )
    return user


# Every API request reads its token: compiled once (core/compiled.py).
_TOKEN = CompiledQuery(
    ApiToken,
    lambda digest: ApiToken.objects.select_related("user").filter(
        token_hash=digest, user__is_active=True
    )[:1],
    "\x00token hash",
)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token:
            return None
        found = next(iter(_TOKEN.objects(hash_token(token))), None)
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= TOUCH_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        _throttle(f"token:{found.token_hash}")
        return _authorize(request, found.user)


class BasicAuth(HttpBasicAuth):
    """Email + password; only when ``API_ALLOW_BASIC_AUTH`` (the demo) allows it.

    Failures count towards the login lockout (:mod:`sangdam.accounts.lockout`): ``authenticate``
    gets the request, and a locked-out caller gets a 429 problem even with the right password.
    """

    def __call__(self, request: HttpRequest) -> User | None:
        if not settings.API_ALLOW_BASIC_AUTH:
            return None
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return None
        return cast("User | None", super().__call__(request))

    def authenticate(self, request: HttpRequest, username: str, password: str) -> User | None:
        user = authenticate(request, username=username.strip().lower(), password=password)
        if not isinstance(user, User) or not user.is_active or twofactor.is_enrolled(user):
            return None  # an agent with two-factor login uses a token, never the password alone
        _throttle(f"user:{user.email}")
        return _authorize(request, user)


def api_user(request: HttpRequest) -> User:
    """The authenticated agent (set by the auth classes above)."""
    return cast(User, request.auth)  # type: ignore[attr-defined]


def api_actor(request: HttpRequest) -> Actor:
    return Actor("api", api_user(request))


AUTH = [TokenAuth(), BasicAuth()]
