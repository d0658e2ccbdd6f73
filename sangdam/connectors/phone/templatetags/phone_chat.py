"""``{% chat_callback_form %}``: the live chat's "Call me back" form, when a phone line
takes call backs (the chat page includes it; the form posts to ``/chat/<key>/callback``)."""

from __future__ import annotations

from typing import Any

from django import template

from sangdam.connectors.phone.services import phone_channel
from sangdam.connectors.phone.views_public import CallbackRequestForm

register = template.Library()


@register.inclusion_tag("phone_channel/chat_callback.html")
def chat_callback_form() -> dict[str, Any]:
    if phone_channel() is None:
        return {"offered": False}
    return {"offered": True, "form": CallbackRequestForm(auto_id="callback-%s")}
