"""Who may see and change what in the console.

Every console page needs a logged-in agent; read-only users see everything but every
POST they send is refused (403), whatever the template showed them; admin pages are for
the admin role only. The checks live here so a view cannot forget one half of them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from sangdam.accounts import twofactor
from sangdam.accounts.models import User

View = Callable[..., HttpResponseBase]


def agent_of(request: HttpRequest) -> User:
    """The logged-in agent; the decorators below guarantee there is one."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def second_factor_missing(request: HttpRequest) -> HttpResponseBase | None:
    """Where to send a logged-in agent who still owes the second factor, if anywhere.

    Enrolled agents verify a code once per session; with TWO_FACTOR_REQUIRED_FOR_ADMINS an
    admin without an authenticator must set one up before anything else.
    """
    user = agent_of(request)
    if twofactor.session_verified(request.session):
        return None
    query = urlencode({"next": request.get_full_path()})
    if twofactor.is_enrolled(user):
        return redirect(f"{reverse('console:two_factor_verify')}?{query}")
    if twofactor.must_enrol(user):
        return redirect(reverse("console:two_factor_enrol"))
    return None


def agent_required(view: View) -> View:
    """Logged in (both factors when enrolled); POSTs only from users who may write."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        detour = second_factor_missing(request)
        if detour is not None:
            return detour
        if request.method not in ("GET", "HEAD") and not agent_of(request).can_write:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def admin_required(view: View) -> View:
    """Logged in with the admin role (or superuser); everyone else gets 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        detour = second_factor_missing(request)
        if detour is not None:
            return detour
        if not agent_of(request).is_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)
