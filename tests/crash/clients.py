"""The clients of the crash run: one kind per intake path, each behaving as real ones do.

Every inquiry carries a marker (``[crash:smtp:000017]``) in its text, which the checks
look for in the database, and a key a real client would reuse when it retries: the
Message-ID of a mail, the ``Idempotency-Key`` of an API call, the ``nonce`` of the
rendered web form. A client retries an inquiry until it is acknowledged (SMTP 250,
HTTP 201 or 302) and records what acknowledged it and in which life of the server.
"""

from __future__ import annotations

import html
import re
import smtplib
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import httpx
from imap_tools import MailBoxUnencrypted

from examples.app_client import AppApiError, AppClient, sign_user
from tests.crash.rig import SUPPORT, TELEGRAM_KEY, TELEGRAM_SECRET, TOPIC, Keys, imap

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NONCE_RE = re.compile(r'<input[^>]*name="nonce"[^>]*>')
VALUE_RE = re.compile(r'value="([^"]*)"')
RETRY_PAUSE = 0.2
# A client gives an inquiry up after this many answers that say "never" (4xx/5xx SMTP 5yz).
MAX_REFUSALS = 3


class Retry(Exception):
    """No acknowledgement this time (connection refused or cut, 5xx, SMTP 4yz): try again."""


class Refused(Exception):
    """An answer that says the inquiry will never be taken (it should not happen here)."""


@dataclass
class Inquiry:
    path: str
    number: int
    key: str
    attempts: int = 0
    refusals: int = 0
    ack: str = ""
    life: int = -1  # the server's life (start number) that acknowledged it
    last_error: str = ""
    state: dict[str, Any] = field(default_factory=dict)  # a path's own (form tokens, ids)

    @property
    def marker(self) -> str:
        return f"[crash:{self.path}:{self.number:06d}]"

    @property
    def name(self) -> str:
        return f"{self.path} #{self.number} ({self.key})"


