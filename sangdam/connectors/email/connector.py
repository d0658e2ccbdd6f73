"""Email connector, outbound half: replies over SMTP through Django's mail backends.

The inbound half (IMAP, the SMTP receiver, MIME parsing) comes with the email channel.
"""

from __future__ import annotations

import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
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


def subject_with_reference(subject: str, reference: str) -> str:
    """``Re: <subject> [SD-100001]`` on one line, so mail clients and our intake thread it."""
    # A subject from a web form may carry line breaks; in a header they would inject
    # headers (Django refuses them outright, which would leave the reply stuck).
    subject = " ".join(subject.split())
    token = f"[{reference}]"
    subject = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    return subject if token in subject else f"{subject} {token}"


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
        sender = f"{config.from_name} <{from_address}>" if config.from_name else from_address
        mail = EmailMultiAlternatives(
            subject=subject_with_reference(message.subject, message.ticket_reference),
            body=message.text,
            from_email=sender,
            to=[message.recipient],
            headers=headers,
            connection=self._connection(channel, config),
        )
        if message.html:
            mail.attach_alternative(message.html, "text/html")
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
