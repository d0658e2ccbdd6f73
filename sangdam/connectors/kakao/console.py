"""The console's page for 알림톡 templates (admins): list, write, preview as you type.

Kakao sends an 알림톡 only when it matches the template it approved, so the page is where
an admin copies the approved text, code and buttons; the form refuses what 알림톡 cannot
carry (:mod:`sangdam.connectors.kakao.template_form`) and the preview shows the message
filled with sample values while it is typed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sangdam.connectors.kakao.agent_actions import do_block_counsel_user, do_end_counsel
from sangdam.connectors.kakao.models import AlimTalkTemplate
from sangdam.connectors.kakao.template_form import (
    Preview,
    TemplateForm,
    check_body,
    parse_buttons,
    preview_of,
)
from sangdam.connectors.kakao.template_text import TemplateMismatch
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.console.permissions import admin_required, agent_of, agent_required
from sangdam.tickets.actor import Actor
from sangdam.tickets.errors import DomainError
from sangdam.tickets.models import Ticket


@admin_required
def templates(request: HttpRequest) -> HttpResponse:
    rows = AlimTalkTemplate.objects.select_related("channel").order_by("channel__name", "code")
    return render(
        request,
        "kakao/alimtalk_templates.html",
        {
            "templates": list(rows),
            "has_channel": Channel.objects.filter(kind=ChannelKind.KAKAO).exists(),
            "section": "alimtalk",
        },
    )


@admin_required
def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    template = (
        get_object_or_404(AlimTalkTemplate, pk=template_id) if template_id else AlimTalkTemplate()
    )
    form = TemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("알림톡 template %(code)s saved.") % {"code": template.code})
        return redirect("console:admin_alimtalk")
    body = str(form["body"].value() or "")
    lines = str(form["button_lines"].value() or "")
    return render(
        request,
        "kakao/alimtalk_template_form.html",
        {
            "form": form,
            "template": template,
            "title": template.code if template.pk else _("New 알림톡 template"),
            "preview": _preview(body, lines),
            "section": "alimtalk",
        },
    )


@require_POST
@admin_required
def template_preview(request: HttpRequest) -> HttpResponse:
    """The preview box for what is typed now (the form posts here as it changes)."""
    result = _preview(str(request.POST.get("body") or ""), str(request.POST.get("button_lines") or ""))  # fmt: skip
    return render(request, "kakao/alimtalk_preview.html", {"preview": result})


def _preview(body: str, lines: str) -> Preview | list[str]:
    """The filled-in message, or the reasons it cannot be shown (for a person)."""
    errors: list[str] = []
    buttons: list[dict[str, str]] = []
    try:
        check_body(body)
    except forms.ValidationError as exc:
        errors += exc.messages
    try:
        buttons = parse_buttons(lines)
    except forms.ValidationError as exc:
        errors += exc.messages
    if not body.strip() and not errors:
        return []
    if errors:
        return errors
    try:
        return preview_of(body, buttons)
    except TemplateMismatch as exc:
        return [str(exc)]


# --- 상담톡 actions on the ticket page -------------------------------------------------------


@require_POST
@agent_required
def counsel_end(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _counsel_action(request, ticket_id, end=True)


@require_POST
@agent_required
def counsel_block(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _counsel_action(request, ticket_id, end=False)


def _counsel_action(request: HttpRequest, ticket_id: int, *, end: bool) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.select_related("channel"), pk=ticket_id)
    actor = Actor.agent(agent_of(request))
    try:
        if end:
            do_end_counsel(ticket=ticket, actor=actor)
            messages.success(request, _("The customer's 상담톡 session was ended."))
        else:
            do_block_counsel_user(ticket=ticket, actor=actor)
            messages.success(request, _("The customer was blocked on the KakaoTalk channel."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("console:ticket", ticket_id=ticket.pk)
