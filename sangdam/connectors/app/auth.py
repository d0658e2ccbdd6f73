"""Who is calling the app API: an app (X-App-Key) and a user its backend vouched for.

The company's backend signs the user id with the app secret (hex HMAC-SHA256, as Intercom
and Zendesk do) and hands the signature to the app; the app sends ``X-User-Id`` and
``X-User-Signature``. Without the secret nobody can act as another user, and a
signature made for one user id is worthless for any other.

An email passed in ``X-User-Email`` links the user to the same customer on other channels
(and lets replies fall back to email), so it is trusted only when signed as well
(``X-User-Email-Signature``): otherwise anyone could name a victim's address and read
their inquiries. An unsigned email is ignored.

Anonymous callers (``X-Device-Id`` only) are allowed only by apps that opt in.
Rate limits (per app and per user, fixed one-minute windows in Django's cache, so they
hold across processes when the cache is Redis) are checked here, where every request
passes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyHeader

from sangdam.api.errors import ApiError
from sangdam.api.schemas import EMAIL_RE
from sangdam.connectors.app.models import App
from sangdam.connectors.base import SenderIdentity
from sangdam.connectors.models import Channel
from sangdam.core import ratelimit
from sangdam.core.memo import Memo
from sangdam.customers.models import Customer, Identity

_apps = Memo(App, Channel)

MAX_ID_LENGTH = 200
WINDOW_SECONDS = 60


@dataclass(frozen=True)
class AppCaller:
    app: App
    user_id: str = ""
    device_id: str = ""
    email: str = ""
    name: str = ""

    @property
    def principal(self) -> str:
        return f"user:{self.user_id}" if self.user_id else f"device:{self.app.pk}:{self.device_id}"

    def identities(self) -> tuple[SenderIdentity, ...]:
        """How the intake should know this caller: the app identity first."""
        if self.user_id:
            found = [SenderIdentity("app_user", self.user_id)]
        else:
            found = [SenderIdentity("device", f"{self.app.pk}:{self.device_id}")]
        if self.email:
            found.append(SenderIdentity("email", self.email))
        return tuple(found)

    def customer(self) -> Customer | None:
        """The customer this caller already is, if they ever wrote (never creates one)."""
        first = self.identities()[0]
        identity = (
            Identity.objects.select_related("customer")
            .filter(kind=first.kind, value=first.value)
            .first()
        )
        return identity.customer if identity else None


def sign(secret: str, value: str) -> str:
    """What the company's backend computes: hex HMAC-SHA256(secret, value)."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def _signed_by(app: App, value: str, signature: str) -> bool:
    signature = signature.strip().lower()
    # Every valid secret is compared (no early exit) in constant time.
    results = [hmac.compare_digest(sign(s, value), signature) for s in app.valid_secrets()]
    return any(results)


def _refuse(code: str, detail: str) -> ApiError:
    return ApiError(401, code, detail, headers={"WWW-Authenticate": 'HMAC realm="sangdam-app"'})


def _header(request: HttpRequest, name: str) -> str:
    value = request.headers.get(name, "").strip()
    if len(value) > MAX_ID_LENGTH or not value.isprintable():
        raise ApiError(
            422,
            "validation_error",
            _("The request is not valid."),
            errors=[{"field": name, "message": f"at most {MAX_ID_LENGTH} printable characters"}],
        )
    return value


def _check_rate(bucket: str, limit: int) -> None:
    verdict = ratelimit.hit("app-api", bucket, limit=limit, window=WINDOW_SECONDS)
    if not verdict.allowed:
        raise ApiError(
            429,
            "rate_limited",
            _("Too many requests; slow down."),
            headers={"Retry-After": str(verdict.retry_after)},
        )


def caller_for(request: HttpRequest, app_key: str) -> AppCaller:
    # Kept per process for a few seconds (core/memo.py): the app's and its channel's
    # secrets are decrypted once, not on every request. Disabling an app or rotating its
    # secret takes effect at once here and within those seconds in other processes.
    key = app_key.strip()
    app = _apps.get(
        key, lambda: App.objects.select_related("channel").filter(key=key, enabled=True).first()
    )
    if app is None:
        raise _refuse("invalid_app_key", _("Send a valid app key in X-App-Key."))
    user_id = _header(request, "X-User-Id")
    device_id = _header(request, "X-Device-Id")
    if user_id:
        if not _signed_by(app, user_id, request.headers.get("X-User-Signature", "")):
            raise _refuse(
                "invalid_signature",
                _("X-User-Signature must be the HMAC-SHA256 of X-User-Id with the app secret."),
            )
        caller = AppCaller(app=app, user_id=user_id)
    elif device_id and app.anonymous_allowed:
        caller = AppCaller(app=app, device_id=device_id)
    elif device_id:
        raise _refuse("anonymous_not_allowed", _("This app requires a signed X-User-Id."))
    else:
        raise _refuse("user_required", _("Send X-User-Id and X-User-Signature."))
    email = _header(request, "X-User-Email").lower()
    if email and not EMAIL_RE.match(email):
        raise ApiError(
            422,
            "validation_error",
            _("The request is not valid."),
            errors=[{"field": "X-User-Email", "message": "not an email address"}],
        )
    if (
        email
        and caller.user_id
        and _signed_by(app, email, request.headers.get("X-User-Email-Signature", ""))
    ):
        caller = AppCaller(app=app, user_id=caller.user_id, email=email)
    # Header values are Latin-1 on the wire: apps percent-encode names like "김민지".
    name = unquote(_header(request, "X-User-Name"))
    if name:
        caller = AppCaller(
            app=app,
            user_id=caller.user_id,
            device_id=caller.device_id,
            email=caller.email,
            name=name,
        )
    _check_rate(f"app:{app.pk}", settings.APP_API_RATE_PER_APP)
    _check_rate(f"user:{app.pk}:{caller.principal}", settings.APP_API_RATE_PER_USER)
    return caller


class AppAuth(APIKeyHeader):
    """X-App-Key plus a signed user (see the module docstring)."""

    param_name = "X-App-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> AppCaller | None:
        if not key:
            raise _refuse("invalid_app_key", _("Send a valid app key in X-App-Key."))
        return caller_for(request, key)


def app_caller(request: HttpRequest) -> AppCaller:
    caller = getattr(request, "auth", None)
    if not isinstance(caller, AppCaller):
        raise _refuse("user_required", _("Send X-User-Id and X-User-Signature."))
    return caller
