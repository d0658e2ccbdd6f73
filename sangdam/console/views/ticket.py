"""The ticket page: the conversation, the customer, and the forms that change the ticket.

Every POST goes to one action in ``sangdam.tickets.actions``; a refused change
(:class:`DomainError`) is shown to the agent as a message and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sangdam.automations.macros import active_macros, render_macro
from sangdam.connectors.registry import get_connector
from sangdam.connectors.reply_window import window_for_ticket
from sangdam.console.customer_card import language_name, local_time
from sangdam.console.forms import (
    AssignForm,
    MergeForm,
    PriorityForm,
    ReplyForm,
    StatusForm,
    TopicForm,
)
from sangdam.console.notifications import mark_read
from sangdam.console.permissions import agent_of, agent_required
from sangdam.console.properties import panel_context
from sangdam.console.seen import mark_seen
from sangdam.console.staged import discard, stage, staged
from sangdam.console.timeline import last_message_id, ticket_timeline
from sangdam.core.downloads import attachment_response
from sangdam.customers.selectors import customer_identities
from sangdam.routing.engine import pending_offer
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.attachments import AttachmentRejected, check_attachments
from sangdam.tickets.errors import DomainError
from sangdam.tickets.models import Status, Ticket
from sangdam.tickets.selectors import (
    HELD_SENDER_TAG,
    attachment_detail,
    customer_tickets,
    held_original,
    messages_since,
    ticket_by_reference,
    ticket_detail,
)


def ticket_or_404(ticket_id: int) -> Ticket:
    ticket = ticket_detail(ticket_id=ticket_id)
    if ticket is None:
        raise Http404
    return ticket


def _shown_images(request: HttpRequest) -> set[int]:
    """Messages whose remote images the agent chose to load (``?images=<message id>``).

    Remote images stay out by default: loading one tells the sender the mail was read
    and from where. The choice is per message and per page view, never remembered.
    """
    value = request.GET.get("images", "")
    return {int(value)} if value.isdigit() else set()


def _macros(request: HttpRequest, ticket: Ticket) -> tuple[list[tuple[Any, str]], str]:
    """Active macros filled in for this ticket, and the text of ``?macro=<id>`` if asked."""
    agent = agent_of(request)
    filled = [(m, render_macro(m, ticket=ticket, agent=agent)) for m in active_macros()]
    chosen = request.GET.get("macro", "")
    text = next((t for m, t in filled if str(m.pk) == chosen), "")
    return filled, text


def _page(request: HttpRequest, ticket: Ticket, status: int = 200, **forms: Any) -> HttpResponse:
    macros, macro_text = _macros(request, ticket)
    identities = customer_identities(customer_id=ticket.customer_id)
    context: dict[str, Any] = {
        "ticket": ticket,
        **_timeline(ticket),
        **panel_context(ticket),
        "show_images": _shown_images(request),
        "held_from": held_original(ticket=ticket),
        "identities": identities,
        "local_time": local_time(identities),
        "customer_language": language_name(ticket.customer.language or ticket.language),
        "other_tickets": customer_tickets(customer_id=ticket.customer_id, exclude=ticket.pk),
        "metadata": sorted(ticket.metadata.items()) if isinstance(ticket.metadata, dict) else [],
        "reply_form": forms.get("reply_form")
        or ReplyForm(
            initial={"text": macro_text} if macro_text else None, written=_written(ticket)
        ),
        "macros": macros,
        "merge_form": MergeForm(),
        # Messengers with a reply window (Meta: 24 h) say so before the agent types.
        "reply_window": window_for_ticket(ticket),
        "offer": pending_offer(ticket_id=ticket.pk),
        "collision": forms.get("collision") or [],
        # (token, files) of attachments kept from a reply held back by a collision.
        "staged": forms.get("staged") or ("", []),
    }
    return render(request, "console/ticket.html", context, status=status)


def _written(ticket: Ticket) -> bool:
    """Whether the ticket's channel takes written replies (a phone line does not)."""
    connector = get_connector(ticket.channel.kind) if ticket.channel else None
    return connector is None or connector.capabilities.replies


def _timeline(ticket: Ticket) -> dict[str, Any]:
    entries = ticket_timeline(ticket=ticket)
    return {
        "timeline": entries,
        "thread": [e for e in entries if e.message is not None],
        "last_seen": last_message_id(entries),
        "inline_images": INLINE_IMAGES,
    }


def _done(ticket: Ticket) -> HttpResponse:
    return redirect("console:ticket", ticket_id=ticket.pk)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@agent_required
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(ticket_id)
    mark_read(user=agent_of(request), ticket_id=ticket.pk)  # seen: no longer news
    mark_seen(user_id=agent_of(request).pk, ticket_id=ticket.pk)
    return _page(request, ticket)


