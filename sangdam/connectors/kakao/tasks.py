"""Callback mode: finishing a chatbot turn that takes longer than Kakao's 5 seconds."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from sangdam.connectors.base import InboundAttachment
from sangdam.connectors.http import ProviderError, fetch_untrusted, send_with_retries
from sangdam.connectors.kakao import desk
from sangdam.connectors.kakao.models import SkillConversation, Step
from sangdam.core import netguard
from sangdam.tickets.attachments import AttachmentRejected, check_attachment

log = logging.getLogger(__name__)

# Kakao keeps a callback URL for one minute; an answer later than that is not shown.
CALLBACK_LIFETIME = dt.timedelta(seconds=60)


@task(queue_name="webhooks")
def submit_inquiry(
    conversation_id: int, inquiry_id: str, callback_url: str, requested_at: str
) -> None:
    """Fetch the inquiry's photos, open its ticket, and post the answer to Kakao."""
    conversation = (
        SkillConversation.objects.select_related("channel")
        .filter(pk=conversation_id, inquiry_id=inquiry_id, step=Step.SUBMITTING)
        .first()
    )
    if conversation is None:
        return  # done already
    channel = conversation.channel
    attachments: list[InboundAttachment] = []
    unfetched: list[str] = []
    for n, url in enumerate(conversation.photo_urls, start=1):
        try:
            response = fetch_untrusted(
                url, label="kakao photo", max_bytes=settings.ATTACHMENT_MAX_BYTES
            )
            checked = check_attachment(f"photo-{n}.jpg", response.content)
        except (ProviderError, AttachmentRejected) as exc:
            log.info("kakao photo %s not fetched: %s", url, exc)
            unfetched.append(url)
            continue
        attachments.append(
            InboundAttachment(
                filename=checked.filename,
                content_type=checked.content_type,
                content=checked.content,
                sha256=checked.sha256,
            )
        )
    with translation.override(conversation.language or settings.LANGUAGE_CODE):
        with transaction.atomic():
            locked = SkillConversation.objects.select_for_update().get(pk=conversation.pk)
            if locked.step != Step.SUBMITTING or str(locked.inquiry_id) != inquiry_id:
                return
            result = desk.open_inquiry(
                channel, locked, attachments=attachments, unfetched=unfetched
            )
            desk.finish(locked)
        now = timezone.now()
        answer = desk.submitted_answer(channel, result.ticket, now)
    if now - dt.datetime.fromisoformat(requested_at) > CALLBACK_LIFETIME:
        log.warning("kakao callback for %s too late; the user sees it under 내 문의", inquiry_id)
        return
    try:
        with netguard.guarded_client(timeout=settings.PROVIDER_TIMEOUT_SECONDS) as client:
            send_with_retries(client, "POST", callback_url, label="kakao callback", json=answer)
    except ProviderError as exc:
        log.warning("kakao callback for %s failed: %s", inquiry_id, exc)
