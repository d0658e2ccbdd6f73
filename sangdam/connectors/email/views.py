"""Console admin pages for IMAP mailboxes: list with last poll and error, create, edit, test.

They sit in the console's admin area (same layout, ``admin_required``) but live in the
email app with the form and templates they need, and their own translations.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sangdam.connectors.email.forms import MailboxForm
from sangdam.connectors.email.models import Mailbox
from sangdam.console.permissions import admin_required

# The admin tab's label (console/admin/base.html); defined here so it is in this app's catalog.
TAB_LABEL = gettext_lazy("Mailboxes")


@admin_required
def mailboxes(request: HttpRequest) -> HttpResponse:
    rows = Mailbox.objects.select_related("channel").order_by("channel__name", "host", "username")
    return render(
        request, "email_channel/mailboxes.html", {"mailboxes": rows, "section": "mailboxes"}
    )


def _edit(request: HttpRequest, form: MailboxForm, *, title: str, success: str) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, success)
        return redirect("console:admin_mailboxes")
    return render(
        request,
        "console/admin/form.html",
        {"form": form, "title": title, "section": "mailboxes", "back": "console:admin_mailboxes"},
    )


@admin_required
def mailbox_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        MailboxForm(request.POST or None),
        title=_("New mailbox"),
        success=_("Mailbox created. It is polled every minute."),
    )


@admin_required
def mailbox_edit(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=mailbox_id)
    return _edit(
        request,
        MailboxForm(request.POST or None, instance=mailbox),
        title=_("Edit mailbox %(name)s") % {"name": mailbox.username},
        success=_("Mailbox saved."),
    )


@require_POST
@admin_required
def mailbox_test(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    """Log in and open the folder now, so a wrong setting shows at once, not at the next poll."""
    mailbox = get_object_or_404(Mailbox, pk=mailbox_id)
    from sangdam.connectors.email.imap import check_connection  # the IMAP client, when asked

    error = check_connection(mailbox)
    if error:
        messages.error(request, _("Connection failed: %(error)s") % {"error": error})
    else:
        messages.success(
            request,
            _("Connected to %(host)s and opened %(folder)s.")
            % {
                "host": mailbox.host,
                "folder": mailbox.folder,
            },
        )
    return redirect("console:admin_mailboxes")
