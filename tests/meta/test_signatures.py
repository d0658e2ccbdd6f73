"""X-Hub-Signature-256: HMAC-SHA256 of the raw body with the app secret."""

from __future__ import annotations

import json

import pytest

from sangdam.connectors.facebook import fake as meta_fake
from sangdam.connectors.models import InboundEvent
from sangdam.tickets.models import Message
from tests.meta.conftest import fixture, post_hook

pytestmark = pytest.mark.django_db


def test_a_correctly_signed_event_is_acknowledged_and_stored(messenger, graph):
    response = post_hook(messenger, fixture(graph, "text"))

    assert response.status_code == 200
    assert InboundEvent.objects.filter(channel=messenger).count() == 1


def test_a_missing_signature_is_refused_and_nothing_is_stored(messenger, graph):
    response = post_hook(messenger, fixture(graph, "text"), signature=None)

    assert response.status_code == 401
    assert not InboundEvent.objects.exists()


def test_a_forged_signature_is_refused_and_nothing_is_stored(messenger, graph):
    response = post_hook(messenger, fixture(graph, "text"), signature="sha256=" + "0" * 64)

    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_a_body_signed_with_another_secret_is_refused(messenger, graph):
    body = json.dumps(fixture(graph, "text")).encode()

    response = post_hook(messenger, body, signature=meta_fake.sign("not-the-app-secret", body))

    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_a_signature_replayed_onto_another_body_is_refused(messenger, graph):
    genuine = json.dumps(fixture(graph, "text")).encode()
    tampered = genuine.replace(b'"mid": "m_AG5', b'"mid": "m_XX5')
    assert tampered != genuine

    response = post_hook(
        messenger, tampered, signature=meta_fake.sign(meta_fake.APP_SECRET, genuine)
    )

    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_a_replayed_delivery_of_the_same_body_is_stored_once(messenger, graph, run_tasks):
    body = json.dumps(fixture(graph, "text")).encode()

    first = post_hook(messenger, body)
    again = post_hook(messenger, body)
    run_tasks()

    assert (first.status_code, again.status_code) == (200, 200)
    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 1


def test_the_sha1_header_alone_is_not_enough(messenger, graph):
    body = json.dumps(fixture(graph, "text")).encode()

    response = post_hook(
        messenger, body, signature="sha1=" + meta_fake.sign(meta_fake.APP_SECRET, body)[7:47]
    )

    assert response.status_code == 403
    assert not InboundEvent.objects.exists()