@agent_required
def thread(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The conversation alone, for the live refresh (htmx swaps #thread)."""
    ticket = ticket_or_404(ticket_id)
    return render(
        request,
        "console/partials/thread.html",
        {"ticket": ticket, **_timeline(ticket), "show_images": _shown_images(request)},
    )


def _uploaded(request: HttpRequest) -> list[tuple[str, bytes]]:
    # Read at most one byte past the limit: enough for check_attachments to refuse it.
    limit = settings.ATTACHMENT_MAX_BYTES + 1
    return [(f.name or "attachment", f.read(limit)) for f in request.FILES.getlist("attachments")]


def _written_meanwhile(request: HttpRequest, ticket: Ticket) -> list[Any]:
    """Messages newer than the form's ``last_seen`` that the agent did not write."""
    seen = request.POST.get("last_seen", "")
    if not seen.isdigit():
        return []  # an old form without the field: nothing to compare with
    return messages_since(ticket=ticket, after_id=int(seen), excluding_author=request.user.pk)


@require_POST
@agent_required
def reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(ticket_id)
    form = ReplyForm(request.POST, request.FILES, written=_written(ticket))
    if not form.is_valid():
        return _page(request, ticket, reply_form=form)
    me = agent_of(request).pk
    token = request.POST.get("staged", "")
    kept = staged(user_id=me, token=token)
    if kept is None:
        form.add_error(
            "attachments",
            _("The files you attached before are no longer kept; attach them again."),
        )
        return _page(request, ticket, reply_form=form)
    try:
        files = check_attachments(_uploaded(request))
        if len(kept) + len(files) > settings.ATTACHMENT_MAX_COUNT:
            raise AttachmentRejected(
                "too_many_attachments",
                _("At most %(count)d files can be attached.")
                % {"count": settings.ATTACHMENT_MAX_COUNT},
            )
    except AttachmentRejected as exc:
        form.add_error("attachments", exc.message)
        return _page(request, ticket, reply_form=form, staged=(token, kept))
    files = kept + files
    note = form.cleaned_data["kind"] == "note"
    collision = _written_meanwhile(request, ticket)
    if collision:
        # Someone answered (or the customer wrote) after this agent opened the page: show
        # that first and let them send again, now knowing (the form keeps their text, and
        # their files are kept server-side: a browser cannot refill a file input).
        token = stage(user_id=me, files=files, token=token)
        return _page(
            request, ticket, status=409, reply_form=form, collision=collision, staged=(token, files)
        )
    try:
        actions.do_reply(
            ticket=ticket,
            actor=Actor.agent(agent_of(request)),
            text=form.cleaned_data["text"],
            note=note,
            attachments=files,
            status=form.cleaned_data["status"] or None,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _page(request, ticket_or_404(ticket_id), reply_form=form, staged=(token, kept))
    discard(user_id=me, token=token)
    messages.success(request, _("Note added.") if note else _("Reply queued for delivery."))
    return _done(ticket)


@require_POST
@agent_required
def assign(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(ticket_id)
    actor = Actor.agent(agent_of(request))
    try:
        if request.POST.get("to_me"):
            actions.do_assign(ticket=ticket, actor=actor, assignee=actor.user)
        else:
            form = AssignForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return _done(ticket)
            actions.do_assign(
                ticket=ticket,
                actor=actor,
                assignee=form.cleaned_data["assignee"],
                team=form.cleaned_data["team"],
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    return _done(ticket)


@require_POST
@agent_required
def change_status(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(ticket_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _done(ticket)
    try:
        actions.do_change_status(
            ticket=ticket, actor=Actor.agent(agent_of(request)), status=form.cleaned_data["status"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return _done(ticket)


@require_POST
@agent_required
def update_fields(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Priority and topic; only the fields present in the POST change."""
    ticket = ticket_or_404(ticket_id)
    changes: dict[str, Any] = {}
    for name, form_class in (("priority", PriorityForm), ("topic", TopicForm)):
        if name in request.POST:
            form = form_class(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return _done(ticket)
            changes[name] = form.cleaned_data[name]
    try:
        actions.do_update_fields(ticket=ticket, actor=Actor.agent(agent_of(request)), **changes)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _done(ticket)


@require_POST
@agent_required
def merge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(ticket_id)
    form = MergeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _done(ticket)
    reference = form.cleaned_data["reference"].strip().upper()
    target = ticket_by_reference(reference=reference)
    if target is None:
        messages.error(request, _("There is no ticket %(reference)s.") % {"reference": reference})
        return _done(ticket)
    try:
        actions.do_merge_tickets(source=ticket, target=target, actor=Actor.agent(agent_of(request)))
    except DomainError as exc:
        messages.error(request, exc.message)
        return _done(ticket)
    messages.success(
        request,
        _("%(source)s was merged into %(target)s.")
        % {"source": ticket.reference, "target": target.reference},
    )
    return _done(target)


@require_POST
@agent_required
def resolve_held(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """An agent's decision on a message held because its sender is not the customer of
    the ticket it refers to: append it to that ticket, or keep it separate."""
    ticket = ticket_or_404(ticket_id)
    original = held_original(ticket=ticket)
    if original is None:
        messages.error(request, _("This ticket is not waiting for a decision."))
        return _done(ticket)
    actor = Actor.agent(agent_of(request))
    released = [tag for tag in ticket.tags if tag != HELD_SENDER_TAG]
    try:
        if request.POST.get("decision") == "append":
            # Merge first: if the original refuses (closed meanwhile), the hold stays.
            actions.do_merge_tickets(source=ticket, target=original, actor=actor)
            actions.do_update_fields(ticket=ticket, actor=actor, tags=released)
            messages.success(
                request,
                _("The message was appended to %(reference)s.") % {"reference": original.reference},
            )
            return _done(original)
        actions.do_update_fields(ticket=ticket, actor=actor, tags=released)
        if ticket.status == Status.PENDING:
            actions.do_change_status(ticket=ticket, actor=actor, status=Status.OPEN)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _done(ticket)
    messages.success(request, _("The ticket is kept separate."))
    return _done(ticket)


# Raster images a browser shows without running anything (SVG can carry script).
INLINE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@agent_required
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Attachments are served only to logged-in agents, as a download; raster images also
    inline (``?inline=1``) for the ticket page's thumbnails and gallery."""
    item = attachment_detail(attachment_id=attachment_id)
    if item is None or not item.file:
        raise Http404
    if request.GET.get("inline") and item.content_type in INLINE_IMAGES:
        try:
            handle = item.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=item.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'"
        return response
    return attachment_response(item)
