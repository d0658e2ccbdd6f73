"""Django's own admin (/django-admin/) behind the console's login and second factor.

The stock admin has its own password-only login form, which would let an enrolled
superuser in without the code. Here its login page sends people to the console login (or
to the code they still owe), and no admin page opens for a session that owes one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from sangdam.accounts import twofactor
from sangdam.accounts.models import User


def _owes_second_factor(request: HttpRequest) -> bool:
    user = request.user
    if not isinstance(user, User) or twofactor.session_verified(request.session):
        return False
    return twofactor.is_enrolled(user) or twofactor.must_enrol(user)


class SangdamAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not _owes_second_factor(request)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        next_url = request.GET.get("next") or reverse("admin:index")
        query = urlencode({"next": next_url})
        user = request.user
        if isinstance(user, User) and _owes_second_factor(request):
            if twofactor.is_enrolled(user):
                return redirect(f"{reverse('console:two_factor_verify')}?{query}")
            return redirect(reverse("console:two_factor_enrol"))
        if user.is_authenticated:
            raise PermissionDenied  # logged in, but not staff: no login form would help
        return redirect(f"{reverse('console:login')}?{query}")
