"""The KakaoTalk channel's own domain events (audit rows with the acting agent)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sangdam.tickets.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class CounselSessionEnded(DomainEvent):
    """An agent ended the customer's 상담톡 session from the ticket page."""

    kind: ClassVar[str] = "kakao_session_ended"
    user_key: str


@dataclass(frozen=True, kw_only=True)
class CounselUserBlocked(DomainEvent):
    """An agent blocked the customer on the KakaoTalk channel (Kakao's user block)."""

    kind: ClassVar[str] = "kakao_user_blocked"
    user_key: str
