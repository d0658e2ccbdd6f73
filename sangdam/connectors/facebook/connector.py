"""The Facebook Messenger and Instagram Direct connectors (Meta's Messenger Platform).

Both verify the same way (GET ``hub.challenge`` handshake with the verify token, then
``X-Hub-Signature-256`` = HMAC-SHA256 of the raw body with the app secret), parse the same
envelope and send through the same Send API (``POST /me/messages`` with the page access
token). They differ in the identity kind (page-scoped ids are per platform), the profile
fields, the text limit and the chat link (``m.me/<page>`` / ``ig.me/m/<username>``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, ClassVar

from django.utils.translation import gettext_noop
from pydantic import BaseModel, Field, ValidationError, field_validator

from sangdam.connectors.base import (
    Capabilities,
    DeliveryError,
    OutboundMessage,
    Parsed,
    WebhookAnswer,
    WebhookConnector,
    WebhookRejected,
    WebhookRequest,
)
from sangdam.connectors.facebook.graph import DEFAULT_API_VERSION, GraphClient, GraphError
from sangdam.connectors.facebook.parse import Context, parse_body
from sangdam.connectors.registry import register
from sangdam.connectors.reply_window import CLOSED, OPEN, TAGGED, window_for_reply

if TYPE_CHECKING:
    from sangdam.connectors.models import Channel, InboundEvent

STANDARD_WINDOW = dt.timedelta(hours=24)
HUMAN_AGENT_WINDOW = dt.timedelta(days=7)
SIGNATURE_HEADER = "X-Hub-Signature-256"


class MetaConfig(BaseModel):
    """Non-secret settings (``Channel.config``)."""

    page_id: str = Field(
        "",
        description=gettext_noop(
            "Messenger: the Facebook Page id. Instagram: the Instagram professional account id. "
            "Events for other pages of the same app are ignored."
        ),
    )
    username: str = Field(
        "",
        description=gettext_noop(
            "The Page's username (m.me/<username>) or the Instagram username "
            "(ig.me/m/<username>), for the contact page's link and QR code."
        ),
    )
    verify_token: str = Field(
        default_factory=lambda: secrets.token_urlsafe(24),
        description=gettext_noop(
            "Paste it into Meta's webhook settings (Verify token); generated for you."
        ),
    )
    api_version: str = Field(
        DEFAULT_API_VERSION, description=gettext_noop("Graph API version of the calls.")
    )

    @field_validator("verify_token")
    @classmethod
    def _generate_when_blank(cls, value: str) -> str:
        return value.strip() or secrets.token_urlsafe(24)

    human_agent: bool = Field(
        False,
        description=gettext_noop(
            "Let agents answer up to 7 days after the customer's last message (HUMAN_AGENT "
            "tag). Turn on only once Meta granted the Human Agent permission."
        ),
    )


class MetaSecrets(BaseModel):
    """Tokens (``Channel.secrets``, encrypted at rest)."""

    page_access_token: str = Field(
        ...,
        min_length=1,
        description=gettext_noop("The Page access token (a system user's for production)."),
    )
    app_secret: str = Field(
        ...,
        min_length=1,
        description=gettext_noop("App settings → Basic → App secret: checks every webhook."),
    )


def _config(channel: Channel) -> MetaConfig:
    raw = channel.config if isinstance(channel.config, dict) else {}
    try:
        return MetaConfig.model_validate(raw)
    except ValidationError:
        return MetaConfig.model_validate({})


def _secret(channel: Channel, name: str) -> str:
    raw = channel.secrets if isinstance(channel.secrets, dict) else {}
    return str(raw.get(name) or "")


def signature(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` header value Meta sends for ``body``."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


class MetaConnector(WebhookConnector):
    """What Messenger and Instagram share; subclasses name the platform."""

    lean_lane = True  # POSTs read headers and body only (connectors/webhooks/lane.py)
    capabilities: ClassVar[Capabilities] = Capabilities(
        attachments=True, read_receipts=True, reply_window=STANDARD_WINDOW
    )
    config_class: ClassVar[type[BaseModel] | None] = MetaConfig
    secrets_class: ClassVar[type[BaseModel] | None] = MetaSecrets
    profile_fields: ClassVar[str]
    text_limit: ClassVar[int]
    platform_name: ClassVar[str]

    # --- the door ------------------------------------------------------------------------

    def handshake(self, channel: Channel, request: WebhookRequest) -> WebhookAnswer | None:
        """Meta's subscription check: echo ``hub.challenge`` if the verify token matches."""
        if request.method != "GET" or "hub.mode" not in request.query:
            return None
        # Shown on the channel page (config); older channels kept it with the secrets.
        raw = channel.config if isinstance(channel.config, dict) else {}
        expected = str(raw.get("verify_token") or "") or _secret(channel, "verify_token")
        given = request.query.get("hub.verify_token", "")
        challenge = request.query.get("hub.challenge", "")
        if (
            request.query.get("hub.mode") != "subscribe"
            or not expected
            or not hmac.compare_digest(given.encode(), expected.encode())
        ):
            return WebhookAnswer(status=403, body=b"verify token mismatch")
        if not challenge or len(challenge) > 200 or not challenge.isascii():
            return WebhookAnswer(status=400, body=b"missing or odd hub.challenge")
        return WebhookAnswer(status=200, body=challenge.encode())

    def verify(self, channel: Channel, request: WebhookRequest) -> None:
        app_secret = _secret(channel, "app_secret")
        if not app_secret:
            raise WebhookRejected("the channel has no app secret configured", status=403)
        header = request.headers.get(SIGNATURE_HEADER, "")
        if not header:
            raise WebhookRejected(f"missing {SIGNATURE_HEADER}", status=401)
        expected = signature(app_secret, request.body)
        if not hmac.compare_digest(header.strip().lower().encode(), expected.encode()):
            raise WebhookRejected(f"{SIGNATURE_HEADER} does not match the body", status=403)

    def parse(self, channel: Channel, event: InboundEvent) -> list[Parsed]:
        return parse_body(self._context(channel), bytes(event.body))

    def _context(self, channel: Channel) -> Context:
        return Context(
            channel_id=channel.pk,
            kind=self.identity_kind,
            page_id=_config(channel).page_id,
            graph=self._graph(channel),
        )

    def _graph(self, channel: Channel) -> GraphClient | None:
        token = _secret(channel, "page_access_token")
        if not token:
            return None
        return GraphClient(
            kind=self.kind,
            token=token,
            api_version=_config(channel).api_version,
            config=channel.config if isinstance(channel.config, dict) else None,
        )

    # --- sending -------------------------------------------------------------------------

    def reply_window_limits(self, channel: Channel) -> tuple[dt.timedelta, dt.timedelta | None]:
        """(standard window, human-agent window when the admin enabled it)."""
        return STANDARD_WINDOW, HUMAN_AGENT_WINDOW if _config(channel).human_agent else None

    def send(self, channel: Channel, message: OutboundMessage) -> str:
        graph = self._graph(channel)
        if graph is None:
            raise DeliveryError("The channel has no page access token.", permanent=True)
        tag = self._tag_or_refuse(channel, message)
        try:
            first = ""
            # Attachments first: a retry after a failed attachment then repeats no text.
            for item in message.attachments:
                sent = graph.send_file(
                    recipient=message.recipient,
                    attachment_type=_attachment_type(item.content_type),
                    filename=item.filename,
                    content=item.content,
                    content_type=item.content_type,
                    tag=tag,
                )
                first = first or sent
            for chunk in _chunks(message.text.strip(), self.text_limit):
                sent = graph.send(recipient=message.recipient, message={"text": chunk}, tag=tag)
                first = first or sent
        except GraphError as exc:
            raise DeliveryError(str(exc), permanent=exc.permanent) from exc
        if not first:
            raise DeliveryError("The reply has neither text nor attachments.", permanent=True)
        return first

    def _tag_or_refuse(self, channel: Channel, message: OutboundMessage) -> str:
        """The message tag to send with, or a permanent error when no reply is allowed."""
        window = window_for_reply(
            channel, message_id=message.message_id, automatic=message.automatic
        )
        if window is None or window.state == OPEN:
            return ""
        if window.state == CLOSED:
            raise DeliveryError(
                window_closed_reason(
                    self.platform_name,
                    window.last_inbound_at,
                    human_agent=window.extended is not None,
                ),
                permanent=True,
            )
        return "HUMAN_AGENT" if window.state == TAGGED else ""

    # --- admin ---------------------------------------------------------------------------

    def test_connection(self, channel: Channel) -> str:
        graph = self._graph(channel)
        if graph is None:
            raise DeliveryError("Enter the page access token first.", permanent=True)
        try:
            me = graph.me(self.me_fields)
        except GraphError as exc:
            raise DeliveryError(str(exc), permanent=exc.permanent) from exc
        return self.describe(me, _config(channel))

    me_fields: ClassVar[str] = "id,name"

    def describe(self, me: dict[str, object], config: MetaConfig) -> str:
        return f"Connected to the Facebook Page {me.get('name')} ({me.get('id')})."

    def chat_link(self, channel: Channel) -> str:
        username = (_config(channel).username or channel.address).strip().lstrip("@")
        if not username:
            return ""
        if username.startswith("https://"):
            return username
        return self.link_format.format(username)

    link_format: ClassVar[str]