@dataclass
class Ledger:
    """Every inquiry of the run and what the clients were told about it."""

    tag: str
    life: int = 0
    draining: bool = False
    done: threading.Event = field(default_factory=threading.Event)
    inquiries: dict[str, list[Inquiry]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new(self, path: str) -> Inquiry:
        with self.lock:
            items = self.inquiries.setdefault(path, [])
            number = len(items) + 1
            inquiry = Inquiry(path, number, f"{self.tag}-{path}-{number}")
            items.append(inquiry)
            return inquiry

    def acked(self, path: str) -> list[Inquiry]:
        with self.lock:
            return [i for i in self.inquiries.get(path, []) if i.ack]


class Client:
    """A loop on a thread: new inquiries while the run goes on, each retried until acked."""

    path = ""

    def __init__(self, ledger: Ledger, base: str, smtp_port: int, keys: Keys, pace: float) -> None:
        self.ledger, self.base, self.smtp_port, self.keys = ledger, base, smtp_port, keys
        self.pace = pace
        self.thread = threading.Thread(target=self.loop, name=f"crash-{self.path}", daemon=True)

    def loop(self) -> None:
        try:
            while not self.ledger.draining and not self.ledger.done.is_set():
                inquiry = self.next()
                if inquiry is not None:
                    self.deliver(inquiry)
                time.sleep(self.pace)
        finally:
            self.close()

    def next(self) -> Inquiry | None:
        return self.ledger.new(self.path)

    def deliver(self, inquiry: Inquiry) -> None:
        while not self.ledger.done.is_set():
            inquiry.attempts += 1
            life = self.ledger.life
            try:
                inquiry.ack = self.send(inquiry)
                inquiry.life = life
                return
            except Retry as exc:
                inquiry.last_error = str(exc)[:200]
            except Refused as exc:
                inquiry.last_error = str(exc)[:200]
                inquiry.refusals += 1
                if inquiry.refusals >= MAX_REFUSALS:
                    return
            # As real clients back off: quickly at first, then at most once a second.
            time.sleep(min(1.0, RETRY_PAUSE * inquiry.attempts))

    def send(self, inquiry: Inquiry) -> str:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _mail(inquiry: Inquiry, sender: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Customer {inquiry.number} <{sender}>"
    mail["To"] = SUPPORT
    mail["Subject"] = f"주문 문의 {inquiry.path} {inquiry.number}"
    mail["Message-ID"] = inquiry.key
    mail["Date"] = format_datetime(_now())
    mail.set_content(f"안녕하세요. 주문이 아직 오지 않았습니다.\n{inquiry.marker}\n")
    return mail.as_bytes()


def _with_message_id(inquiry: Inquiry) -> Inquiry:
    inquiry.key = f"<{inquiry.key}@customers.example>"
    return inquiry


def _now() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC)


class SmtpClient(Client):
    """A sending MTA: one connection reused for many mails, a new one after any failure."""

    path = "smtp"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.smtp: smtplib.SMTP | None = None

    def next(self) -> Inquiry:
        return _with_message_id(self.ledger.new(self.path))

    def send(self, inquiry: Inquiry) -> str:
        sender = f"smtp-{inquiry.number}@customers.example"
        try:
            if self.smtp is None:
                self.smtp = smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=60)
                self.smtp.ehlo("mta.customers.example")
            self.smtp.sendmail(sender, [SUPPORT], _mail(inquiry, sender))
        except smtplib.SMTPResponseException as exc:
            self.close()
            if 400 <= exc.smtp_code < 500:
                raise Retry(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise Refused(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise Retry(repr(exc)) from exc
        return "250 after DATA"

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            finally:
                self.smtp = None


class ImapAppender(Client):
    """The customers' mail landing in the watched folder; the poller's \\Seen is the ack."""

    path = "imap"

    def __init__(self, *args: Any, folder: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.folder = folder
        self.client: MailBoxUnencrypted | None = None

    def next(self) -> Inquiry:
        return _with_message_id(self.ledger.new(self.path))

    def deliver(self, inquiry: Inquiry) -> None:
        # Appending is not the acknowledgement (Dovecot is not what crashes): the checks
        # read the \\Seen flags the poller set.
        if self.client is None:
            self.client = imap()
        self.client.append(_mail(inquiry, f"imap-{inquiry.number}@customers.example"), self.folder)
        inquiry.attempts = 1

    def close(self) -> None:
        if self.client is not None:
            self.client.logout()


def _http_status(response: httpx.Response, ok: int) -> None:
    if response.status_code == ok:
        return
    if response.status_code >= 500 or response.status_code == 429:
        raise Retry(f"HTTP {response.status_code}")
    raise Refused(f"HTTP {response.status_code}: {response.text[:150]}")


class WebFormClient(Client):
    """A browser: GET the form once, then POST the same rendered form until it gets a 302."""

    path = "webform"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = httpx.Client(base_url=self.base, timeout=60)

    def send(self, inquiry: Inquiry) -> str:
        try:
            if "csrf" not in inquiry.state:
                page = self.http.get("/contact/new")
                _http_status(page, 200)
                csrf, nonce_input = CSRF_RE.search(page.text), NONCE_RE.search(page.text)
                nonce = VALUE_RE.search(nonce_input.group(0)) if nonce_input else None
                if not csrf or not nonce:
                    raise Refused("the form has no CSRF token or nonce")
                inquiry.state.update(csrf=csrf.group(1), nonce=html.unescape(nonce.group(1)))
                inquiry.key = f"nonce {inquiry.state['nonce']}"
            answer = self.http.post(
                "/contact/new",
                data={
                    "csrfmiddlewaretoken": inquiry.state["csrf"],
                    "nonce": inquiry.state["nonce"],
                    "name": f"고객 {inquiry.number}",
                    "email": f"{self.ledger.tag}-form-{inquiry.number}@customers.example",
                    "phone": "",
                    "topic": TOPIC,
                    "subject": f"웹 문의 {inquiry.number}",
                    "description": f"결제가 두 번 되었어요. 환불 부탁드립니다.\n{inquiry.marker}",
                    "website": "",
                    "consent": "on",
                },
                files={"attachments": ("", b"", "application/octet-stream")},
                headers={"Referer": f"{self.base}/contact/new", "Origin": self.base},
            )
        except httpx.HTTPError as exc:
            raise Retry(repr(exc)) from exc
        _http_status(answer, 302)
        location = answer.headers.get("location", "")
        if "/contact/thanks/" not in location:
            raise Refused(f"302 to {location}")
        return f"302 {location[:60]}"

    def close(self) -> None:
        self.http.close()


class ApiClient(Client):
    """The company's backend opening inquiries through the REST API with Idempotency-Key."""

    path = "api"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = httpx.Client(
            base_url=self.base,
            timeout=60,
            headers={"Authorization": f"Bearer {self.keys.token}"},
        )

    def send(self, inquiry: Inquiry) -> str:
        try:
            answer = self.http.post(
                "/api/v1/tickets",
                json={
                    "customer": {
                        "email": f"{self.ledger.tag}-api-{inquiry.number}@customers.example"
                    },
                    "subject": f"API 문의 {inquiry.number}",
                    "text": f"배송 조회가 안 됩니다.\n{inquiry.marker}",
                },
                headers={"Idempotency-Key": inquiry.key},
            )
        except httpx.HTTPError as exc:
            raise Retry(repr(exc)) from exc
        _http_status(answer, 201)
        body = answer.json()
        inquiry.state["ticket_id"] = body["id"]
        replayed = " replayed" if answer.headers.get("Idempotent-Replayed") else ""
        return f"201 {body['reference']}{replayed}"

    def close(self) -> None:
        self.http.close()


class AppInquiryClient(Client):
    """A mobile app (the reference client): a signed user, multipart, Idempotency-Key."""

    path = "app"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One connection pool for the thread; a client (its headers) per user.
        self.transport = httpx.HTTPTransport()

    def send(self, inquiry: Inquiry) -> str:
        user = f"{self.ledger.tag}-user-{inquiry.number}"
        client = AppClient(
            self.base,
            self.keys.app_key,
            user,
            sign_user(self.keys.app_secret, user),
            transport=self.transport,
        )
        try:
            created = client.create_inquiry(
                f"결제 버튼을 누르면 앱이 멈춥니다.\n{inquiry.marker}",
                topic=TOPIC,
                device={"app_version": "5.2.0", "os": "iOS", "locale": "ko-KR"},
                idempotency_key=inquiry.key,
            )
        except AppApiError as exc:
            if exc.status >= 500 or exc.status == 429:
                raise Retry(str(exc)) from exc
            raise Refused(str(exc)) from exc
        except httpx.HTTPError as exc:
            raise Retry(repr(exc)) from exc
        return f"201 {created['reference']}"

    def close(self) -> None:
        self.transport.close()


class TelegramClient(Client):
    """Telegram's servers: each update POSTed to the webhook until a 200, with the secret."""

    path = "telegram"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = httpx.Client(
            base_url=self.base,
            timeout=60,
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        )

    def send(self, inquiry: Inquiry) -> str:
        person = 7_000_000 + inquiry.number
        update = {
            "update_id": 500_000 + inquiry.number,
            "message": {
                "message_id": inquiry.number,
                "from": {
                    "id": person,
                    "is_bot": False,
                    "first_name": "민지",
                    "language_code": "ko",
                },
                "chat": {"id": person, "type": "private", "first_name": "민지"},
                "date": int(time.time()),
                "text": f"환불은 언제 되나요?\n{inquiry.marker}",
            },
        }
        inquiry.key = f"update_id {update['update_id']}"
        try:
            answer = self.http.post(f"/hooks/telegram/{TELEGRAM_KEY}", json=update)
        except httpx.HTTPError as exc:
            raise Retry(repr(exc)) from exc
        _http_status(answer, 200)
        return "200"

    def close(self) -> None:
        self.http.close()


class Replier(Client):
    """An agent's tool answering acknowledged API inquiries; the worker mails the replies."""

    path = "reply"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = httpx.Client(
            base_url=self.base,
            timeout=60,
            headers={"Authorization": f"Bearer {self.keys.token}"},
        )
        self.answered = 0

    def next(self) -> Inquiry | None:
        waiting = self.ledger.acked("api")[self.answered :]
        if not waiting:
            return None
        self.answered += 1
        inquiry = self.ledger.new(self.path)
        inquiry.state["ticket_id"] = waiting[0].state["ticket_id"]
        return inquiry

    def send(self, inquiry: Inquiry) -> str:
        try:
            answer = self.http.post(
                f"/api/v1/tickets/{inquiry.state['ticket_id']}/messages",
                json={"text": f"확인 후 바로 보내 드렸습니다.\n{inquiry.marker}", "kind": "reply"},
                headers={"Idempotency-Key": inquiry.key},
            )
        except httpx.HTTPError as exc:
            raise Retry(repr(exc)) from exc
        _http_status(answer, 201)
        inquiry.state["message_id"] = answer.json()["id"]
        return f"201 message {inquiry.state['message_id']}"

    def close(self) -> None:
        self.http.close()
