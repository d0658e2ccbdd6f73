"""An agent's reply reaches the customer's phone or browser as a push, or else by email.

Local servers speak FCM HTTP v1 (with its OAuth token endpoint), APNs over HTTP/2 and a
Web Push service; the tests assert the exact requests, verifying every JWT with the
test keys.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import http_ece
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core import mail
from py_vapid import Vapid

from examples.app_client import AppClient
from sangdam.connectors.app import services
from sangdam.connectors.app.models import App, PushToken
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Message, Ticket
from tests import factories
from tests.app.conftest import Client, secret_of
from tests.app.push_servers import ACCESS_TOKEN, Recorder, apns_server, fcm_server, webpush_server

pytestmark = pytest.mark.django_db


def _pem(key: Any) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture
def fcm(app: App, settings: Any) -> Iterator[tuple[Recorder, rsa.RSAPrivateKey]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with fcm_server() as server:
        settings.APP_FCM_BASE_URL = server.base_url
        account = {
            "type": "service_account",
            "project_id": "sangdam-shop",
            "private_key_id": "key-1",
            "private_key": _pem(key),
            "client_email": "push@sangdam-shop.iam.gserviceaccount.com",
            "token_uri": f"{server.base_url}/token",
        }
        services.set_push_credentials(app=app, fcm_service_account=account)
        yield server, key


@pytest.fixture
def apns(app: App, settings: Any) -> Iterator[tuple[Recorder, ec.EllipticCurvePrivateKey]]:
    key = ec.generate_private_key(ec.SECP256R1())
    with apns_server() as server:
        settings.APP_APNS_BASE_URL = server.base_url
        creds = {
            "key_id": "ABC123DEFG",
            "team_id": "DEF123GHIJ",
            "topic": "com.example.shop",
            "private_key": _pem(key),
            "sandbox": False,
        }
        services.set_push_credentials(app=app, apns=creds)
        yield server, key


@pytest.fixture
def agent_replies(run_tasks: Callable[[], None]) -> Callable[..., Message]:
    agent = factories.make_agent("Seoyeon")

    def reply(ticket_id: int, text: str = "환불 처리해 드렸습니다. 3일 내 입금됩니다.") -> Message:
        message = actions.do_reply(
            ticket=Ticket.objects.get(pk=ticket_id), actor=Actor.agent(agent), text=text
        )
        run_tasks()
        message.refresh_from_db()
        return message

    return reply


def test_fcm_push_sends_an_oauth_authorized_localized_message(
    fcm: tuple[Recorder, rsa.RSAPrivateKey], minji: AppClient, agent_replies: Any
) -> None:
    server, key = fcm
    created = minji.create_inquiry("결제가 두 번 되었어요")
    minji.register_push_token("fcm", "fcm-token-1", locale="ko-KR")
    message = agent_replies(created["id"])
    assert message.delivery_state == "sent" and message.external_id.startswith("push:projects/")

    token_call, send_call = server.requests
    assert token_call.path == "/token"
    form = dict(pair.split("=", 1) for pair in token_call.body.decode().split("&"))
    claims = jwt.decode(
        form["assertion"],
        key.public_key(),
        algorithms=["RS256"],
        audience=f"{server.base_url}/token",
    )
    assert claims["iss"] == "push@sangdam-shop.iam.gserviceaccount.com"
    assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
    assert claims["exp"] - claims["iat"] == 3600
    assert jwt.get_unverified_header(form["assertion"])["kid"] == "key-1"

    assert send_call.path == "/v1/projects/sangdam-shop/messages:send"
    assert send_call.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    body = send_call.json()["message"]
    assert body["token"] == "fcm-token-1"
    assert body["notification"] == {
        "title": "고객센터 답변이 도착했어요",
        "body": "환불 처리해 드렸습니다. 3일 내 입금됩니다.",
    }
    ticket = Ticket.objects.get(pk=created["id"])
    assert body["data"] == {
        "type": "inquiry_reply",
        "inquiry_id": str(ticket.pk),
        "reference": ticket.reference,
        "message_id": str(message.pk),
    }
    assert body["apns"]["payload"]["aps"]["badge"] == 1
    assert body["android"]["notification"]["notification_count"] == 1


def test_the_oauth_token_is_reused_for_the_next_push(
    fcm: tuple[Recorder, rsa.RSAPrivateKey], minji: AppClient, agent_replies: Any
) -> None:
    server, _ = fcm
    created = minji.create_inquiry("문의")
    minji.register_push_token("fcm", "fcm-token-1", locale="en-US")
    agent_replies(created["id"])
    agent_replies(created["id"], "One more thing.")
    assert [r.path for r in server.requests].count("/token") == 1
    last = server.requests[-1].json()["message"]
    assert last["notification"]["title"] == "You have a reply from customer support"
    assert last["apns"]["payload"]["aps"]["badge"] == 2


def test_an_unregistered_fcm_token_is_deleted_and_the_reply_goes_by_email(
    fcm: tuple[Recorder, rsa.RSAPrivateKey], app: App, client_for: Client, agent_replies: Any
) -> None:
    from examples.app_client import sign_user

    client = client_for(
        "user-42",
        email="minji@example.com",
        email_signature=sign_user(secret_of(app), "minji@example.com"),
    )
    created = client.create_inquiry("문의")
    client.register_push_token("fcm", "dead-token")
    message = agent_replies(created["id"])
    assert not PushToken.objects.exists()
    assert message.delivery_state == "sent"
    assert [m.to for m in mail.outbox] == [["minji@example.com"]]


def test_a_temporary_fcm_failure_is_retried_later(
    fcm: tuple[Recorder, rsa.RSAPrivateKey], minji: AppClient, agent_replies: Any
) -> None:
    created = minji.create_inquiry("문의")
    minji.register_push_token("fcm", "busy-token")
    message = agent_replies(created["id"])
    assert message.delivery_state == "queued" and "503" in message.delivery_error
    assert PushToken.objects.count() == 1


def test_without_token_or_email_the_delivery_fails_with_a_reason(
    minji: AppClient, agent_replies: Any
) -> None:
    created = minji.create_inquiry("문의")
    message = agent_replies(created["id"])
    assert message.delivery_state == "failed"
    assert "no email address" in message.delivery_error


def test_apns_push_goes_over_http2_with_an_es256_provider_token(
    apns: tuple[Recorder, ec.EllipticCurvePrivateKey], minji: AppClient, agent_replies: Any
) -> None:
    server, key = apns
    created = minji.create_inquiry("문의")
    device = "a1" * 32
    minji.register_push_token("apns", device, locale="ko")
    message = agent_replies(created["id"])
    assert message.delivery_state == "sent"
    (call,) = server.requests
    assert call.http_version == "2"
    assert call.path == f"/3/device/{device}"
    assert call.headers["apns-topic"] == "com.example.shop"
    assert call.headers["apns-push-type"] == "alert"
    assert call.headers["apns-priority"] == "10"
    scheme, token = call.headers["authorization"].split(" ")
    assert scheme == "bearer"
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": "ABC123DEFG", "typ": "JWT"}
    claims = jwt.decode(token, key.public_key(), algorithms=["ES256"])
    assert claims["iss"] == "DEF123GHIJ" and isinstance(claims["iat"], int)
    body = call.json()
    assert body["aps"]["alert"]["title"] == "고객센터 답변이 도착했어요"
    assert body["aps"]["badge"] == 1
    assert body["inquiry_id"] == str(created["id"])


def test_an_apns_410_deletes_the_token(
    apns: tuple[Recorder, ec.EllipticCurvePrivateKey], minji: AppClient, agent_replies: Any
) -> None:
    created = minji.create_inquiry("문의")
    minji.register_push_token("apns", "dead" + "0" * 60)
    message = agent_replies(created["id"])
    assert not PushToken.objects.exists()
    assert message.delivery_state == "failed"


def test_web_push_is_encrypted_for_the_browser_and_signed_with_vapid(
    app: App, minji: AppClient, agent_replies: Any, settings: Any
) -> None:
    settings.APP_PUSH_ALLOW_HTTP = True
    settings.NETGUARD_ALLOW_LOCAL = True  # the push service is a local test server
    vapid = Vapid()
    vapid.generate_keys()
    vapid_pem = vapid.private_pem().decode()
    services.set_push_credentials(
        app=app, vapid={"private_key": vapid_pem, "subject": "mailto:help@example.com"}
    )
    browser_key = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    public = browser_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    with webpush_server() as server:
        subscription = {
            "endpoint": f"{server.base_url}/push/sub-1",
            "keys": {"p256dh": _b64(public), "auth": _b64(auth)},
        }
        created = minji.create_inquiry("문의")
        minji.register_push_token("webpush", subscription=subscription, locale="ko")
        message = agent_replies(created["id"])
    assert message.delivery_state == "sent"
    (call,) = server.requests
    assert call.path == "/push/sub-1"
    assert call.headers["content-encoding"] == "aes128gcm"
    assert int(call.headers["ttl"]) > 0
    auth_header = call.headers["authorization"]
    assert auth_header.startswith("vapid t=")
    token = auth_header.split("t=", 1)[1].split(",")[0]
    claims = jwt.decode(token, vapid.public_key, algorithms=["ES256"], audience=server.base_url)
    assert claims["sub"] == "mailto:help@example.com"
    plain = http_ece.decrypt(
        call.body, private_key=browser_key, auth_secret=auth, version="aes128gcm"
    )
    payload = json.loads(plain)
    assert payload["title"] == "고객센터 답변이 도착했어요"
    assert payload["data"]["inquiry_id"] == str(created["id"])
    assert payload["badge"] == 1


def test_a_gone_web_push_subscription_is_deleted(
    app: App, minji: AppClient, agent_replies: Any, settings: Any
) -> None:
    settings.APP_PUSH_ALLOW_HTTP = True
    settings.NETGUARD_ALLOW_LOCAL = True  # the push service is a local test server
    vapid = Vapid()
    vapid.generate_keys()
    services.set_push_credentials(
        app=app,
        vapid={"private_key": vapid.private_pem().decode(), "subject": "mailto:h@example.com"},
    )
    browser_key = ec.generate_private_key(ec.SECP256R1())
    public = browser_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    with webpush_server() as server:
        subscription = {
            "endpoint": f"{server.base_url}/push/dead-1",
            "keys": {"p256dh": _b64(public), "auth": _b64(os.urandom(16))},
        }
        created = minji.create_inquiry("문의")
        minji.register_push_token("webpush", subscription=subscription)
        agent_replies(created["id"])
    assert not PushToken.objects.exists()
