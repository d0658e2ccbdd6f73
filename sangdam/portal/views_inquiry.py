"""The inquiry form (/contact/new) and its thank-you page.

A submission runs the intake before the answer, so the customer leaves with a reference.
Refusals (rate limit, honeypot, bad input, oversized body) store nothing.
"""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods

from sangdam.connectors.base import InboundAttachment
from sangdam.connectors.intake import IntakeResult, receive
from sangdam.connectors.kakao import consent
from sangdam.connectors.models import Channel
from sangdam.connectors.webform import Submission, to_inbound, webform_channel
from sangdam.core.memo import Memo
from sangdam.core.ratelimit import client_ip
from sangdam.core.text import one_line
from sangdam.customers.models import Identity
from sangdam.portal.common import page, refused, upload_view, use_language, within_limits
from sangdam.portal.events import ConfirmationRequested
from sangdam.portal.forms import InquiryForm, check_files
from sangdam.portal.links import LinkExpired, LinkInvalid, read_token, token_path
from sangdam.portal.models import TopicField
from sangdam.service import promise
from sangdam.tickets import selectors
from sangdam.tickets.actor import Actor
from sangdam.tickets.dispatch import record
from sangdam.tickets.models import Topic

_fields = Memo(TopicField, Topic)


def _hidden(source: dict[str, str] | object, prefix: str = "") -> dict[str, str]:
    """Allowed hidden fields (user id, app version, ...) from URL parameters or the POST."""
    get = getattr(source, "get")  # noqa: B009 (QueryDict and dict alike)
    values = {}
    for key in settings.PORTAL_HIDDEN_FIELDS:
        value = one_line(str(get(prefix + key) or ""))[:200]
        if value:
            values[key] = value
    return values


