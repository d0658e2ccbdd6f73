"""A Messenger customer writes, an agent answers in the console, Meta reports delivered/read."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from sangdam.connectors.facebook import fake as meta_fake
from sangdam.connectors.models import InboundEvent
from sangdam.connectors.webhooks.tasks import process_inbound_event
from sangdam.tickets.models import DeliveryState, Direction, Message, Ticket
from tests.meta.conftest import customer_writes, fixture, post_hook

PSID = "6874123409876543"


def _receipt(graph, name: str, **fields: object) -> dict:
    payload = fixture(graph, name)
    item = payload["entry"][0]["messaging"][0]
    for key, value in fields.items():
        item[name][key] = value
    return payload


@pytest.mark.django_db
def test_inbound_to_reply_to_delivered_and_read(messenger, graph, agent_client, run_tasks):
    graph.profiles[PSID] = {"first_name": "지민", "last_name": "박"}
    customer_writes(messenger, graph, "배송이 언제 되나요?")
    run_tasks()
    ticket = Ticket.objects.get()
    inbox = agent_client.get(reverse("console:inbox"))
    assert "배송이 언제 되나요?" in inbox.content.decode()

    response = agent_client.post(
        reverse("console:reply", args=[ticket.pk]),
        {"kind": "public", "text": "내일 도착 예정입니다.", "status": ""},
    )
    assert response.status_code in (200, 302)
    run_tasks()

    reply = Message.objects.get(direction=Direction.OUT)
    (call,) = graph.sends()
    assert call.json()["recipient"] == {"id": PSID}
    assert call.json()["message"] == {"text": "내일 도착 예정입니다."}
    assert reply.delivery_state == DeliveryState.SENT

    now_ms = int(time.time() * 1000) + 1000
    post_hook(messenger, _receipt(graph, "delivery", mids=[reply.external_id], watermark=now_ms))
    run_tasks()
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.DELIVERED

    post_hook(messenger, _receipt(graph, "read", watermark=now_ms + 1000))
    run_tasks()
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.READ

    page = agent_client.get(reverse("console:ticket", args=[ticket.pk])).content.decode()
    assert "내일 도착 예정입니다." in page


@pytest.mark.django_db
def test_the_echo_of_our_own_reply_is_not_taken_in_again(messenger, graph, agent, run_tasks):
    from sangdam.tickets import actions
    from sangdam.tickets.actor import Actor

    customer_writes(messenger, graph)
    run_tasks()
    reply = actions.do_reply(ticket=Ticket.objects.get(), actor=Actor.agent(agent), text="네")
    run_tasks()
    reply.refresh_from_db()
    echo = fixture(graph, "echo")
    echo["entry"][0]["messaging"][0]["message"]["mid"] = reply.external_id

    post_hook(messenger, echo)
    run_tasks()

    assert Message.objects.filter(direction=Direction.IN).count() == 1
    assert Message.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_storm_of_the_same_event_makes_one_message(messenger, graph):
    body = meta_fake.customer_event(graph, "같은 메시지 10번", sender=PSID, mid="m_storm")
    import json

    raw = json.dumps(body).encode()
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def post() -> None:
        try:
            barrier.wait()
            statuses.append(post_hook(messenger, raw, client=Client()).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 10
    assert InboundEvent.objects.count() == 1
    process_inbound_event.call(InboundEvent.objects.get().pk)
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_message_in_ten_deliveries_processed_at_once_is_taken_in_once(messenger, graph):
    # Meta may deliver the same message in different batches: ten events, one mid.
    events = []
    for n in range(10):
        body = meta_fake.customer_event(graph, "한 번만", sender=PSID, mid="m_same")
        body["entry"][0]["time"] += n
        assert post_hook(messenger, body).status_code == 200
    events = list(InboundEvent.objects.values_list("pk", flat=True))
    assert len(events) == 10
    barrier = threading.Barrier(10)
    errors: list[BaseException] = []

    def process(pk: int) -> None:
        try:
            barrier.wait()
            process_inbound_event.call(pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=process, args=(pk,)) for pk in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Message.objects.count() == 1
    assert Ticket.objects.count() == 1
