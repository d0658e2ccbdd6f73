"""Attachments on S3-compatible object storage (scaled mode), against a local moto server.

Every face keeps working unchanged through Django's storage API; downloads still pass the
face's access checks and are streamed by Sangdam, so the bucket itself stays private.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from examples.app_client import AppClient
from sangdam.connectors.models import Channel
from sangdam.portal.links import make_token
from sangdam.tickets.models import Attachment
from tests import factories
from tests.portal.conftest import PNG, form_data
from tests.s3 import S3Server

pytestmark = pytest.mark.django_db

REPORT = b"%PDF-1.4\n% a customer's bank statement\n%%EOF\n"


@pytest.fixture
def statement(bucket: str, email_channel: Channel) -> Attachment:
    factories.customer_writes(email_channel, files=[("statement.pdf", REPORT)])
    return Attachment.objects.get()


def test_an_emailed_attachment_is_kept_in_the_bucket_not_on_local_disk(
    s3: S3Server, bucket: str, statement: Attachment
) -> None:
    assert s3.keys(bucket) == [statement.file.name]
    assert s3.client().get_object(Bucket=bucket, Key=statement.file.name)["Body"].read() == REPORT
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_a_file_sent_with_the_homepage_form_is_kept_in_the_bucket(
    s3: S3Server, bucket: str
) -> None:
    factories.make_channel("webform", name="홈페이지 문의")
    factories.make_topic("payment-refund", ko="결제 및 환불", en="Payment & refund")
    client = Client()
    shot = SimpleUploadedFile("shot.png", PNG, "image/png")
    response = client.post("/contact/new", {**form_data(client), "attachments": [shot]})
    assert response.status_code == 302
    assert s3.keys(bucket) == [Attachment.objects.get().file.name]


def test_an_agent_downloads_an_attachment_from_the_bucket(
    statement: Attachment, agent_client: Client
) -> None:
    response = agent_client.get(f"/attachments/{statement.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == REPORT  # type: ignore[attr-defined]
    assert response["Content-Disposition"] == 'attachment; filename="statement.pdf"'
    assert response["Cache-Control"] == "private, no-store"


def test_a_customer_downloads_an_attachment_through_the_status_link(
    statement: Attachment,
) -> None:
    token = make_token(statement.message.ticket)
    response = Client().get(f"/s/{token}/files/{statement.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == REPORT  # type: ignore[attr-defined]


def test_someone_without_the_link_or_a_login_gets_no_attachment(
    statement: Attachment, email_channel: Channel
) -> None:
    assert Client().get(f"/attachments/{statement.pk}/").status_code == 302  # to the login
    other = factories.customer_writes(email_channel, sender=("email", "someone.else@example.net"))
    token = make_token(other.ticket)
    assert Client().get(f"/s/{token}/files/{statement.pk}/").status_code == 404


def test_the_bucket_itself_refuses_anonymous_reads(
    s3: S3Server, bucket: str, statement: Attachment
) -> None:
    url = f"{s3.endpoint_url}/{bucket}/{statement.file.name}"
    assert httpx.get(url).status_code == 403


def test_an_attachment_lost_from_the_bucket_is_a_404_not_an_error(
    statement: Attachment, agent_client: Client
) -> None:
    statement.file.storage.delete(statement.file.name)
    assert agent_client.get(f"/attachments/{statement.pk}/").status_code == 404


def test_an_in_app_screenshot_is_kept_in_the_bucket_and_the_customer_downloads_it(
    s3: S3Server, bucket: str, minji: AppClient
) -> None:
    created = minji.create_inquiry("화면이 멈춰요", files=[("screen.png", PNG)])
    (key,) = s3.keys(bucket)
    attachment = Attachment.objects.get()
    assert key == attachment.file.name
    response = minji.http.get(f"/inquiries/{created['id']}/attachments/{attachment.pk}")
    assert response.status_code == 200
    assert response.content == PNG
