"""A call comes in: the agent's console pops up the caller, ready to log the call."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
from playwright.sync_api import expect

from sangdam.connectors.phone.fake import new_sid, signature
from sangdam.core.demo import ADMIN_EMAIL, DEMO_TWILIO_TOKEN
from tests.e2e.test_agent_flow import log_in, shot


def test_an_incoming_call_pops_up_the_caller_for_the_agent(browser: Any, server: str) -> None:
    page = log_in(browser, server, ADMIN_EMAIL, viewport={"width": 1280, "height": 800})
    page.goto(f"{server}/admin/channels/")
    page.locator("tr.channel-row a", has_text="고객센터 전화").click()
    hook = page.locator("#webhook-url").inner_text().strip()
    page.goto(f"{server}/")
    expect(page.locator("body")).to_have_attribute("data-live-state", "open")

    params = {
        "CallSid": new_sid("CA"),
        "AccountSid": "AC" + "0" * 32,
        "From": "+821044445555",
        "To": "+8215880000",
        "CallStatus": "ringing",
        "Direction": "inbound",
    }
    answer = httpx.post(
        hook,
        content=urlencode(params),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature(DEMO_TWILIO_TOKEN, hook, params),
        },
    )
    assert answer.status_code == 200
    assert b"<Response>" in answer.content

    pop = page.locator("#screen-pop")
    expect(pop).to_be_visible(timeout=15000)
    expect(pop).to_contain_text("+821044445555")
    shot(page, "phone-screen-pop")
    pop.locator('a[href^="/calls/"]').click()
    expect(page.locator("#log-number")).to_have_value("+821044445555")
