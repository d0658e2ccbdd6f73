"""Attachments download under a name whose extension matches what the file really is."""

from __future__ import annotations

import pytest
from django.test import Client

from sangdam.connectors.models import Channel
from sangdam.portal.links import make_token
from sangdam.tickets.attachments import download_name
from sangdam.tickets.models import Attachment
from tests import factories

POLYGLOT = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;<html><script>alert(document.cookie)</script>"


@pytest.mark.parametrize(
    ("filename", "content_type", "expected"),
    [
        ("invoice.html", "image/gif", "invoice.gif"),
        ("photo.JPG", "image/jpeg", "photo.JPG"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("report.pdf", "application/pdf", "report.pdf"),
        ("scan.pdf.exe", "application/pdf", "scan.pdf.pdf"),
        ("notes.txt", "text/plain", "notes.txt"),
        ("data.csv", "text/plain", "data.csv"),
        ("run.bat", "text/plain", "run.txt"),
        ("voice.ogg", "application/ogg", "voice.ogg"),
        ("contract.docx", "application/zip", "contract.docx"),
        ("screenshot", "image/png", "screenshot.png"),
        ("../../etc/passwd.svg", "image/png", "passwd.png"),
    ],
)
def test_the_download_name_fits_the_sniffed_type(
    filename: str, content_type: str, expected: str
) -> None:
    assert download_name(filename, content_type) == expected


@pytest.fixture
def polyglot(email_channel: Channel) -> Attachment:
    factories.customer_writes(email_channel, files=[("invoice.html", POLYGLOT)])
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/gif"
    return attachment


def _assert_safe_download(response: object) -> None:
    assert response.status_code == 200  # type: ignore[attr-defined]
    disposition = response["Content-Disposition"]  # type: ignore[index]
    assert disposition.startswith("attachment;")
    assert 'filename="invoice.gif"' in disposition
    assert ".html" not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]


def test_an_html_gif_polyglot_never_downloads_as_html_in_the_console(
    polyglot: Attachment, agent_client: Client
) -> None:
    _assert_safe_download(agent_client.get(f"/attachments/{polyglot.pk}/"))


def test_an_html_gif_polyglot_never_downloads_as_html_on_the_status_page(
    polyglot: Attachment,
) -> None:
    token = make_token(polyglot.message.ticket)
    _assert_safe_download(Client().get(f"/s/{token}/files/{polyglot.pk}/"))
