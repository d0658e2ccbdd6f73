"""Bounces of every shape never open a ticket: they fail the mail they name, or go to
the admins' bounce log.

tests/email/bounces/ holds bounces as real mail servers write them (written by
``python -m tests.email.corpus_make.bounce_formats``); index.json says, per file, whether
it came with the null sender, which of our mails it names and whether it is final.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sangdam.connectors.email.models import HeldMail
from sangdam.connectors.email.parse import process_email
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import DeliveryState, Message, Ticket
from tests import factories

pytestmark = pytest.mark.django_db
BOUNCES = Path(__file__).parent / "bounces"
INDEX: dict[str, dict[str, Any]] = json.loads((BOUNCES / "index.json").read_text("utf-8"))


@pytest.fixture
def channel() -> Channel:
    return factories.make_channel("email", address="support@example.com")


def our_mail(channel: Channel, message_id: str) -> Message:
    """An agent's reply that left with ``message_id``."""
    ticket = factories.customer_writes(channel, sender=("email", "nobody@customer.example")).ticket
    reply = actions.do_reply(
        ticket=ticket, actor=Actor.agent(factories.make_agent()), text="환불은 3일 안에 됩니다."
    )
    actions.do_record_delivery(message=reply, state=DeliveryState.SENT, external_id=message_id)
    return reply


def deliver(channel: Channel, name: str) -> str:
    spec = INDEX[name]
    # The SMTP receiver passes "<>" for MAIL FROM:<>; IMAP knows no envelope ("") and
    # sees Return-Path: <> in the headers instead.
    envelope = "<>" if spec["envelope_null"] and "Return-Path: <>" not in _head(name) else ""
    return process_email(
        (BOUNCES / name).read_bytes(), channel_id=channel.pk, envelope_from=envelope
    )


def _head(name: str) -> str:
    return (BOUNCES / name).read_bytes().partition(b"\r\n\r\n")[0].decode("utf-8", "replace")


def test_the_bounce_corpus_holds_fifty_servers_formats():
    assert len(INDEX) >= 50
    assert {p.name for p in BOUNCES.glob("*.eml")} == set(INDEX)


@pytest.mark.parametrize("name", sorted(INDEX))
def test_a_bounce_never_opens_a_ticket(channel: Channel, name: str):
    spec = INDEX[name]
    reply = our_mail(channel, spec["original"]) if spec["original"] else None
    tickets_before = Ticket.objects.count()

    outcome = deliver(channel, name)

    assert Ticket.objects.count() == tickets_before, outcome
    if reply is None:
        # Nothing of ours to fail: the admins' bounce log keeps it, never the inbox.
        assert outcome == "held: bounce", outcome
        assert HeldMail.objects.get().reason == "bounce"
        return
    reply.refresh_from_db()
    if spec["permanent"]:
        assert outcome == "bounce", outcome
        assert reply.delivery_state == DeliveryState.FAILED
        assert reply.delivery_error.startswith("bounced")
    else:
        # "Still trying": nothing has failed yet.
        assert outcome == "bounce: delayed", outcome
        assert reply.delivery_state == DeliveryState.SENT


def test_the_failure_and_its_reason_are_on_the_ticket(channel: Channel, agent_client):
    reply = our_mail(channel, "<sd-out-1@example.com>")

    deliver(channel, "postfix_dsn_message.eml")

    event = reply.ticket.events.filter(kind="delivery_failed").get()
    assert "5.1.1" in event.data["error"]
    page = agent_client.get(f"/tickets/{reply.ticket_id}/").content.decode()
    assert "5.1.1" in page
