"""``{% counsel_actions ticket %}``: on a ticket from 상담톡, the agent's buttons to end the
customer's session or block them (the ticket page includes it; other tickets get nothing)."""

from __future__ import annotations

from typing import Any

from django import template

from sangdam.connectors.kakao.agent_actions import counsel_of
from sangdam.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("kakao/counsel_actions.html")
def counsel_actions(ticket: Ticket) -> dict[str, Any]:
    return {"ticket": ticket, "counsel": counsel_of(ticket)}
