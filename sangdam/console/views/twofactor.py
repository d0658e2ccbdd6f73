"""The second step of logging in, and setting up an authenticator app (TOTP)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token

from sangdam.accounts import twofactor
from sangdam.console.permissions import agent_of


def _next(request: HttpRequest) -> str:
    target = str(request.POST.get("next") or request.GET.get("next") or "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or one backup code."""
    user = agent_of(request)
    error = ""
    if request.method == "POST":
        code = str(request.POST.get("code", "")).strip().replace(" ", "")
        device = match_token(user, code) if code else None
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        error = _("That code is not valid. Try the current code from your app.")
    return render(
        request, "console/two_factor_verify.html", {"error": error, "next": _next(request)}
    )


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Scan a QR code (drawn here, nothing leaves the server), confirm with a code."""
    user = agent_of(request)
    device = twofactor.pending_device(user)
    error = ""
    if request.method == "POST":
        codes = twofactor.confirm(device, str(request.POST.get("code", "")))
        if codes is not None:
            otp_login(request, device)
            messages.success(request, _("Two-factor login is on."))
            return render(request, "console/two_factor_codes.html", {"codes": codes})
        error = _("That code is not valid. Try the current code from your app.")
    import segno  # loaded by the first page that shows a QR code, not by every process

    qr = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#111")
    return render(
        request,
        "console/two_factor_enrol.html",
        {
            "qr": qr,
            "secret": twofactor.secret_of(device),
            "error": error,
            "enrolled": twofactor.is_enrolled(user),
            "required": twofactor.must_enrol(user),
        },
    )
