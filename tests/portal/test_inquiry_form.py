"""The inquiry form: a good submission becomes a ticket; every bad one stores nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sangdam.customers.models import Customer, Identity
from sangdam.portal.models import TopicField
from sangdam.tickets.models import Attachment, Message, Ticket, Topic
from tests import factories
from tests.portal.conftest import PNG, form_data

pytestmark = pytest.mark.django_db


def nothing_stored() -> bool:
    return not (Ticket.objects.exists() or Message.objects.exists() or Customer.objects.exists())


def test_customer_gets_a_reference_and_the_agent_sees_the_inquiry(
    client: Client, webform: Any, refund: Topic, run_tasks: Any
) -> None:
    response = client.post("/contact/new", form_data(client), follow=True)
    ticket = Ticket.objects.get()
    assert response.status_code == 200
    assert ticket.reference in response.content.decode()
    assert ticket.subject == "결제가 두 번 되었어요"
    assert ticket.topic == refund
    assert ticket.channel == webform
    assert ticket.customer.name == "김민지"
    assert "privacy_consent_at" in ticket.metadata
    assert set(Identity.objects.filter(customer=ticket.customer).values_list("kind", "value")) == {
        ("email", "minji@example.com"),
        ("phone", "+821012345678"),
    }


def test_customer_receives_a_confirmation_email_with_reference_and_link(
    client: Client, webform: Any, refund: Topic, run_tasks: Any
) -> None:
    client.post("/contact/new", form_data(client))
    assert mail.outbox == []  # queued in the inquiry's transaction, sent by the worker
    run_tasks()
    ticket = Ticket.objects.get()
    (message,) = mail.outbox
    assert message.to == ["minji@example.com"]
    assert ticket.reference in message.subject
    assert "/s/" in message.body


def test_a_double_submit_of_one_form_makes_one_inquiry(
    client: Client, webform: Any, refund: Topic
) -> None:
    data = form_data(client)
    first = client.post("/contact/new", data)
    second = client.post("/contact/new", data)
    assert first.status_code == second.status_code == 302
    assert (
        first["Location"].split("?")[0].rsplit("/", 2)[0]
        == second["Location"].split("?")[0].rsplit("/", 2)[0]
    )
    assert Ticket.objects.count() == 1


def test_hidden_fields_and_topic_come_from_the_url(
    client: Client, webform: Any, refund: Topic
) -> None:
    page = client.get("/contact/new?topic=payment-refund&user_id=u-42&app_version=3.1.0&evil=1")
    html = page.content.decode()
    assert 'name="h_user_id" value="u-42"' in html
    assert 'name="h_app_version" value="3.1.0"' in html
    assert "evil" not in html
    assert '<option value="payment-refund" selected>' in html
    data = form_data(client, h_user_id="u-42", h_app_version="3.1.0")
    client.post("/contact/new", data)
    metadata = Ticket.objects.get().metadata
    assert metadata["user_id"] == "u-42"
    assert metadata["app_version"] == "3.1.0"


def test_a_topic_question_is_asked_and_stored(client: Client, webform: Any, refund: Topic) -> None:
    TopicField.objects.create(
        topic=refund,
        key="order_number",
        label_ko="주문 번호",
        label_en="Order number",
        required=True,
    )
    assert "주문 번호" in client.get("/contact/new").content.decode()
    missing = client.post("/contact/new", form_data(client))
    assert missing.status_code == 400
    assert nothing_stored()
    client.post("/contact/new", form_data(client, **{"x_payment-refund_order_number": "A-1001"}))
    assert Ticket.objects.get().metadata["order_number"] == "A-1001"


@pytest.mark.parametrize("field", ["name", "email", "topic", "subject", "description", "consent"])
def test_it_refuses_a_form_missing_a_required_field(
    client: Client, webform: Any, refund: Topic, field: str
) -> None:
    response = client.post("/contact/new", form_data(client, **{field: None}))
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert nothing_stored()


def test_it_keeps_what_the_customer_typed_after_an_error(
    client: Client, webform: Any, refund: Topic
) -> None:
    response = client.post("/contact/new", form_data(client, email="not-an-email"))
    html = response.content.decode()
    assert "결제가 두 번 되었어요" in html
    assert "김민지" in html
    assert "not-an-email" in html


def test_errors_are_in_english_with_lang_en(client: Client, webform: Any, refund: Topic) -> None:
    response = client.post("/contact/new?lang=en", form_data(client, name=None, lang="en"))
    assert "This field is required." in response.content.decode()


def test_errors_are_in_korean_by_default(client: Client, webform: Any, refund: Topic) -> None:
    response = client.post("/contact/new", form_data(client, name=None))
    assert "필수 항목입니다." in response.content.decode()


def test_it_refuses_an_invalid_phone_number(client: Client, webform: Any, refund: Topic) -> None:
    response = client.post("/contact/new", form_data(client, phone="12"))
    assert response.status_code == 400
    assert nothing_stored()


def test_it_refuses_a_50_mb_file(client: Client, webform: Any, refund: Topic) -> None:
    big = SimpleUploadedFile("big.png", PNG + b"\0" * (50 * 1024 * 1024), "image/png")
    response = client.post("/contact/new", {**form_data(client), "attachments": [big]})
    assert response.status_code == 400
    assert "big.png" in response.content.decode()
    assert nothing_stored()


def test_it_refuses_an_exe_renamed_png(client: Client, webform: Any, refund: Topic) -> None:
    exe = SimpleUploadedFile("screenshot.png", b"MZ\x90\x00" + b"\0" * 200, "image/png")
    response = client.post("/contact/new", {**form_data(client), "attachments": [exe]})
    assert response.status_code == 400
    assert "screenshot.png" in response.content.decode()
    assert nothing_stored() and not Attachment.objects.exists()


def test_a_png_with_a_lying_content_type_is_stored_as_png(
    client: Client, webform: Any, refund: Topic
) -> None:
    png = SimpleUploadedFile("shot.png", PNG, "application/x-msdownload")
    client.post("/contact/new", {**form_data(client), "attachments": [png]})
    assert Attachment.objects.get().content_type == "image/png"


def test_it_refuses_more_than_five_files(client: Client, webform: Any, refund: Topic) -> None:
    files = [SimpleUploadedFile(f"s{i}.png", PNG, "image/png") for i in range(6)]
    response = client.post("/contact/new", {**form_data(client), "attachments": files})
    assert response.status_code == 400
    assert nothing_stored()


def test_it_refuses_a_filled_honeypot(client: Client, webform: Any, refund: Topic) -> None:
    response = client.post("/contact/new", form_data(client, website="http://spam.example"))
    assert response.status_code == 400
    assert nothing_stored()


def test_it_refuses_an_oversized_body_before_reading_it(
    client: Client, webform: Any, refund: Topic
) -> None:
    response = client.post("/contact/new", form_data(client), CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert response.status_code == 413
    assert nothing_stored()


def test_it_refuses_a_post_without_csrf_token(webform: Any, refund: Topic) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/contact/new", {"name": "x"})
    assert response.status_code == 403
    assert nothing_stored()


def test_script_in_name_and_body_is_shown_escaped(
    client: Client, webform: Any, refund: Topic, agent_client: Client
) -> None:
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    response = client.post(
        "/contact/new", form_data(client, name=hostile, description=hostile), follow=True
    )
    ticket = Ticket.objects.get()
    status_html = client.get(
        response.redirect_chain[-1][0].replace("/contact/thanks/", "/s/")
    ).content.decode()
    agent_html = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    for html in (status_html, agent_html):
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_crlf_in_name_and_subject_injects_no_mail_header(
    client: Client, webform: Any, refund: Topic, run_tasks: Any
) -> None:
    client.post(
        "/contact/new",
        form_data(
            client,
            name="Mallory\r\nBcc: victim@example.org",
            subject="Hello\r\nBcc: victim@example.org",
        ),
    )
    run_tasks()
    ticket = Ticket.objects.get()
    assert "\n" not in ticket.subject and "\n" not in ticket.customer.name
    (message,) = mail.outbox
    raw = message.message().as_string()
    assert "victim@example.org" not in raw.split("\n\n", 1)[0]
    assert message.bcc == []


def test_a_fresh_install_without_topics_takes_inquiries(client: Client, webform: Any) -> None:
    page = client.get("/contact/new")
    assert 'name="topic"' not in page.content.decode()

    response = client.post("/contact/new", form_data(client, topic=None))

    assert response.status_code == 302
    assert Ticket.objects.get().topic is None


def test_a_topic_an_admin_adds_shows_on_the_form_at_once(
    client: Client, webform: Any, refund: Topic
) -> None:
    assert "payment-refund" in client.get("/contact/new").content.decode()

    factories.make_topic("delivery", ko="배송", en="Delivery")

    assert 'value="delivery"' in client.get("/contact/new").content.decode()
