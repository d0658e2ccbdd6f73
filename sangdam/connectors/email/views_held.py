"""Console pages for held mail: the agents' folder (spam, automatic replies, mail over
the sender limit) and the admins' bounce log, with a look at each mail and "release".

They live in the email app next to the model, like the mailbox pages, and use the
console's layout and permission decorators.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sangdam.connectors.email.held import AGENT_REASONS, held_mail, release_held
from sangdam.connectors.email.models import HeldMail, HeldReason
from sangdam.connectors.email.parse import parse_email
from sangdam.console.permissions import admin_required, agent_of, agent_required
from sangdam.tickets.models import Ticket

# Labels defined here so they are in this app's catalog (console templates use them).
NAV_LABEL = gettext_lazy("Held mail")
TAB_LABEL = gettext_lazy("Bounces")
PAGE_SIZE = 100


@agent_required
def held_folder(request: HttpRequest) -> HttpResponse:
    reason = request.GET.get("reason", "")
    reasons = (reason,) if reason in AGENT_REASONS else AGENT_REASONS
    released = request.GET.get("released") == "1"
    rows = held_mail(reasons=reasons, released=released)[:PAGE_SIZE]
    return render(
        request,
        "email_channel/held.html",
        {
            "rows": rows,
            "reason": reason,
            "released": released,
            "reasons": [(r, HeldReason(r).label) for r in AGENT_REASONS],
            "section": "held",
        },
    )


@admin_required
def bounce_log(request: HttpRequest) -> HttpResponse:
    rows = held_mail(reasons=(HeldReason.BOUNCE,))[:PAGE_SIZE]
    return render(request, "email_channel/bounces.html", {"rows": rows, "section": "bounces"})


def _may_see(request: HttpRequest, held: HeldMail) -> bool:
    return held.reason != HeldReason.BOUNCE or agent_of(request).is_admin


@agent_required
def held_detail(request: HttpRequest, held_id: int) -> HttpResponse:
    held = get_object_or_404(HeldMail.objects.select_related("channel"), pk=held_id)
    if not _may_see(request, held):
        return HttpResponse(status=403)
    parsed = parse_email(bytes(held.raw), channel_id=held.channel_id)
    text = ""
    if parsed.inbound is not None:
        text = parsed.inbound.message_metadata.get("email", {}).get("full_text") or (
            parsed.inbound.text
        )
    elif parsed.bounce is not None:
        text = parsed.bounce.reason
    return render(
        request,
        "email_channel/held_detail.html",
        {
            "held": held,
            "text": text[:20000],
            "section": "bounces" if held.reason == HeldReason.BOUNCE else "held",
        },
    )


@require_POST
@agent_required
def held_release(request: HttpRequest, held_id: int) -> HttpResponse:
    """Run the normal intake on a held mail; go to the ticket it made."""
    held = get_object_or_404(HeldMail, pk=held_id)
    if not _may_see(request, held):
        return HttpResponse(status=403)
    outcome = release_held(held=held, user=agent_of(request))
    if outcome.startswith("ticket "):
        reference = outcome.removeprefix("ticket ")
        ticket = Ticket.objects.filter(reference=reference).only("pk").first()
        messages.success(request, _("Released: %(reference)s.") % {"reference": reference})
        if ticket is not None:
            return redirect("console:ticket", ticket.pk)
    else:
        messages.info(request, _("Released: %(outcome)s.") % {"outcome": outcome})
    return redirect(reverse("console:held_detail", args=[held.pk]))
