"""Template tags of the console's frame (the header's unread notifications)."""

from __future__ import annotations

from typing import Any

from django import template

from sangdam.console.notifications import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: Any) -> int:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)
