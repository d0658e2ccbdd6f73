"""Console admin pages: register an app, see its key, rotate its secret, push set-up.

A secret is shown once, on the page that created it; afterwards only its existence is.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sangdam.connectors.app import services
from sangdam.connectors.app.forms import AppForm, PushCredentialsForm
from sangdam.connectors.app.models import App
from sangdam.console.permissions import admin_required

SECTION = "apps"


@admin_required
def apps(request: HttpRequest) -> HttpResponse:
    rows = App.objects.select_related("channel").order_by("name", "id")
    return render(request, "app_channel/apps.html", {"apps": rows, "section": SECTION})


@admin_required
def app_create(request: HttpRequest) -> HttpResponse:
    form = AppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        app = services.create_app(
            name=form.cleaned_data["name"],
            platform=form.cleaned_data["platform"],
            channel=form.cleaned_data["channel"],
            anonymous_allowed=form.cleaned_data["anonymous_allowed"],
        )
        return _show_secret(request, app, str(app.secrets["current"]))
    return render(
        request,
        "app_channel/app_form.html",
        {"form": form, "title": _("New app"), "section": SECTION},
    )


@admin_required
def app_edit(request: HttpRequest, app_id: int) -> HttpResponse:
    app = get_object_or_404(App, pk=app_id)
    form = AppForm(request.POST or None, instance=app, prefix="app")
    push = PushCredentialsForm(request.POST or None, prefix="push")
    if request.method == "POST" and form.is_valid() and push.is_valid():
        app = form.save(commit=False)
        if form.cleaned_data["channel"] is None:
            app.channel = services.default_app_channel()
        app.save(update_fields=["name", "platform", "channel", "anonymous_allowed", "enabled"])
        services.set_push_credentials(app=app, **push.credentials())
        messages.success(request, _("App saved."))
        return redirect("console:admin_apps")
    context = {
        "form": form,
        "push": push,
        "app": app,
        "configured": {
            k: bool(app.secrets.get(k)) for k in ("fcm_service_account", "apns", "vapid")
        },
        "title": _("Edit %(name)s") % {"name": app.name},
        "section": SECTION,
    }
    return render(request, "app_channel/app_form.html", context)


@admin_required
@require_POST
def app_rotate(request: HttpRequest, app_id: int) -> HttpResponse:
    app = get_object_or_404(App, pk=app_id)
    secret = services.rotate_secret(app=app)
    app.refresh_from_db()
    return _show_secret(request, app, secret)


def _show_secret(request: HttpRequest, app: App, secret: str) -> HttpResponse:
    context = {"app": app, "secret": secret, "section": SECTION}
    response = render(request, "app_channel/secret.html", context)
    response["Cache-Control"] = "no-store"
    return response
