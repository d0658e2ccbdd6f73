"""Files in the chat: the visitor uploads over HTTP (a websocket frame is no place for
10 MB), and both sides' files are served to the visitor who holds the token.

The upload is authenticated by the signed visitor token in the form, not by a cookie: the
chat usually runs in a frame on another site, where browsers withhold our cookies, and a
token an attacker's page cannot read needs no CSRF check. It enters through the same
intake with the same ``<visitor>:<client id>`` external id, so a retried upload is stored
once; the file is checked like every channel's (size, type sniffed from the content).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from sangdam.connectors.base import InboundAttachment
from sangdam.connectors.livechat import conversation
from sangdam.connectors.livechat.config import (
    CLIENT_ID_PATTERN,
    MAX_TEXT,
    BadToken,
    visitor_from_token,
    visitor_group,
)
from sangdam.connectors.models import Channel
from sangdam.core import ratelimit
from sangdam.core.downloads import attachment_response
from sangdam.core.live import publish
from sangdam.tickets.attachments import AttachmentRejected, check_attachment
from sangdam.tickets.models import Attachment, MessageKind

CLIENT_ID = re.compile(CLIENT_ID_PATTERN)


def _visitor(channel: Channel, token: str) -> str:
    try:
        return visitor_from_token(channel, token)
    except BadToken as exc:
        raise Http404 from exc


def _refuse(code: str, detail: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"type": "error", "code": code, "detail": detail}, status=status)


@csrf_exempt
@require_POST
def upload(request: HttpRequest, key: str) -> JsonResponse:
    channel = conversation.find_channel(key)
    if channel is None:
        raise Http404
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.ATTACHMENT_MAX_BYTES + 65536:
        return _refuse("too_large", "the file is too large", status=413)
    try:
        visitor = visitor_from_token(channel, str(request.POST.get("token") or ""))
    except BadToken:
        return _refuse("bad_token", "the visitor token is not valid", status=403)
    client_id = str(request.POST.get("client_id") or "")
    upload = request.FILES.get("file")
    if not CLIENT_ID.match(client_id) or upload is None:
        return _refuse("bad_upload", "a file and a client_id are needed")
    ip = ratelimit.client_ip(request)
    for scope, who, limit in (
        ("livechat-visitor", visitor, settings.LIVECHAT_RATE_PER_VISITOR),
        ("livechat-ip", ip, settings.LIVECHAT_RATE_PER_IP),
    ):
        if not ratelimit.hit(scope, who, limit=limit, window=60):
            return _refuse("rate_limited", "too many messages; wait a moment", status=429)
    try:
        checked = check_attachment(upload.name or "file", upload.read())
    except AttachmentRejected as exc:
        return _refuse(exc.code, exc.message)
    result = conversation.take_message(
        channel=channel,
        visitor=visitor,
        client_id=client_id,
        text=str(request.POST.get("text") or "")[:MAX_TEXT],
        visit=conversation.Visit(browser=request.headers.get("User-Agent", "")[:300]),
        attachments=(
            InboundAttachment(
                filename=checked.filename,
                content_type=checked.content_type,
                content=checked.content,
                sha256=checked.sha256,
            ),
        ),
    )
    answer = {
        "type": "ack",
        "client_id": client_id,
        "message": conversation.message_json(result.message),
    }
    # The visitor's other tabs show it too (the uploading tab knows it by its client id).
    publish([visitor_group(channel, visitor)], {**answer, "type": "message"})
    return JsonResponse(answer)


@require_GET
def attachment(request: HttpRequest, key: str, attachment_id: int) -> FileResponse:
    """A file of the visitor's own conversation (theirs or an agent's), never a note's."""
    channel = conversation.find_channel(key)
    if channel is None:
        raise Http404
    visitor = _visitor(channel, str(request.GET.get("t") or ""))
    item = get_object_or_404(
        Attachment,
        pk=attachment_id,
        message__ticket__channel=channel,
        message__ticket__thread_key=conversation.thread_key(visitor),
        message__kind=MessageKind.PUBLIC,
    )
    return attachment_response(item)


@require_GET
def agent_picture(request: HttpRequest, user_id: int, name: str) -> FileResponse:
    """An agent's chat picture, for any visitor: the file's name (part of its hash) is in
    the URL, so only pictures an agent's answer pointed to can be fetched."""
    from sangdam.accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).exclude(avatar="").first()
    if user is None or user.avatar.name.rsplit("/", 1)[-1] != name:
        raise Http404
    kind = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
    content_type = kind.get(name.rsplit(".", 1)[-1])
    if content_type is None:
        raise Http404
    response = FileResponse(user.avatar.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
