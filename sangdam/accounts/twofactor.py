"""Two-factor login for agents: TOTP apps (django-otp) with single-use backup codes.

An agent who enrolled must give a code from their app (or a backup code) after the
password before any console page opens; the session remembers the verified device. With
``TWO_FACTOR_REQUIRED_FOR_ADMINS`` on, an admin without a device is sent to enrol first.
HTTP Basic on the API is refused for enrolled agents (a password alone is not enough);
API tokens are unaffected (they are their own secret, created by a logged-in agent).
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sangdam.accounts.models import User

BACKUP_CODES = 10
# Whether the agent is enrolled, as console/session_user.py reads it with the session's user.
ENROLLED_FIELD = "two_factor_enrolled"


def is_enrolled(user: User) -> bool:
    # A session's user arrives with the answer (console/session_user.py): no query of its own.
    known = getattr(user, ENROLLED_FIELD, None)
    if known is not None:
        return bool(known)
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: User) -> TOTPDevice:
    """The not-yet-confirmed authenticator the agent is setting up (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def secret_of(device: TOTPDevice) -> str:
    """The base32 secret, for apps that cannot scan the QR code."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def confirm(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app; returns fresh backup codes, or None."""
    if not device.verify_token(code.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    setattr(device.user, ENROLLED_FIELD, None)
    StaticDevice.objects.filter(user=device.user).delete()
    backup = StaticDevice.objects.create(user=device.user, name="backup codes")
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=backup, token=c) for c in codes])
    return codes


def reset(user: User) -> None:
    """Remove every device (a lost phone): the agent logs in with the password and enrols again."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    setattr(user, ENROLLED_FIELD, None)


def must_enrol(user: User) -> bool:
    return bool(settings.TWO_FACTOR_REQUIRED_FOR_ADMINS and user.is_admin and not is_enrolled(user))


def session_verified(session: object) -> bool:
    """Whether this session passed the second factor (works where OTPMiddleware did not run)."""
    get = getattr(session, "get", None)
    return bool(get and get(DEVICE_ID_SESSION_KEY))
