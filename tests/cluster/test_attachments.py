"""In scaled mode an attachment taken by one process is downloadable through another."""

from __future__ import annotations

import re
import smtplib
import time
from email.message import EmailMessage

import httpx

from sangdam.core.demo import ADMIN_EMAIL, CHANNELS, DEMO_PASSWORD
from tests.cluster.conftest import Cluster
from tests.cluster.test_scaled_mode import _session_cookie
from tests.portal.conftest import PNG


def _submit_form_with_a_screenshot(base: str) -> None:
    """The homepage form on ``base``, as a customer's browser sends it."""
    with httpx.Client(base_url=base, timeout=20) as client:
        page = client.get("/contact/new").text
        fields = {
            name: re.search(rf'name="{name}" value="([^"]+)"', page)
            for name in ("csrfmiddlewaretoken", "nonce")
        }
        response = client.post(
            "/contact/new",
            data={
                "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"][1],  # type: ignore[index]
                "nonce": fields["nonce"][1],  # type: ignore[index]
                "name": "Object Store",
                "email": "object.store@example.net",
                "topic": "other",
                "subject": "화면이 깨져요",
                "description": "스크린샷을 첨부합니다.",
                "consent": "on",
                "website": "",
            },
            files={"attachments": ("screen.png", PNG, "image/png")},
            headers={"Referer": f"{base}/contact/new"},
        )
        assert response.status_code == 302, response.text[:2000]


def test_an_attachment_sent_through_one_web_process_downloads_through_the_other(
    cluster: Cluster,
) -> None:
    web_a, web_b = cluster.webs
    _submit_form_with_a_screenshot(web_a)
    auth = (ADMIN_EMAIL, DEMO_PASSWORD)
    newest = httpx.get(
        f"{web_b}/api/v1/tickets", params={"channel": "webform"}, auth=auth, timeout=10
    ).json()["items"][0]
    assert newest["subject"] == "화면이 깨져요"
    ticket_id = newest["id"]
    messages = httpx.get(
        f"{web_b}/api/v1/tickets/{ticket_id}/messages", auth=auth, timeout=10
    ).json()["items"]
    (attachment,) = [a for m in messages for a in m["attachments"]]
    assert cluster.s3.keys(cluster.bucket), "the file is in the object store"

    download = httpx.get(
        f"{web_b}/attachments/{attachment['id']}/",
        headers={"Cookie": _session_cookie(web_b)},
        timeout=10,
    )

    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["Content-Disposition"] == 'attachment; filename="screen.png"'


def _newest_ticket(base: str, channel: str, subject: str) -> int:
    """The id of the newest ticket of ``channel`` once it carries ``subject`` (waits a little)."""
    deadline = time.monotonic() + 20
    while True:
        items = httpx.get(
            f"{base}/api/v1/tickets",
            params={"channel": channel},
            auth=(ADMIN_EMAIL, DEMO_PASSWORD),
            timeout=10,
        ).json()["items"]
        if items and items[0]["subject"] == subject:
            return int(items[0]["id"])
        assert time.monotonic() < deadline, f"no {channel} ticket {subject!r}"
        time.sleep(0.3)


def test_a_file_mailed_to_the_smtp_receiver_downloads_through_a_web_process(
    cluster: Cluster,
) -> None:
    mail = EmailMessage()
    mail["From"] = "Mail Sender <mail.sender@example.net>"
    mail["To"] = CHANNELS[0][2]
    mail["Subject"] = "영수증을 보냅니다"
    mail["Message-ID"] = "<cluster-attachment-1@example.net>"
    mail.set_content("영수증 사진을 첨부합니다.")
    mail.add_attachment(PNG, maintype="image", subtype="png", filename="receipt.png")
    with smtplib.SMTP("127.0.0.1", cluster.smtp_port, timeout=20) as smtp:
        smtp.send_message(mail)

    web_b = cluster.webs[1]
    ticket_id = _newest_ticket(web_b, "email", "영수증을 보냅니다")
    messages = httpx.get(
        f"{web_b}/api/v1/tickets/{ticket_id}/messages",
        auth=(ADMIN_EMAIL, DEMO_PASSWORD),
        timeout=10,
    ).json()["items"]
    (attachment,) = [a for m in messages for a in m["attachments"]]
    download = httpx.get(
        f"{web_b}/attachments/{attachment['id']}/",
        headers={"Cookie": _session_cookie(web_b)},
        timeout=10,
    )
    assert download.status_code == 200
    assert download.content == PNG
