"""The portal's own domain events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sangdam.tickets.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ConfirmationRequested(DomainEvent):
    """A homepage inquiry was accepted: mail its reference and status link to ``to``.

    Recorded in the intake's transaction, so the mail is as durable as the inquiry; its
    listener rides on the same dispatch task as the ticket's other reactions (one task per
    inquiry, not two).
    """

    kind: ClassVar[str] = "confirmation_requested"
    to: str
    language: str
