"""A real SMTP server for delivery tests (aiosmtpd on 127.0.0.1), scriptable per test."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MailSink:
    """Collects what it accepts; ``rcpt_reply`` / ``data_reply`` script a refusal."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    rcpt_reply: str = ""
    data_reply: str = ""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), mail))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [mail for _, _, mail in self.received]


@contextmanager
def smtp_server() -> Iterator[tuple[MailSink, int]]:
    sink = MailSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()
