"""Two-factor login: enrol with a QR code, log in with a real TOTP code, backup codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from typing import Any

import pytest
from django.test import Client

from sangdam.accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), written here so the test does not trust our code."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _password_login(agent: User) -> Client:
    client = Client()
    response = client.post("/login/", {"username": agent.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def _enrol(agent: User, at: float | None = None) -> tuple[str, list[str]]:
    """The agent turns on two-factor login (with the code of the moment ``at``, default
    now); returns the secret and the backup codes."""
    client = _password_login(agent)
    page = client.get("/account/two-factor/").content.decode()
    assert "<svg" in page  # the QR code is drawn by the server, no third party sees the secret
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/account/two-factor/", {"code": totp(secret, time.time() if at is None else at)}
    )
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(codes) == 10
    return secret, codes


@pytest.fixture
def seoyeon(db: None) -> User:
    return factories.make_agent("Seoyeon", email="seoyeon@example.com")


def test_an_enrolled_agent_needs_the_code_after_the_password(seoyeon: User) -> None:
    enrolled_at = time.time()
    secret, _ = _enrol(seoyeon, at=enrolled_at)
    client = _password_login(seoyeon)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/verify/")
    assert client.get("/tickets/1/").status_code == 302
    # The enrolment used its 30-second step's code, and a code is never accepted twice:
    # the app's next code (one step of clock drift is allowed) logs in. Counted from the
    # enrolment, not from now: a step boundary may have passed in between.
    code = totp(secret, enrolled_at + 30)
    response = client.post("/login/verify/", {"code": code, "next": "/"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/").status_code == 200


def test_a_wrong_code_is_refused(seoyeon: User) -> None:
    secret, _ = _enrol(seoyeon)
    client = _password_login(seoyeon)
    wrong = f"{(int(totp(secret, time.time() + 30)) + 1) % 1_000_000:06d}"
    response = client.post("/login/verify/", {"code": wrong, "next": "/"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert client.get("/").status_code == 302


def test_a_backup_code_logs_in_once(seoyeon: User) -> None:
    _, codes = _enrol(seoyeon)
    first = _password_login(seoyeon)
    assert first.post("/login/verify/", {"code": codes[0]}).status_code == 302
    assert first.get("/").status_code == 200
    second = _password_login(seoyeon)
    assert second.post("/login/verify/", {"code": codes[0]}).status_code == 200
    assert second.get("/").status_code == 302


def test_agents_without_two_factor_log_in_with_the_password(seoyeon: User) -> None:
    assert _password_login(seoyeon).get("/").status_code == 200


def test_a_session_opened_before_enrolment_owes_the_code_on_its_next_page(
    seoyeon: User,
) -> None:
    earlier = _password_login(seoyeon)
    assert earlier.get("/").status_code == 200
    _enrol(seoyeon)  # from another browser
    response = earlier.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/verify/")


def test_admins_must_enrol_when_the_setting_is_on(settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED_FOR_ADMINS = True
    boss = factories.make_admin("Boss")
    client = _password_login(boss)
    response = client.get("/admin/agents/")
    assert (response.status_code, response["Location"]) == (302, "/account/two-factor/")
    _enrol(boss)
    agent = factories.make_agent("Alex")
    assert _password_login(agent).get("/").status_code == 200  # agents are not forced


def test_api_basic_auth_with_the_password_alone_is_refused_once_enrolled(
    seoyeon: User, settings: Any
) -> None:
    settings.API_ALLOW_BASIC_AUTH = True
    raw = base64.b64encode(f"{seoyeon.email}:{factories.PASSWORD}".encode()).decode()
    headers = {"Authorization": f"Basic {raw}"}
    assert Client().get("/api/v1/tickets", headers=headers).status_code == 200
    _enrol(seoyeon)
    assert Client().get("/api/v1/tickets", headers=headers).status_code == 401


def test_an_admin_resets_a_lost_authenticator(seoyeon: User) -> None:
    _enrol(seoyeon)
    boss = Client()
    boss.force_login(factories.make_admin("Boss"))
    page = boss.get("/admin/agents/").content.decode()
    assert f"/admin/agents/{seoyeon.pk}/two-factor/reset/" in page
    assert boss.post(f"/admin/agents/{seoyeon.pk}/two-factor/reset/").status_code == 302
    assert _password_login(seoyeon).get("/").status_code == 200


def test_django_admin_asks_for_the_code_too(seoyeon: User) -> None:
    seoyeon.is_staff = seoyeon.is_superuser = True
    seoyeon.save()
    secret, _ = _enrol(seoyeon)
    client = _password_login(seoyeon)
    response = client.get("/django-admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith("/login/verify/")
    # Django's own password-only login form is not there to go around the console's.
    assert (
        client.post(
            "/django-admin/login/", {"username": seoyeon.email, "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    assert client.get("/django-admin/").status_code == 302
    client.post("/login/verify/", {"code": totp(secret, time.time() + 30), "next": "/"})
    assert client.get("/django-admin/").status_code == 200


def test_django_admin_sends_strangers_to_the_console_login() -> None:
    response = Client().get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
