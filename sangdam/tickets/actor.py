"""Who performs an action: an agent, the customer, the system, or a connector."""

from __future__ import annotations

from dataclasses import dataclass

from sangdam.accounts.models import User


@dataclass(frozen=True)
class Actor:
    label: str  # "agent", "customer", "system", "connector:<kind>", "api"
    user: User | None = None

    @classmethod
    def agent(cls, user: User) -> Actor:
        return cls("agent", user)


SYSTEM = Actor("system")
CUSTOMER = Actor("customer")
