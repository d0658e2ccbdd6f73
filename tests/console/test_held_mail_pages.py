"""The held-mail folder agents review, and the admins' bounce log."""

from __future__ import annotations

from pathlib import Path

from django.test import Client

from sangdam.connectors.email.models import HeldMail
from sangdam.connectors.email.parse import process_email
from sangdam.connectors.models import Channel
from sangdam.tickets.models import Ticket

BOUNCES = Path(__file__).parent.parent / "email" / "bounces"
SPAM = (
    b"From: Minji Kim <minji@example.com>\r\nTo: support@example.com\r\n"
    b"Subject: =?utf-8?B?7ZmY67aIIOusuOydmA==?=\r\nMessage-ID: <spam-1@example.com>\r\n"
    b"X-Spam-Flag: YES\r\nX-Spam-Status: Yes, score=7.2\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + "진짜 환불 문의입니다.".encode() + b"\r\n"
)


def test_an_agent_sees_spam_in_the_held_folder_not_the_inbox(
    agent_client: Client, email_channel: Channel
):
    process_email(SPAM, channel_id=email_channel.pk)

    folder = agent_client.get("/held/").content.decode()
    inbox = agent_client.get("/").content.decode()

    assert "환불 문의" in folder and "minji@example.com" in folder
    assert "환불 문의" not in inbox


def test_an_agent_reads_a_held_mail_and_releases_it_to_a_ticket(
    agent_client: Client, email_channel: Channel
):
    process_email(SPAM, channel_id=email_channel.pk)
    held = HeldMail.objects.get()

    page = agent_client.get(f"/held/{held.pk}/").content.decode()
    response = agent_client.post(f"/held/{held.pk}/release/")

    assert "진짜 환불 문의입니다." in page
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert "released" in agent_client.get("/held/?released=1").content.decode().lower()


def test_a_read_only_user_cannot_release_held_mail(readonly_client: Client, email_channel: Channel):
    process_email(SPAM, channel_id=email_channel.pk)
    held = HeldMail.objects.get()

    assert readonly_client.post(f"/held/{held.pk}/release/").status_code == 403
    assert not Ticket.objects.exists()


def test_admins_see_unmatched_bounces_in_the_bounce_log(
    boss_client: Client, agent_client: Client, email_channel: Channel
):
    process_email((BOUNCES / "dsn_unmatched.eml").read_bytes(), channel_id=email_channel.pk)

    log = boss_client.get("/admin/bounces/").content.decode()

    assert "Undelivered Mail Returned to Sender" in log
    assert agent_client.get("/admin/bounces/").status_code == 403
    held = HeldMail.objects.get()
    assert agent_client.get(f"/held/{held.pk}/").status_code == 403
    assert "Undelivered Mail" not in agent_client.get("/held/").content.decode()
