"""A production install by docs/setup.md (migrate, create an admin, run), in a real browser.

No demo data: the homepage form must take an inquiry as it is, and the first admin who logs
in is walked through the first-run page, after which the form offers the default topics.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, SANGDAM, _drop_postgres, _free_port, _fresh_postgres
from tests.e2e.test_agent_flow import shot
from tests.e2e.test_portal_flow import VIEWPORTS, assert_accessible

# A fresh install in the browser: the SQLite pass only (scripts/test.sh). The migrations run on
# PostgreSQL whenever the PostgreSQL pass creates its test database.
pytestmark = pytest.mark.once

ADMIN = "owner@hanbit.example"
PASSWORD = "a-long-first-admin-password"


@pytest.fixture(scope="module")
def fresh_install(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`sangdam migrate`, `sangdam createsuperuser`, `sangdam run`: nothing else."""
    var: Path = tmp_path_factory.mktemp("fresh-install")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    for name in ("SANGDAM_DEMO", "REDIS_URL", "DATABASE_URL"):
        env.pop(name, None)
    env.update(SANGDAM_VAR_DIR=str(var), PYTHONUNBUFFERED="1", SMTP_PORT="0")
    # Confirmation mail goes nowhere: this test is about the pages, not delivery.
    env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    pg_name = ""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"], pg_name = _fresh_postgres(os.environ["DATABASE_URL"])
    subprocess.run([SANGDAM, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [SANGDAM, "createsuperuser", "--noinput"],
        env={
            **env,
            "DJANGO_SUPERUSER_EMAIL": ADMIN,
            "DJANGO_SUPERUSER_USERNAME": ADMIN,
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        },
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    port = _free_port()
    log = (var / "server.log").open("w")
    proc = subprocess.Popen(
        [SANGDAM, "run", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/login/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "sangdam run did not start:\n" + (var / "server.log").read_text()
                )
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        if pg_name:
            _drop_postgres(os.environ["DATABASE_URL"], pg_name)


def _write_inquiry(page: Page, base: str, *, topic: str = "") -> None:
    page.goto(f"{base}/contact/new")
    page.fill("#id_name", "김민지")
    page.fill("#id_email", "minji@example.net")
    if topic:
        page.select_option("#id_topic", topic)
    page.fill("#id_subject", "첫 문의입니다")
    page.fill("#id_description", "설치하자마자 보내는 문의입니다.")
    page.check("#id_consent")
    page.click("#inquiry-form button[type=submit]")
    expect(page.locator("#reference")).to_be_visible(timeout=15_000)


def test_a_customer_writes_through_the_homepage_form_of_a_fresh_install(
    browser: Any, fresh_install: str
) -> None:
    page: Page = browser.new_context(locale="ko-KR").new_page()
    _write_inquiry(page, fresh_install)


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_first_admin_is_shown_the_first_run_page_after_login(
    browser: Any, fresh_install: str, device: str
) -> None:
    page: Page = browser.new_context(locale="ko-KR", **VIEWPORTS[device]).new_page()
    page.goto(f"{fresh_install}/")  # the site's address: the login asks for the inbox
    page.fill("input[name=username]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.get_by_role("heading", name="고객센터 설정", level=1)).to_be_visible()
    expect(page.locator("#default-topics-list")).to_contain_text("결제 및 환불")
    assert_accessible(page)
    shot(page, "first-run" if device == "desktop" else "first-run-phone")


def test_after_the_first_run_page_the_form_offers_the_default_topics(
    browser: Any, fresh_install: str
) -> None:
    page: Page = browser.new_context(locale="ko-KR").new_page()
    page.goto(f"{fresh_install}/login/")
    page.fill("input[name=username]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.fill("#id_company_name", "한빛 주식회사")
    page.fill("#id_support_email", "help@hanbit.example")
    page.check("#id_open_days_5")
    page.fill("#id_closes", "19:00")
    page.click("#first-run-form button[type=submit]")
    expect(page.get_by_text("고객센터 준비가 끝났습니다.")).to_be_visible()

    customer: Page = browser.new_context(locale="ko-KR").new_page()
    _write_inquiry(customer, fresh_install, topic="payment-refund")
