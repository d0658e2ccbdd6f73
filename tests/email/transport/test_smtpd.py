"""The SMTP receiver over a real socket: what a sending mail server sees, and what is stored."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable
from typing import Any

import pytest

from sangdam.connectors.email.smtpd import (
    SmtpReceiver,
    channel_for_recipient,
    known_channel_for_recipient,
)
from sangdam.connectors.models import Channel
from sangdam.tickets.models import Message, Ticket
from tests import factories
from tests.email.transport.mails import customer_mail

pytestmark = pytest.mark.django_db(transaction=True)

Start = Callable[..., SmtpReceiver]


def connect(receiver: SmtpReceiver) -> smtplib.SMTP:
    client = smtplib.SMTP(receiver.host, receiver.port, timeout=30)
    client.ehlo("mx.mail.example")
    return client


def test_the_ticket_exists_when_the_sender_gets_250(email_channel: Channel, smtp_receiver: Start):
    receiver = smtp_receiver()
    with connect(receiver) as client:
        client.mail("minji@example.com")
        assert client.rcpt("support@example.com")[0] == 250
        code, _ = client.data(customer_mail())

        # Checked before anything else happens: the 250 came after the commit.
        assert code == 250
        assert Ticket.objects.filter(channel=email_channel).count() == 1

    message = Message.objects.get()
    assert message.ticket.customer.identities.filter(value="minji@example.com").exists()


def test_it_accepts_plus_addressed_mail_for_the_channel(
    email_channel: Channel, smtp_receiver: Start
):
    receiver = smtp_receiver()
    with connect(receiver) as client:
        refused = client.sendmail(
            "minji@example.com",
            ["Support+SD-100001@Example.com"],
            customer_mail(to="support+SD-100001@example.com"),
        )

    assert refused == {}
    assert Ticket.objects.count() == 1


def test_it_refuses_unknown_recipients_with_550(email_channel: Channel, smtp_receiver: Start):
    receiver = smtp_receiver()
    with connect(receiver) as client:
        client.mail("minji@example.com")
        code, reply = client.rcpt("sales@example.com")

    assert code == 550
    assert b"no such mailbox" in reply
    assert Ticket.objects.count() == 0


def test_mail_for_a_channel_another_process_just_added_is_accepted(
    email_channel: Channel, smtp_receiver: Start
):
    receiver = smtp_receiver()
    with connect(receiver) as client:  # the receiver now keeps the channels it knows
        client.mail("minji@example.com")
        assert client.rcpt("support@example.com")[0] == 250
    # Added as another process would: no save signal reaches this process's memo.
    Channel.objects.bulk_create([Channel(kind="email", name="Sales", address="sales@example.com")])

    with connect(receiver) as client:
        assert client.sendmail("minji@example.com", ["sales@example.com"], customer_mail()) == {}

    assert Ticket.objects.get().channel.address == "sales@example.com"


def test_rcpt_for_an_address_it_knows_is_answered_without_the_database(
    email_channel: Channel, django_assert_num_queries: Callable[..., Any]
):
    assert known_channel_for_recipient("support@example.com") is None  # nothing kept yet
    assert channel_for_recipient("support@example.com") == email_channel.pk
    with django_assert_num_queries(0):
        assert known_channel_for_recipient("Support+SD-100001@Example.com") == email_channel.pk
        # Not known: the receiver asks the database (a channel added elsewhere).
        assert known_channel_for_recipient("sales@example.com") is None


def test_it_refuses_mail_for_a_disabled_channel(db: None, smtp_receiver: Start):
    factories.make_channel("email", enabled=False)
    receiver = smtp_receiver()
    with connect(receiver) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        client.sendmail("minji@example.com", ["support@example.com"], customer_mail())

    assert refused.value.recipients["support@example.com"][0] == 550


def test_it_refuses_oversized_mail_with_552(email_channel: Channel, smtp_receiver: Start):
    receiver = smtp_receiver(max_bytes=20_000)
    with connect(receiver) as client:
        # A client that does not announce the size is stopped while it sends the data.
        client.mail("minji@example.com")
        client.rcpt("support@example.com")
        code, _ = client.data(customer_mail(padding=40_000))

    assert code == 552
    assert Ticket.objects.count() == 0


def test_it_refuses_an_announced_oversize_at_mail_from(
    email_channel: Channel, smtp_receiver: Start
):
    receiver = smtp_receiver(max_bytes=20_000)
    with connect(receiver) as client:
        assert client.has_extn("size")
        code, _ = client.mail("minji@example.com", ["SIZE=40000"])

    assert code == 552


def test_mail_for_two_recipients_of_one_channel_is_one_ticket(
    email_channel: Channel, smtp_receiver: Start
):
    receiver = smtp_receiver()
    with connect(receiver) as client:
        client.sendmail(
            "minji@example.com",
            ["support@example.com", "support+billing@example.com"],
            customer_mail(),
        )

    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1


def test_the_same_mail_sent_twice_is_stored_once(email_channel: Channel, smtp_receiver: Start):
    receiver = smtp_receiver()
    raw = customer_mail(message_id="<twice@mail.example>")
    for _ in range(2):
        with connect(receiver) as client:
            assert client.sendmail("minji@example.com", ["support@example.com"], raw) == {}

    assert Message.objects.count() == 1


def test_mail_for_a_channel_disabled_during_the_dialogue_is_refused_not_dropped(
    email_channel: Channel, smtp_receiver: Start
):
    receiver = smtp_receiver()
    with connect(receiver) as client:
        client.mail("minji@example.com")
        assert client.rcpt("support@example.com")[0] == 250
        Channel.objects.filter(pk=email_channel.pk).update(enabled=False)
        code, _ = client.data(customer_mail())

    assert code == 550
    assert Ticket.objects.count() == 0


def test_a_mail_with_lines_over_998_characters_is_accepted(
    email_channel: Channel, smtp_receiver: Start
):
    # Clients that do not wrap send a whole paragraph (or an HTML body) as one line.
    paragraph = "환불 요청드립니다 " * 700  # about 7,000 characters, 16 KB in UTF-8
    raw = (
        b"From: Minji Kim <minji@example.com>\r\nTo: support@example.com\r\n"
        b"Subject: long line\r\nMessage-ID: <long-line@mail.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + paragraph.encode()
        + b"\r\n"
    )
    receiver = smtp_receiver()
    with connect(receiver) as client:
        client.mail("minji@example.com")
        client.rcpt("support@example.com")
        code, _ = client.data(raw)

    assert code == 250
    assert Message.objects.get().text == paragraph.strip()


def test_a_long_line_still_counts_against_the_message_size_limit(
    email_channel: Channel, smtp_receiver: Start
):
    receiver = smtp_receiver(max_bytes=20_000)
    with connect(receiver) as client:
        client.mail("minji@example.com")
        client.rcpt("support@example.com")
        code, _ = client.data(customer_mail(text="x" * 30_000))

    assert code == 552
    assert Ticket.objects.count() == 0


def test_a_thousand_recipient_session_is_capped(
    email_channel: Channel, smtp_receiver: Start, settings
):
    settings.EMAIL_MAX_RECIPIENTS = 50
    receiver = smtp_receiver()
    with connect(receiver) as client:
        client.mail("minji@example.com")
        codes = [client.rcpt(f"support+{n}@example.com")[0] for n in range(1000)]
        data_code, _ = client.data(customer_mail())

    assert codes.count(250) == 50
    assert set(codes[50:]) == {452}
    assert data_code == 250
    assert Message.objects.count() == 1


def test_a_sender_over_the_hourly_limit_is_told_to_retry_before_anything_is_kept(
    email_channel: Channel, smtp_receiver: Start, settings
):
    from django.core.cache import cache

    cache.clear()
    settings.EMAIL_SENDER_RATE_LIMIT = 2
    receiver = smtp_receiver()
    codes = []
    for _ in range(3):
        with connect(receiver) as client:
            client.mail("storm@robot.example")
            client.rcpt("support@example.com")
            codes.append(client.data(customer_mail(sender="storm@robot.example"))[0])

    # 451, never 250-and-drop: the sending server keeps the third mail and retries.
    assert codes == [250, 250, 451]
    assert Message.objects.count() == 2
    cache.clear()  # the hour has passed
    with connect(receiver) as client:
        client.mail("storm@robot.example")
        client.rcpt("support@example.com")
        assert client.data(customer_mail(sender="storm@robot.example"))[0] == 250
    assert Message.objects.count() == 3


def test_bounces_sent_with_the_null_sender_are_accepted_and_open_no_ticket(
    email_channel: Channel, smtp_receiver: Start
):
    from pathlib import Path

    from sangdam.connectors.email.models import HeldMail

    bounces = Path(__file__).parent.parent / "bounces"
    receiver = smtp_receiver()
    names = ["qmail_no_copy.eml", "groupwise.eml", "dsn_unknown_original.eml", "aol_old.eml"]
    for name in names:
        with connect(receiver) as client:
            client.mail("<>")
            client.rcpt("support@example.com")
            assert client.data((bounces / name).read_bytes())[0] == 250

    assert Ticket.objects.count() == 0
    assert HeldMail.objects.filter(reason="bounce").count() == len(names)


def test_a_second_large_mail_waits_while_one_is_taken_in(
    email_channel: Channel, smtp_receiver: Start
):
    receiver = smtp_receiver(large_mail_budget=3_000_000)
    with connect(receiver) as first, connect(receiver) as second:
        assert first.mail("minji@example.com", ["SIZE=2000000"])[0] == 250
        # Both would hold 4 MB: the second sender is told to try again later.
        assert second.mail("jun@example.com", ["SIZE=2000000"])[0] == 452
        # A small mail is never held back.
        assert second.mail("jun@example.com", ["SIZE=5000"])[0] == 250
        second.rset()

        first.rcpt("support@example.com")
        assert first.data(customer_mail(message_id="<large-1@example.com>"))[0] == 250

        assert second.mail("jun@example.com", ["SIZE=2000000"])[0] == 250
        second.rcpt("support@example.com")
        mail = customer_mail(sender="jun@example.com", message_id="<large-2@example.com>")
        assert second.data(mail)[0] == 250

    assert Ticket.objects.count() == 2


def test_a_large_mail_never_waits_when_it_is_the_only_one(
    email_channel: Channel, smtp_receiver: Start
):
    receiver = smtp_receiver(large_mail_budget=3_000_000)
    with connect(receiver) as client:
        assert client.mail("minji@example.com", ["SIZE=5000000"])[0] == 250


def test_a_sender_that_hangs_up_gives_its_place_back(email_channel: Channel, smtp_receiver: Start):
    receiver = smtp_receiver(large_mail_budget=3_000_000)
    gone = connect(receiver)
    assert gone.mail("minji@example.com", ["SIZE=2000000"])[0] == 250
    gone.close()

    with connect(receiver) as client:
        for _ in range(50):  # the receiver notices the closed connection in a moment
            if client.mail("jun@example.com", ["SIZE=2000000"])[0] == 250:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the large-mail budget was not given back")


def test_a_mail_refused_as_too_big_gives_its_place_back(
    email_channel: Channel, smtp_receiver: Start
):
    receiver = smtp_receiver(large_mail_budget=3_000_000, max_bytes=2_500_000)
    with connect(receiver) as liar, connect(receiver) as other:
        # Announced 2 MB, sent 2.6 MB: refused at the end of DATA, connection kept open.
        assert liar.mail("minji@example.com", ["SIZE=2000000"])[0] == 250
        liar.rcpt("support@example.com")
        assert liar.data(customer_mail(padding=2_600_000))[0] == 552

        assert other.mail("jun@example.com", ["SIZE=2000000"])[0] == 250
    assert Ticket.objects.count() == 0