def rate_limited(request: HttpRequest) -> HttpResponse:
    # Counters are per clock-aligned window (core/ratelimit.py): retry when it ends.
    window = settings.PORTAL_RATE_LIMIT_WINDOW
    seconds = max(1, int(window - time.time() % window))
    minutes = max(1, -(-seconds // 60))
    response = refused(
        request,
        status=429,
        title=_("Too many requests"),
        text=ngettext(
            "We received many messages from you in a short time. Please try again in "
            "%(minutes)d minute, or write to us by email.",
            "We received many messages from you in a short time. Please try again in "
            "%(minutes)d minutes, or write to us by email.",
            minutes,
        )
        % {"minutes": minutes},
    )
    response["Retry-After"] = str(seconds)
    return response


def body_too_large(request: HttpRequest) -> HttpResponse:
    return refused(
        request,
        status=413,
        title=_("Files too large"),
        text=_(
            "Together your files are larger than we accept. Attach at most %(count)d files "
            "of up to %(mb)d MB each."
        )
        % {"count": settings.PORTAL_MAX_FILES, "mb": settings.ATTACHMENT_MAX_BYTES // 2**20},
    )


@xframe_options_exempt
@upload_view
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    lang = use_language(request)
    channel = webform_channel()
    if channel is None:
        raise Http404(_("The inquiry form is switched off."))
    topics = selectors.topic_list()
    extra = _fields.get(
        "active",
        lambda: list(TopicField.objects.filter(topic__active=True).select_related("topic")),
    )
    file_errors: list[str] = []
    if request.method == "POST":
        form = InquiryForm(request.POST, topics=topics, extra=extra, alimtalk=consent.offered())
        valid = form.is_valid()
        files, file_errors = check_files(request.FILES.getlist("attachments"))
        honeypot = valid and bool(form.cleaned_data["website"])
        accepting = valid and not file_errors and not honeypot
        # Every post counts against its address; only one that would be accepted against
        # its email (a customer fixing a file is not held back). Both in one count.
        counted = [("ip", client_ip(request), settings.PORTAL_RATE_LIMIT_PER_IP)]
        if accepting:
            counted.append(
                ("email", form.cleaned_data["email"], settings.PORTAL_RATE_LIMIT_PER_EMAIL)
            )
        if not within_limits(counted):
            return rate_limited(request)
        if honeypot:
            # A bot filled the honeypot: refuse without saying which field gave it away.
            return refused(
                request,
                status=400,
                title=_("We could not accept this message"),
                text=_("Please write to us by email instead."),
            )
        if accepting:
            return _accept(request, form, files, channel, lang)
        hidden = _hidden(request.POST, "h_")
    else:
        hidden = _hidden(request.GET)
        initial = {"nonce": uuid.uuid4().hex}
        wanted = str(request.GET.get("topic") or "")
        if any(t.slug == wanted for t in topics):
            initial["topic"] = wanted
        form = InquiryForm(initial=initial, topics=topics, extra=extra, alimtalk=consent.offered())
    context = {
        "form": form,
        "file_errors": file_errors,
        "hidden": hidden,
        "lang": lang,
        "max_files": settings.PORTAL_MAX_FILES,
        "max_mb": settings.ATTACHMENT_MAX_BYTES // 2**20,
        "embedded": _embedded(request),
    }
    status = 400 if request.method == "POST" else 200
    return framable(page(request, "portal/new.html", context, status=status))


def _embedded(request: HttpRequest) -> bool:
    source = request.POST if request.method == "POST" else request.GET
    return source.get("embed") == "1"


def framable(response: HttpResponse) -> HttpResponse:
    """Let other sites frame the form; ``PORTAL_FRAME_ANCESTORS`` narrows who may.

    The rest of the page's Content-Security-Policy stays (django-csp merges this in).
    """
    ancestors = settings.PORTAL_FRAME_ANCESTORS
    response._csp_replace = {  # type: ignore[attr-defined]
        "frame-ancestors": ["'self'", *ancestors] if ancestors else None
    }
    return response


def _accept(
    request: HttpRequest,
    form: InquiryForm,
    files: list[InboundAttachment],
    channel: Channel,
    lang: str,
) -> HttpResponse:
    data = form.cleaned_data
    email = data["email"].strip().lower()
    language = lang or (get_language() or settings.LANGUAGE_CODE)[:2]
    metadata: dict[str, object] = {
        **_hidden(request.POST, "h_"),
        **form.answers(),
        "privacy_consent_at": timezone.now().isoformat(timespec="seconds"),
    }
    submission = Submission(
        nonce=one_line(data["nonce"])[:64],
        name=data["name"],
        email=email,
        phone=data["phone"],
        subject=data["subject"],
        text=data["description"],
        topic_slug=data["topic"],
        files=tuple(files),
        metadata=metadata,
    )

    def then(r: IntakeResult) -> None:
        # The confirmation mail is asked for in the intake's transaction: never lost; the
        # 알림톡 consent is kept in it too, with the inquiry it was given on.
        record(
            [ConfirmationRequested(ticket_id=r.ticket.pk, to=email, language=language)],
            actor=Actor(f"connector:{channel.kind}"),
        )
        if data.get("alimtalk") and data["phone"]:
            consent.record_consent(
                customer_id=r.ticket.customer_id,
                phone=data["phone"],
                source=f"web form {r.ticket.reference}",
            )

    result = receive(to_inbound(submission, channel), then=then)
    if (
        result.duplicate
        and not Identity.objects.filter(
            customer=result.ticket.customer_id, kind="email", value=email
        ).exists()
    ):
        # The same rendered form sent twice (a double click, a reload): one inquiry. The
        # nonce alone must not reveal someone else's ticket, so the email must match.
        raise Http404
    params = {k: v for k, v in (("lang", lang), ("embed", "1" if _embedded(request) else "")) if v}
    suffix = f"?{urlencode(params)}" if params else ""
    # A path, not a view name: ``redirect`` would first try (and fail) to reverse it.
    return HttpResponseRedirect(token_path("portal:thanks", result.ticket) + suffix)


@xframe_options_exempt
@require_GET
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    use_language(request)
    try:
        ticket_id, customer_id = read_token(token)
    except (LinkExpired, LinkInvalid):
        return redirect("portal:find")
    ticket = selectors.ticket_detail(ticket_id=ticket_id)
    if ticket is None or ticket.customer_id != customer_id:
        return redirect("portal:find")
    context = {
        "ticket": ticket,
        "token": token,
        "embedded": _embedded(request),
        "promise": promise.for_ticket(ticket),
    }
    return framable(page(request, "portal/thanks.html", context))
