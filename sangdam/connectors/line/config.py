"""A LINE channel's settings (``Channel.config``) and credentials (``Channel.secrets``)."""

from __future__ import annotations

from django.utils.translation import gettext_noop
from pydantic import BaseModel, Field


class LineConfig(BaseModel):
    """Non-secret settings, edited on the channel's admin page."""

    basic_id: str = Field(
        "",
        title="Basic ID",
        description=gettext_noop(
            "The account's LINE ID as shown in the console, e.g. @123abcde: "
            "the contact page's add-friend link and QR code use it."
        ),
        max_length=40,
    )
    welcome_text: str = Field(
        "",
        title="Welcome text",
        description=gettext_noop(
            "Sent when someone adds the account as a friend (empty: a short default)."
        ),
        max_length=2000,
    )
    offer_topics: bool = Field(
        True,
        title="Offer topics",
        description=gettext_noop("Show the help desk's topics as buttons under the welcome text."),
    )
    send_images: bool = Field(
        True,
        title="Send images",
        description=gettext_noop(
            "Send an agent's images as LINE images. LINE fetches them from this "
            "server, so SITE_URL must be public HTTPS; otherwise replies carry text only."
        ),
    )


class LineSecrets(BaseModel):
    """Credentials from the LINE Developers console, encrypted at rest."""

    channel_secret: str = Field(
        ..., title="Channel secret", description=gettext_noop("Basic settings tab."), min_length=1
    )
    channel_access_token: str = Field(
        ...,
        title="Channel access token",
        description=gettext_noop("Messaging API tab: the long-lived token."),
        min_length=1,
    )
