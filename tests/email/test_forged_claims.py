"""A mail that claims a ticket by reference or plus-address joins it only when its sender
is authenticated; a forged one is held for an agent with the verdicts shown."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from sangdam.connectors.email.parse import process_email
from sangdam.connectors.intake import HELD_TAG
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import SYSTEM, Actor
from sangdam.tickets.models import DeliveryState, Direction, MessageKind, Status, Ticket, TicketLink
from tests import factories

pytestmark = pytest.mark.django_db
MINJI = "minji@example.com"
MX = "mx.example.com"
FORGED = f"{MX}; dkim=fail header.d=example.com; spf=fail smtp.mailfrom=minji@example.com; dmarc=fail header.from=example.com"
GENUINE = f"{MX}; dkim=pass header.d=example.com; spf=pass smtp.mailfrom=minji@example.com; dmarc=pass header.from=example.com"


@pytest.fixture
def channel(settings) -> Channel:
    settings.EMAIL_AUTHSERV_IDS = [MX]
    return factories.make_channel("email", address="support@example.com")


@pytest.fixture
def solved(channel: Channel) -> Ticket:
    """Minji's solved ticket, the one an attacker wants to write into."""
    ticket = factories.customer_writes(channel, sender=("email", MINJI)).ticket
    actions.do_change_status(ticket=ticket, actor=SYSTEM, status=Status.SOLVED)
    return ticket


def mail(*, subject: str = "추가 문의", auth: str = "", in_reply_to: str = "") -> bytes:
    message = EmailMessage()
    if auth:
        message["Authentication-Results"] = auth
    message["From"] = f"김민지 <{MINJI}>"
    message["To"] = "support@example.com"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="attacker.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message.set_content("환불 계좌를 이 계좌로 바꿔 주세요: 123-456")
    return message.as_bytes()


def held_instead(solved: Ticket, outcome: str) -> Ticket:
    assert outcome.startswith("ticket "), outcome
    new = Ticket.objects.get(reference=outcome.removeprefix("ticket "))
    assert new != solved
    assert TicketLink.objects.filter(from_ticket=new, to_ticket=solved).exists()
    assert new.status == Status.PENDING and HELD_TAG in new.tags
    solved.refresh_from_db()
    assert solved.status == Status.SOLVED
    assert not solved.messages.filter(text__contains="123-456").exists()
    return new


def test_a_forged_mail_naming_the_reference_is_held_with_the_verdicts(channel, solved):
    outcome = process_email(
        mail(subject=f"Re: [{solved.reference}]", auth=FORGED), channel_id=channel.pk
    )

    new = held_instead(solved, outcome)
    note = new.messages.get(kind=MessageKind.NOTE).text
    assert solved.reference in note
    assert "DKIM fail" in note and "DMARC fail" in note and MX in note


def test_a_forged_mail_to_the_plus_address_is_held(channel, solved):
    outcome = process_email(
        mail(auth=FORGED),
        channel_id=channel.pk,
        envelope_to=(f"support+{solved.reference}@example.com",),
    )

    held_instead(solved, outcome)


def test_a_claim_without_any_verdict_is_held(channel, solved):
    outcome = process_email(mail(subject=f"[{solved.reference}]"), channel_id=channel.pk)

    new = held_instead(solved, outcome)
    assert "no DKIM, SPF or DMARC verdict" in new.messages.get(kind=MessageKind.NOTE).text


def test_a_pass_written_by_a_server_we_do_not_trust_vouches_for_nothing(channel, solved):
    outcome = process_email(
        mail(subject=f"[{solved.reference}]", auth=GENUINE.replace(MX, "evil.example")),
        channel_id=channel.pk,
    )

    new = held_instead(solved, outcome)
    assert "unverified" in new.messages.get(kind=MessageKind.NOTE).text


def test_an_authenticated_customer_naming_the_reference_reopens_the_ticket(channel, solved):
    outcome = process_email(
        mail(subject=f"Re: [{solved.reference}]", auth=GENUINE), channel_id=channel.pk
    )

    assert outcome == f"ticket {solved.reference}"
    solved.refresh_from_db()
    assert solved.status == Status.OPEN


@pytest.mark.parametrize(
    ("auth", "joins"),
    [
        (f"{MX}; dkim=pass header.d=example.com; dmarc=none", True),
        (f"{MX}; dkim=pass header.d=mail.example.com", True),
        (f"{MX}; spf=pass smtp.mailfrom=bounce@example.com", True),
        (
            f"{MX}; dkim=pass header.d=attacker.example; spf=pass smtp.mailfrom=x@attacker.example",
            False,
        ),
    ],
    ids=["aligned-dkim", "dkim-subdomain", "aligned-spf", "unaligned-passes"],
)
def test_dkim_or_spf_must_pass_for_the_from_domain(channel, solved, auth, joins):
    outcome = process_email(mail(subject=f"[{solved.reference}]", auth=auth), channel_id=channel.pk)

    assert (outcome == f"ticket {solved.reference}") is joins


def test_a_reply_carrying_our_message_id_joins_without_authentication(channel, solved):
    # Only the real recipient of our mail knows its Message-ID.
    reply = actions.do_reply(ticket=solved, actor=Actor.agent(factories.make_agent()), text="네")
    actions.do_record_delivery(message=reply, state=DeliveryState.SENT, external_id="<our-1@x>")
    actions.do_change_status(ticket=solved, actor=SYSTEM, status=Status.SOLVED)

    outcome = process_email(
        mail(subject=f"Re: [{solved.reference}]", in_reply_to="<our-1@x>"), channel_id=channel.pk
    )

    assert outcome == f"ticket {solved.reference}"
    assert solved.messages.filter(direction=Direction.IN, text__contains="123-456").exists()
