"""A live chat channel's settings and its visitors' signed tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.core import signing
from django.utils.translation import gettext_noop
from pydantic import BaseModel, Field

from sangdam.connectors.models import Channel

TOKEN_SALT = "sangdam.livechat.visitor"  # noqa: S105 (a salt, not a secret)
# A visitor who comes back within this time finds their conversation again; every visit
# gets a fresh token, so only a browser silent for this long starts over.
TOKEN_MAX_AGE = 180 * 24 * 3600
# Client message ids: what the widget makes (crypto.randomUUID or a random base-36 string).
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
MAX_TEXT = 5000


class LivechatConfig(BaseModel):
    color: str = Field(
        default="#1a56db",
        pattern=r"^#[0-9A-Fa-f]{6}$",
        description=gettext_noop("The launcher and header colour."),
    )
    position: str = Field(
        default="right",
        pattern=r"^(left|right)$",
        title=gettext_noop("Launcher position"),
        description=gettext_noop("Where the launcher sits: left or right."),
    )
    greeting: str = Field(
        default="",
        max_length=500,
        description=gettext_noop("The first line a visitor reads (empty: a default)."),
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description=gettext_noop(
            "Sites that may embed the widget (https://shop.example.com); empty: any."
        ),
    )
    # Read by routing (sangdam/routing/engine.py, the channel's ``handover_seconds``): a
    # chat routing gave an agent who has not answered within this time goes to another
    # online agent. 0: the team's offer timeout applies (if any).
    handover_seconds: int = Field(
        default=0,
        ge=0,
        le=3600,
        description=gettext_noop("Hand an unanswered chat over after (seconds)."),
    )


def channel_config(channel: Channel) -> LivechatConfig:
    raw = channel.config if isinstance(channel.config, dict) else {}
    return LivechatConfig.model_validate(
        {k: v for k, v in raw.items() if k in LivechatConfig.model_fields}
    )


def identity_signature(secret: str, user_id: str) -> str:
    """The app API's scheme: hex HMAC-SHA256(secret, user id), made by the site's backend."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def verified_user(channel: Channel, user_id: str, signature: str) -> bool:
    """Whether the website's backend vouched for ``user_id`` with the channel's secret."""
    secret = str((channel.secrets or {}).get("identity_secret") or "")
    if not secret or not user_id or not signature:
        return False
    return hmac.compare_digest(identity_signature(secret, user_id), signature.strip().lower())


class BadToken(Exception):
    """A visitor token that is forged, expired or made for another channel."""


def new_visitor() -> str:
    return secrets.token_urlsafe(16)


def visitor_token(channel: Channel, visitor: str) -> str:
    """Signed (SECRET_KEY, salted) and timestamped: the browser keeps it in localStorage."""
    return signing.dumps({"c": channel.pk, "v": visitor}, salt=TOKEN_SALT, compress=False)


def visitor_from_token(channel: Channel, token: str) -> str:
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is one
        raise BadToken(str(exc)) from exc
    if not isinstance(data, dict) or data.get("c") != channel.pk or not data.get("v"):
        raise BadToken("the token belongs to another channel")
    return str(data["v"])


def visitor_group(channel: Channel | int, visitor: str) -> str:
    """The channel-layer group of one visitor's sockets (every tab of that browser)."""
    pk = channel if isinstance(channel, int) else channel.pk
    return f"livechat.{pk}.{visitor}"
