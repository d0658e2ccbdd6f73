"""What follows a new message that came through the webhook door."""

from __future__ import annotations

from sangdam.connectors.intake import IntakeResult


def after_intake(result: IntakeResult) -> None:
    """Enqueue the follow-ups of a new inbound message (none yet)."""
    return None
