"""The agent behind a console session, read together with what every page asks of them.

Each console page checks whether the agent owes a second factor (are they enrolled?) and
shows their unread notifications in the header. Asked on their own, those were two more
queries on every page; the session's user is read on every request anyway, so this backend
reads both answers in the same query, compiled once (compiling it took three times as long
as running it). ``twofactor.is_enrolled`` and ``notifications.unread_count`` use them when
present; a user loaded any other way (API tokens, the shell) is asked as before.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django_otp.plugins.otp_totp.models import TOTPDevice

from sangdam.accounts.models import User
from sangdam.accounts.twofactor import ENROLLED_FIELD
from sangdam.console.models import Notification
from sangdam.console.notifications import UNREAD_FIELD
from sangdam.core.compiled import MARKER, CompiledQuery


def _session_user(user_id: int) -> QuerySet[User]:
    unread = (
        Notification.objects.filter(user_id=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return User._default_manager.annotate(
        **{
            ENROLLED_FIELD: Exists(
                TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)
            ),
            UNREAD_FIELD: Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
        }
    ).filter(pk=user_id)


SESSION_USER = CompiledQuery(User, _session_user, MARKER)


class ConsoleBackend(ModelBackend):
    """Django's model backend (password logins unchanged) with a richer ``get_user``."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            found = SESSION_USER.run(int(user_id))
        except (TypeError, ValueError):
            return None
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
