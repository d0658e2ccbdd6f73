"""Issuing API tokens. Only a hash is stored, so the raw token is returned exactly once."""

from __future__ import annotations

from dataclasses import dataclass

from sangdam.accounts.models import ApiToken, User, hash_token

PREFIX_LENGTH = 10


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # show it to the person now: it cannot be recovered later


def create_api_token(*, user: User, name: str) -> IssuedToken:
    """Create a Bearer token for ``user``; the prefix lets people tell tokens apart."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:120], prefix=raw[:PREFIX_LENGTH], token_hash=hash_token(raw)
    )
    return IssuedToken(token=token, raw=raw)
