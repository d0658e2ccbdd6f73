"""A call comes in: the console of the agent it rings pops up the caller, ready to log the
call; a colleague the call does not ring sees nothing."""

from __future__ import annotations

import subprocess
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import Page, expect

from sangdam.connectors.phone.fake import new_sid, signature
from sangdam.core.demo import ADMIN_EMAIL, DEMO_TWILIO_TOKEN
from tests.e2e.conftest import ROOT, SANGDAM, SERVER_STATE
from tests.e2e.test_agent_flow import log_in, shot

# The page's layout and wiring in the browser: the SQLite pass only (scripts/test.sh). What
# the server stores on these paths is tested in-process on both databases.
pytestmark = pytest.mark.once

# The demo line keeps office hours; the test must not depend on the time it runs.
ALWAYS_OPEN = (
    "from sangdam.service.models import Schedule\n"
    "Schedule.objects.filter(channel__kind='phone').update("
    "week={str(d): [['00:00', '00:00']] for d in range(7)}, holiday_country='', closures=[])"
)


def _online(page: Page, server: str) -> None:
    page.goto(f"{server}/")
    page.locator("#presence-form button[value=online]").click()
    expect(page.locator("#presence-form button[value=online]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("body")).to_have_attribute("data-live-state", "open")


def _signed_post(url: str, params: dict[str, str]) -> httpx.Response:
    return httpx.post(
        url,
        content=urlencode(params),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature(DEMO_TWILIO_TOKEN, url, params),
        },
    )


def test_a_queued_call_pops_up_for_the_lines_team_and_not_for_others(
    browser: Any, server: str
) -> None:
    subprocess.run(
        [SANGDAM, "shell", "-c", ALWAYS_OPEN], env=SERVER_STATE["env"], cwd=ROOT, check=True
    )
    page = log_in(browser, server, ADMIN_EMAIL, viewport={"width": 1280, "height": 800})
    page.goto(f"{server}/admin/channels/")
    page.locator("tr.channel-row a", has_text="고객센터 전화").click()
    hook = page.locator("#webhook-url").inner_text().strip()
    _online(page, server)
    # 이민호 is in the billing team, not the line's customer care team.
    colleague = log_in(
        browser, server, "minho@example.com", viewport={"width": 1280, "height": 800}
    )
    _online(colleague, server)

    call = {
        "CallSid": new_sid("CA"),
        "AccountSid": "AC" + "0" * 32,
        "From": "+821044445555",
        "To": "+8215880000",
        "Direction": "inbound",
    }
    greeting = _signed_post(hook, {**call, "CallStatus": "ringing"})
    assert greeting.status_code == 200 and b"<Gather" in greeting.content
    menu = _signed_post(f"{hook}/menu?lang=ko", {**call, "Digits": "1"})
    assert b"<Enqueue" in menu.content

    pop = page.locator("#screen-pop")
    expect(pop).to_be_visible(timeout=15000)
    expect(pop).to_contain_text("+821044445555")
    shot(page, "phone-screen-pop")
    expect(colleague.locator("#screen-pop")).to_be_hidden()
    pop.locator('a[href^="/calls/"]').click()
    expect(page.locator("#log-number")).to_have_value("+821044445555")
