"""Fixtures of the transport tests: a real SMTP receiver on a free port, a real Dovecot.

Dovecot is started by ``.ci/dovecot.sh`` (127.0.0.1:10143, user support@example.com).
Without it the IMAP tests skip, naming Dovecot; with SANGDAM_REQUIRE_SERVICES=1 (CI) they fail.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator

import pytest
from imap_tools import BaseMailBox, MailBoxUnencrypted

from sangdam.connectors.email.models import Mailbox, Security
from sangdam.connectors.email.smtpd import SmtpReceiver
from sangdam.connectors.models import Channel
from tests.delivery.smtp_server import free_port

DOVECOT_HOST = "127.0.0.1"
DOVECOT_PORT = int(os.environ.get("SANGDAM_DOVECOT_PORT", "10143"))
DOVECOT_USER = "support@example.com"
DOVECOT_PASSWORD = "sangdam-imap-test"


@pytest.fixture
def smtp_receiver(transactional_db: None) -> Iterator[Callable[..., SmtpReceiver]]:
    """Start ``SmtpReceiver`` on a free port (threads use their own DB connections)."""
    started: list[SmtpReceiver] = []

    def start(**options: int) -> SmtpReceiver:
        receiver = SmtpReceiver(host="127.0.0.1", port=free_port(), **options)
        receiver.start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


def _dovecot_answers() -> bool:
    # Dovecot greets only once its auth process is ready, which can take seconds when
    # that process was idle-stopped: a refused connection is quick, a slow greeting is not.
    try:
        with socket.create_connection((DOVECOT_HOST, DOVECOT_PORT), timeout=20) as sock:
            return sock.recv(4).startswith(b"* OK")
    except OSError:
        return False


@pytest.fixture(scope="session")
def dovecot() -> None:
    if _dovecot_answers():
        return
    message = (
        f"Dovecot IMAP server not reachable on {DOVECOT_HOST}:{DOVECOT_PORT} "
        "(start it with `sudo bash .ci/dovecot.sh`)"
    )
    if os.environ.get("SANGDAM_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def imap_client() -> BaseMailBox:
    return MailBoxUnencrypted(DOVECOT_HOST, DOVECOT_PORT, timeout=10).login(
        DOVECOT_USER, DOVECOT_PASSWORD, initial_folder=None
    )


@pytest.fixture
def imap_folder(dovecot: None) -> Iterator[str]:
    """A folder of its own for each test, so runs in parallel never see each other's mail."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    with imap_client() as client:
        client.folder.create(name)
    yield name
    with imap_client() as client:
        for folder in client.folder.list():
            if folder.name == name or folder.name.startswith(f"{name}-"):
                client.folder.delete(folder.name)


@pytest.fixture
def make_mailbox(email_channel: Channel, imap_folder: str) -> Callable[..., Mailbox]:
    def make(**fields: object) -> Mailbox:
        values: dict[str, object] = {
            "channel": email_channel,
            "host": DOVECOT_HOST,
            "port": DOVECOT_PORT,
            "security": Security.NONE,
            "username": DOVECOT_USER,
            "secrets": {"password": DOVECOT_PASSWORD},
            "folder": imap_folder,
        }
        values.update(fields)
        return Mailbox.objects.create(**values)

    return make


def append(folder: str, *mails: bytes) -> None:
    with imap_client() as client:
        for raw in mails:
            client.append(raw, folder, flag_set=())


def flags_by_message_id(folder: str) -> dict[str, set[str]]:
    """Every message of ``folder`` (read without changing flags): Message-ID -> flags."""
    with imap_client() as client:
        client.folder.set(folder)
        return {
            str(message.obj["Message-ID"]).strip(): set(message.flags)
            for message in client.fetch(mark_seen=False, headers_only=True)
        }
