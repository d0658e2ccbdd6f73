"""A Web Push subscription cannot make the server call into its own network (SSRF).

The endpoint is chosen by whoever holds an app user's session; the server posts to it on
every agent reply. It is refused at registration and checked again before each send.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

from examples.app_client import AppApiError, AppClient
from sangdam.connectors.app import services
from sangdam.connectors.app.models import App, PushToken
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Message, Ticket
from tests import factories
from tests.security.servers import recording_server

pytestmark = pytest.mark.django_db


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _subscription(endpoint: str) -> dict[str, Any]:
    public = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {"endpoint": endpoint, "keys": {"p256dh": _b64(public), "auth": _b64(os.urandom(16))}}


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1:8443/push/1",
        "https://localhost/push/1",
        "https://[::1]/push/1",
        "https://[::ffff:127.0.0.1]/push/1",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/push/1",
        "https://192.168.0.1/push/1",
    ],
)
def test_registering_a_push_endpoint_inside_our_network_is_a_clear_400(
    minji: AppClient, endpoint: str
) -> None:
    with pytest.raises(AppApiError) as refused:
        minji.register_push_token("webpush", subscription=_subscription(endpoint))
    assert refused.value.status == 400
    assert refused.value.code == "push_endpoint_refused"
    assert not PushToken.objects.exists()


def test_a_stored_subscription_pointing_inward_is_not_posted_to_at_reply_time(
    app: App, minji: AppClient, run_tasks: Callable[[], None], settings: Any
) -> None:
    # Registered while local addresses were allowed (or a name that later resolves inward).
    settings.APP_PUSH_ALLOW_HTTP = True
    settings.NETGUARD_ALLOW_LOCAL = True
    vapid = Vapid()
    vapid.generate_keys()
    services.set_push_credentials(
        app=app, vapid={"private_key": vapid.private_pem().decode(), "subject": "mailto:h@x.kr"}
    )
    with recording_server() as inside:
        created = minji.create_inquiry("문의")
        minji.register_push_token("webpush", subscription=_subscription(inside.base_url + "/p"))
        settings.NETGUARD_ALLOW_LOCAL = False
        message = actions.do_reply(
            ticket=Ticket.objects.get(pk=created["id"]),
            actor=Actor.agent(factories.make_agent("Seoyeon")),
            text="답변드립니다.",
        )
        run_tasks()
    assert inside.paths == []
    assert not PushToken.objects.exists()
    message = Message.objects.get(pk=message.pk)
    assert message.delivery_state == "failed"
    assert "not a public internet address" in message.delivery_error
