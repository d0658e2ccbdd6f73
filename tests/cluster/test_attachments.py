"""In scaled mode an attachment taken by one web process is downloadable through another."""

from __future__ import annotations

import re

import httpx

from sangdam.core.demo import ADMIN_EMAIL, DEMO_PASSWORD
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