def window_closed_reason(platform: str, last: dt.datetime | None, *, human_agent: bool) -> str:
    """The sentence the agent sees when Meta's window has closed."""
    allowed = "7 days (human agent tag)" if human_agent else "24 hours"
    if last is None:
        return (
            f"{platform} only allows replies to customers who wrote first; this customer has "
            "not written on this channel. The reply was not sent."
        )
    return (
        f"{platform} allows replies for {allowed} after the customer's last message "
        f"(last message {last:%Y-%m-%d %H:%M} UTC). The reply was not sent; it can be sent "
        "when the customer writes again."
    )


def _attachment_type(content_type: str) -> str:
    major = content_type.split("/", 1)[0]
    return major if major in ("image", "video", "audio") else "file"


def _chunks(text: str, limit: int) -> list[str]:
    """Split on paragraph, then line, then hard limit: Meta refuses longer texts."""
    if not text:
        return []
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n\n", 0, limit)
        if cut <= 0:
            cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


@register
class FacebookConnector(MetaConnector):
    """Facebook Messenger: a Facebook Page's inbox."""

    kind = "facebook"
    identity_kind = "facebook"
    platform_name = "Messenger"
    text_limit = 2000
    link_format = "https://m.me/{}"


@register
class InstagramConnector(MetaConnector):
    """Instagram Direct: an Instagram professional account linked to a Facebook Page."""

    kind = "instagram"
    identity_kind = "instagram"
    platform_name = "Instagram"
    text_limit = 1000
    link_format = "https://ig.me/m/{}"
    me_fields = "id,name,instagram_business_account{id,username}"

    def describe(self, me: dict[str, object], config: MetaConfig) -> str:
        account = me.get("instagram_business_account")
        if not isinstance(account, dict) or not account.get("id"):
            raise DeliveryError(
                f"The page {me.get('name')} has no Instagram professional account linked.",
                permanent=True,
            )
        if config.page_id and str(account.get("id")) != config.page_id:
            raise DeliveryError(
                f"The page {me.get('name')} is linked to Instagram account {account.get('id')}, "
                f"not {config.page_id} as configured.",
                permanent=True,
            )
        return (
            f"Connected to Instagram @{account.get('username')} ({account.get('id')}) "
            f"through the Facebook Page {me.get('name')}."
        )
