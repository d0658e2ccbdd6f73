"""The customer's status page (reached by magic link) and "find my inquiry".

The signed token in the URL is the customer's only key: it names one ticket and its
customer. The page shows public messages only; replies go through the intake pipeline
like any other inbound message, so they thread, reopen and notify exactly the same way.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sangdam.connectors.base import InboundAttachment, SenderIdentity
from sangdam.connectors.intake import receive
from sangdam.connectors.webform import Submission, to_inbound, webform_channel
from sangdam.core.downloads import attachment_response
from sangdam.core.ratelimit import client_ip
from sangdam.customers.models import Identity
from sangdam.portal.common import page, upload_view, use_language, within_limit
from sangdam.portal.forms import FindForm, ReplyForm, check_files
from sangdam.portal.links import LinkExpired, LinkInvalid, read_token, status_path
from sangdam.portal.tasks import send_portal_email
from sangdam.portal.views_inquiry import rate_limited
from sangdam.tickets import actions, selectors
from sangdam.tickets.actor import CUSTOMER
from sangdam.tickets.errors import DomainError
from sangdam.tickets.models import MessageKind, Status, Ticket

NOTICES = {"reply", "solved", "reopened", "followup"}


def _ticket_for(request: HttpRequest, token: str) -> Ticket | HttpResponse:
    try:
        ticket_id, customer_id = read_token(token)
    except LinkExpired:
        return page(request, "portal/link_invalid.html", {"expired": True}, status=410)
    except LinkInvalid:
        return page(request, "portal/link_invalid.html", {"expired": False}, status=404)
    ticket = selectors.ticket_detail(ticket_id=ticket_id)
    if ticket is None or ticket.customer_id != customer_id:
        return page(request, "portal/link_invalid.html", {"expired": False}, status=404)
    return ticket


def _to(ticket: Ticket, lang: str, notice: str = "") -> HttpResponse:
    query = "&".join(
        p for p in (f"lang={lang}" if lang else "", f"done={notice}" if notice else "") if p
    )
    url = status_path(ticket)
    # A path: ``redirect`` would first try (and fail) to reverse it as a view name.
    return HttpResponseRedirect(
        url + (f"?{query}" if query else "") + ("#latest" if notice == "reply" else "")
    )


@upload_view
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, token: str) -> HttpResponse:
    lang = use_language(request)
    found = _ticket_for(request, token)
    if isinstance(found, HttpResponse):
        return found
    ticket = found
    if (
        ticket.merged_into_id
        and ticket.merged_into
        and ticket.merged_into.customer_id == ticket.customer_id
    ):
        return _to(ticket.merged_into, lang)
    form = ReplyForm(initial={"nonce": uuid.uuid4().hex})
    file_errors: list[str] = []
    error = ""
    if request.method == "POST":
        if not within_limit("ip", client_ip(request), settings.PORTAL_RATE_LIMIT_PER_IP):
            return rate_limited(request)
        action = request.POST.get("action", "reply")
        if action in ("solve", "reopen"):
            try:
                return _change_status(ticket, action, lang)
            except DomainError as exc:
                error = exc.message
        else:
            form = ReplyForm(request.POST)
            valid = form.is_valid()
            files, file_errors = check_files(request.FILES.getlist("attachments"))
            if valid and not file_errors and not form.cleaned_data["website"]:
                return _reply(ticket, form, files, lang)
    messages = [
        m
        for m in selectors.ticket_messages(ticket=ticket, include_notes=False)
        if m.kind == MessageKind.PUBLIC
    ]
    notice = str(request.GET.get("done") or "")
    context = {
        "ticket": ticket,
        "token": token,
        "thread": messages,
        "form": form,
        "file_errors": file_errors,
        "error": error,
        "notice": notice if notice in NOTICES else "",
        "lang": lang,
        "max_files": settings.PORTAL_MAX_FILES,
        "max_mb": settings.ATTACHMENT_MAX_BYTES // 2**20,
        "closed": ticket.status == Status.CLOSED,
        "can_solve": ticket.is_open,
        "can_reopen": ticket.status == Status.SOLVED,
    }
    status_code = 400 if request.method == "POST" else 200
    return page(request, "portal/status.html", context, status=status_code)


def _change_status(ticket: Ticket, action: str, lang: str) -> HttpResponse:
    if action == "solve":
        if not ticket.is_open:
            raise DomainError(_("This inquiry is already solved or closed."))
        actions.do_change_status(ticket=ticket, actor=CUSTOMER, status=Status.SOLVED)
        return _to(ticket, lang, "solved")
    if ticket.status == Status.CLOSED:
        raise DomainError(
            _(
                "This inquiry is closed and cannot be reopened. Write below to start a new "
                "inquiry linked to it."
            )
        )
    actions.do_change_status(ticket=ticket, actor=CUSTOMER, status=Status.OPEN)
    return _to(ticket, lang, "reopened")


def _sender(ticket: Ticket) -> tuple[str, str]:
    """The identity the customer is known by: replies thread onto their own ticket."""
    identities = list(Identity.objects.filter(customer=ticket.customer_id).order_by("created_at"))
    email = next((i for i in identities if i.kind == "email"), None)
    chosen = email or (identities[0] if identities else None)
    if chosen is None:
        raise Http404
    return chosen.kind, chosen.value


def _reply(
    ticket: Ticket, form: ReplyForm, files: list[InboundAttachment], lang: str
) -> HttpResponse:
    channel = webform_channel()
    if channel is None:
        raise Http404(_("The inquiry form is switched off."))
    kind, value = _sender(ticket)
    submission = Submission(
        nonce=form.cleaned_data["nonce"][:64],
        name=ticket.customer.name,
        email=value if kind == "email" else "",
        text=form.cleaned_data["text"],
        subject=ticket.subject,  # used only if a closed ticket makes this a new inquiry
        ticket_reference=ticket.reference,
        files=tuple(files),
        language=ticket.language,
    )
    inbound = to_inbound(submission, channel)
    if kind != "email":
        # A customer known only by, say, Telegram replies as that identity.
        inbound = replace(inbound, identities=(SenderIdentity(kind, value),))
    with transaction.atomic():
        result = receive(inbound)
    if result.ticket.pk != ticket.pk:
        # The ticket was closed: the intake opened a new one that follows it up.
        return _to(result.ticket, lang, "followup")
    return _to(ticket, lang, "reply")


@require_GET
def attachment(request: HttpRequest, token: str, attachment_id: int) -> HttpResponseBase:
    found = _ticket_for(request, token)
    if isinstance(found, HttpResponse):
        return found
    item = selectors.attachment_detail(attachment_id=attachment_id)
    if (
        item is None
        or item.message.ticket_id != found.pk
        or item.message.kind != MessageKind.PUBLIC
    ):
        raise Http404
    return attachment_response(item)


@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    """Email a fresh link when email and reference match; the same answer either way."""
    lang = use_language(request)
    if request.method == "POST":
        if not within_limit("ip", client_ip(request), settings.PORTAL_RATE_LIMIT_PER_IP):
            return rate_limited(request)
        form = FindForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"].strip().lower()
            if not within_limit("find", email, settings.PORTAL_RATE_LIMIT_PER_EMAIL):
                return rate_limited(request)
            ticket = selectors.ticket_by_reference(reference=form.cleaned_data["reference"])
            if (
                ticket is not None
                and Identity.objects.filter(
                    customer=ticket.customer_id, kind="email", value=email
                ).exists()
            ):
                send_portal_email.enqueue(ticket.pk, email, "link", lang or ticket.language)
            return page(request, "portal/find_sent.html", {"lang": lang})
    else:
        form = FindForm()
    return page(
        request,
        "portal/find.html",
        {"form": form, "lang": lang},
        status=400 if request.method == "POST" else 200,
    )
