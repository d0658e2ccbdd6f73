"""Email connector, outbound half: replies over SMTP through Django's mail backends.

Replies thread in the customer's client (Message-ID, In-Reply-To, References and the
``[SD-…]`` subject token), carry text and HTML as multipart/alternative, say
``Auto-Submitted: auto-replied`` when Sangdam wrote them itself, and are DKIM-signed
with the channel's key when one is configured. Inbound parsing is in ``parse.py``.
"""

from __future__ import annotations

import smtplib
from email.message import Message as MimeMessage
from email.utils import make_msgid
from typing import Literal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.html import escape, linebreaks
from pydantic import BaseModel, ConfigDict, ValidationError

from sangdam.connectors.base import Connector, DeliveryError, OutboundMessage
from sangdam.connectors.models import Channel
from sangdam.connectors.registry import register


class EmailConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_name: str = ""
    # Empty: use the server-wide EMAIL_* settings.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_use_tls: bool = False
    smtp_use_ssl: bool = False
    # DKIM signing: the private key (PEM) lives in the channel's secrets as
    # "dkim_private_key"; the domain defaults to the channel address's domain.
    dkim_selector: str = ""
    dkim_domain: str = ""
    # A mail referring to a ticket whose customer did not send it: "new_ticket" opens a
    # linked ticket, "hold" also parks it for an agent's decision (connectors/intake.py).
    mismatched_sender: Literal["new_ticket", "hold"] = "new_ticket"


# Headers a DKIM signature covers: those a forger would change, and the threading ones.
DKIM_HEADERS = [
    b"from",
    b"to",
    b"cc",
    b"subject",
    b"date",
    b"message-id",
    b"in-reply-to",
    b"references",
    b"mime-version",
    b"content-type",
    b"auto-submitted",
]


class SignedEmail(EmailMultiAlternatives):
    """A mail that adds its DKIM-Signature when the backend asks for the MIME message.

    The signature is computed over the very object the backend serializes (the first
    serialization fixes the MIME boundaries), so what is signed is what is sent.
    """

    dkim_key: tuple[bytes, bytes, bytes] | None = None  # (selector, domain, PEM key)

    def message(self) -> MimeMessage:
        mime = super().message()
        if self.dkim_key is None:
            return mime
        selector, domain, key = self.dkim_key
        # dkimpy pulls in dnspython (~0.3 s): imported when a message is signed, not when
        # every `sangdam` command loads the connectors.
        import dkim

        signature = dkim.sign(
            mime.as_bytes(linesep="\r\n"),
            selector,
            domain,
            key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[h for h in DKIM_HEADERS if mime.get(h.decode()) is not None],
        )
        name, _, value = signature.decode("ascii").partition(":")
        # Django refuses header values with line breaks; relaxed canonicalization makes
        # the unfolded form verify the same.
        mime[name] = value.replace("\r\n", "").strip()
        return mime


def subject_with_reference(subject: str, reference: str) -> str:
    """``Re: <subject> [SD-100001]`` on one line, so mail clients and our intake thread it."""
    # A subject from a web form may carry line breaks; in a header they would inject
    # headers (Django refuses them outright, which would leave the reply stuck).
    subject = " ".join(subject.split())
    token = f"[{reference}]"
    subject = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    return subject if token in subject else f"{subject} {token}"


def with_status_link(message: OutboundMessage) -> str:
    """The text body, ending with the link to the customer's status page when there is one."""
    if not message.status_url:
        return message.text
    return f"{message.text}\n\n--\n{message.status_label}\n{message.status_url}\n"


def html_with_status_link(message: OutboundMessage, html: str) -> str:
    if not message.status_url:
        return html
    link = f'<a href="{escape(message.status_url)}">{escape(message.status_label)}</a>'
    return f"{html}\n<hr>\n<p>{link}</p>"


@register
class EmailConnector(Connector):
    kind = "email"
    identity_kind = "email"
    config_class = EmailConfig

    def send(self, channel: Channel, message: OutboundMessage) -> str:
        try:
            config = EmailConfig.model_validate(channel.config or {})
        except ValidationError as exc:
            # Retrying cannot fix the channel's settings: a person must.
            raise DeliveryError(
                f"the channel's email settings are invalid: {exc.error_count()} error(s), "
                f"{exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}",
                permanent=True,
            ) from exc
        from_address = channel.address or settings.DEFAULT_FROM_EMAIL
        domain = from_address.rpartition("@")[2] or "sangdam.local"
        message_id = make_msgid(domain=domain)
        headers = {"Message-ID": message_id}
        if message.in_reply_to:
            headers["In-Reply-To"] = message.in_reply_to[-1]
            headers["References"] = " ".join(message.in_reply_to[-20:])
        if message.automatic:
            # RFC 3834: autoresponders must not answer this, so two robots cannot loop.
            headers["Auto-Submitted"] = "auto-replied"
            headers["X-Auto-Response-Suppress"] = "All"
        sender = f"{config.from_name} <{from_address}>" if config.from_name else from_address
        mail = SignedEmail(
            subject=subject_with_reference(message.subject, message.ticket_reference),
            body=with_status_link(message),
            from_email=sender,
            to=[message.recipient],
            headers=headers,
            connection=self._connection(channel, config),
        )
        # Always both parts: clients that prefer HTML render a reply written as plain
        # text with its line breaks, and text-only clients get the text.
        mail.attach_alternative(
            html_with_status_link(message, message.html or linebreaks(escape(message.text))),
            "text/html",
        )
        mail.dkim_key = self._dkim_key(channel, config, domain)
        for item in message.attachments:
            mail.attach(item.filename, item.content, item.content_type)
        try:
            mail.send(fail_silently=False)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP login refused: {exc.smtp_code}", permanent=True) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()))
            raise DeliveryError(
                f"recipient refused: {code} {reason.decode(errors='replace')}",
                permanent=code >= 500,
            ) from exc
        except smtplib.SMTPResponseException as exc:
            text = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else exc.smtp_error
            )
            raise DeliveryError(
                f"SMTP error {exc.smtp_code}: {text}", permanent=exc.smtp_code >= 500
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"mail server unreachable: {exc}") from exc
        return message_id

    @staticmethod
    def _dkim_key(
        channel: Channel, config: EmailConfig, domain: str
    ) -> tuple[bytes, bytes, bytes] | None:
        key = str((channel.secrets or {}).get("dkim_private_key", "")).strip()
        if not (config.dkim_selector and key):
            return None
        return (
            config.dkim_selector.encode("ascii"),
            (config.dkim_domain or domain).encode("ascii"),
            key.encode("ascii"),
        )

    @staticmethod
    def _connection(channel: Channel, config: EmailConfig) -> BaseEmailBackend:
        if not config.smtp_host:
            return get_connection(fail_silently=False)
        secrets = channel.secrets or {}
        return get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host=config.smtp_host,
            port=config.smtp_port,
            username=secrets.get("smtp_user", ""),
            password=secrets.get("smtp_password", ""),
            use_tls=config.smtp_use_tls,
            use_ssl=config.smtp_use_ssl,
            timeout=settings.EMAIL_TIMEOUT,
            fail_silently=False,
        )
