"""The default topic set a new center starts with (slug, Korean, English)."""

from __future__ import annotations

DEFAULT_TOPICS: list[tuple[str, str, str]] = [
    ("product", "상품 문의", "Product"),
    ("service", "서비스 이용", "Service"),
    ("account", "계정", "Account"),
    ("payment-refund", "결제 및 환불", "Payment & refund"),
    ("subscription", "구독", "Subscription"),
    ("bug-report", "버그 신고", "Bug report"),
    ("abuse-report", "신고 (악용)", "Abuse report"),
    ("other", "기타", "Other"),
]


def topic_name(names: tuple[str, str, str], language: str) -> str:
    """A default topic's name in ``language`` (Korean for ``ko``, English otherwise)."""
    return names[1] if language.startswith("ko") else names[2]
