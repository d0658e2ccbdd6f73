"""A customer's inquiry from the homepage, in a real browser against the real server.

Korean customer, phone and desktop: contact page → form with a PNG screenshot → reference
→ confirmation email (received over SMTP by a real aiosmtpd receiver the test starts) → magic link → the
agent's reply (made through the REST API) → the customer replies → the agent sees it.
axe-core checks the contact, form and status pages for serious or critical violations.
"""

from __future__ import annotations

import re
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.e2e.conftest import SERVER_STATE, api_auth
from tests.e2e.test_agent_flow import shot

# The page's layout and wiring in the browser: the SQLite pass only (scripts/test.sh). What
# the server stores on these paths is tested in-process on both databases.
pytestmark = pytest.mark.once

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}


def assert_accessible(page: Page) -> None:
    # Evaluated through the DevTools protocol: an injected <script> would be (rightly) refused
    # by the page's Content-Security-Policy.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in bad
    ]


def mails_to(address: str, containing: str = "", timeout: float = 20) -> list[EmailMessage]:
    """Mail the server sent to ``address`` (containing a text), as the test's SMTP receiver
    got it; waits for the worker to deliver it."""
    sink = SERVER_STATE["mail"]
    deadline = time.monotonic() + timeout
    while True:
        found = [
            mail
            for _, rcpts, mail in list(sink.received)
            if address in rcpts and containing in body_of(mail)
        ]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_korean_customer_writes_gets_a_reply_and_answers_it(
    browser: Any, server: str, device: str
) -> None:
    context = browser.new_context(locale="ko-KR", **VIEWPORTS[device])
    page: Page = context.new_page()
    suffix = "" if device == "desktop" else "-phone"
    address = f"minji.{uuid.uuid4().hex[:8]}@example.net"

    page.goto(f"{server}/contact")
    expect(page.get_by_role("heading", name="문의하기", level=1)).to_be_visible()
    expect(page.locator(".channel-phone .open-state")).to_be_visible()
    assert_accessible(page)
    shot(page, f"portal-contact{suffix}")

    page.get_by_role("link", name="문의 작성").first.click()
    expect(page.locator("#inquiry-form")).to_be_visible()
    screenshot_png = page.screenshot()
    page.fill("#id_name", "김민지")
    page.fill("#id_email", address)
    page.fill("#id_phone", "010-1234-5678")
    page.select_option("#id_topic", "bug-report")
    page.fill("#id_subject", "결제 화면에서 버튼이 눌리지 않아요")
    page.fill(
        "#id_description",
        "아이폰 15에서 결제하기 버튼을 눌러도 반응이 없습니다. 화면을 첨부합니다.",
    )
    page.set_input_files(
        "#id_attachments",
        files=[FilePayload(name="화면.png", mimeType="image/png", buffer=screenshot_png)],
    )
    page.check("#id_consent")
    assert_accessible(page)
    shot(page, f"portal-form{suffix}")
    page.click("#inquiry-form button[type=submit]")

    reference_box = page.locator("#reference")
    expect(reference_box).to_be_visible(timeout=15_000)
    reference = reference_box.inner_text().strip()
    assert re.fullmatch(r"[A-Z]+-\d+", reference)
    shot(page, f"portal-thanks{suffix}")

    (confirmation,) = mails_to(address)
    assert reference in str(confirmation["Subject"])
    link = re.search(r"/s/[^\s]+/", body_of(confirmation))
    assert link, body_of(confirmation)

    agent_text = f"확인해 보니 앱 버그였습니다. 오늘 업데이트로 고쳤습니다. {uuid.uuid4().hex[:6]}"
    answered = httpx.post(
        f"{server}/api/v1/tickets/{reference}/messages",
        headers=api_auth(),
        json={"text": agent_text},
        timeout=10,
    )
    assert answered.status_code == 201, answered.text

    page.goto(server + link.group(0))
    expect(page.locator("#thread .message-out", has_text=agent_text)).to_be_visible()
    expect(page.locator("#thread .message-in a", has_text="화면.png")).to_be_visible()
    assert_accessible(page)
    shot(page, f"portal-status{suffix}")

    customer_text = f"업데이트 후 잘 됩니다. 감사합니다! {uuid.uuid4().hex[:6]}"
    page.fill("#reply-form textarea[name=text]", customer_text)
    page.click("#reply-form button[type=submit]")
    expect(page.locator("#thread .message-in", has_text=customer_text)).to_be_visible()

    seen = httpx.get(
        f"{server}/api/v1/tickets/{reference}/messages",
        headers=api_auth(),
        timeout=10,
    ).json()
    assert customer_text in [m["text"] for m in seen["items"]]

    # The agent's reply reached the customer by email too, with a link to the same page.
    reply_mails = mails_to(address, containing=agent_text)
    assert reply_mails and "/s/" in body_of(reply_mails[0])
    context.close()


def test_a_forged_link_gets_a_clear_page_offering_a_new_one(browser: Any, server: str) -> None:
    page: Page = browser.new_context(locale="en-US").new_page()
    response = page.goto(f"{server}/s/not-a-real-link/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("link", name="Email me a new link")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Email me a new link").click()
    expect(page.get_by_label("Reference number")).to_be_visible()
    assert_accessible(page)


def test_chosen_files_stay_chosen_after_an_error(browser: Any, server: str) -> None:
    page: Page = browser.new_context(locale="ko-KR", **VIEWPORTS["phone"]).new_page()
    page.goto(f"{server}/contact/new?topic=payment-refund")
    page.fill("#id_name", "김민지")
    page.fill("#id_email", f"minji.{uuid.uuid4().hex[:8]}@example.net")
    page.fill("#id_subject", "환불 요청")
    page.fill("#id_description", "중복 결제된 건 환불 부탁드립니다.")
    page.set_input_files(
        "#id_attachments",
        files=[FilePayload(name="영수증.png", mimeType="image/png", buffer=page.screenshot())],
    )
    # The refund topic asks for an order number (demo data); consent is not ticked either.
    expect(page.get_by_label("주문 번호")).to_be_visible()
    page.click("#inquiry-form button[type=submit]")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#id_consent[aria-invalid=true]")).to_be_attached()
    assert page.eval_on_selector("#id_attachments", "input => input.files.length") == 1
    assert page.input_value("#id_subject") == "환불 요청"

    page.get_by_label("주문 번호").fill("A-1001")
    page.check("#id_consent")
    page.click("#inquiry-form button[type=submit]")
    expect(page.locator("#reference")).to_be_visible(timeout=15_000)
