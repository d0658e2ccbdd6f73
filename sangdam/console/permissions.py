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

from sangdam.accounts.models import User

View = Callable[..., HttpResponseBase]


def agent_of(request: HttpRequest) -> User:
    """The logged-in agent; the decorators below guarantee there is one."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def agent_required(view: View) -> View:
    """Logged in; POSTs only from users who may write (read-only users get 403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD") and not agent_of(request).can_write:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def admin_required(view: View) -> View:
    """Logged in with the admin role (or superuser); everyone else gets 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not agent_of(request).is_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)
