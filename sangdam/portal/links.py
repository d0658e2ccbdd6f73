"""Magic links to a customer's status page: signed, expiring, naming one ticket.

The token is the only key: whoever holds it sees that ticket's public thread, so it is
signed with the server's secret (forgery and tampering fail) and expires after
``PORTAL_LINK_MAX_AGE`` seconds. Every email to the customer carries a fresh one.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.translation import gettext

from sangdam.tickets.models import Ticket

SALT = "sangdam.portal.status-link"


class LinkExpired(Exception):
    """The link was genuine but is too old."""


class LinkInvalid(Exception):
    """The link was not made by this server (forged, tampered or truncated)."""


def make_token(ticket: Ticket) -> str:
    # The customer id binds the link to the ticket's owner: a merge of tickets between
    # customers would otherwise carry old links along.
    return signing.dumps({"t": ticket.pk, "c": ticket.customer_id}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, int]:
    """(ticket id, customer id) named by a valid token."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.PORTAL_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    try:
        return int(data["t"]), int(data["c"])
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid from exc


# Stands for the token while a link's path is reversed once (not a secret; no URL pattern
# of ours contains it).
_TOKEN_SLOT = "sangdam-token-slot"  # noqa: S105


@functools.lru_cache(maxsize=64)
def _around_token(name: str, urlconf: str, prefix: str) -> tuple[str, str]:
    path = reverse(name, kwargs={"token": _TOKEN_SLOT})
    head, _, tail = path.partition(_TOKEN_SLOT)
    return head, tail


def token_path(name: str, ticket: Ticket) -> str:
    """``reverse(name, kwargs={"token": make_token(ticket)})``, the URL pattern reversed once
    per script prefix instead of on every link (a tenth of the confirmation mail's CPU and
    3 % of a form post's). A token is URL-safe base64 and colons, which ``reverse`` leaves
    as they are, so the result is the same."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    head, tail = _around_token(name, urlconf, get_script_prefix())
    return head + make_token(ticket) + tail


def status_path(ticket: Ticket) -> str:
    return token_path("portal:status", ticket)


def status_url(ticket: Ticket) -> str:
    """The absolute status-page link put into emails (``SITE_URL`` + path)."""
    return settings.SITE_URL.rstrip("/") + status_path(ticket)


def status_link(ticket: Ticket) -> tuple[str, str]:
    """(label in the customer's language, absolute URL): the line every reply email ends with."""
    with translation.override(ticket.language or settings.LANGUAGE_CODE):
        label = gettext("Follow your inquiry %(reference)s and reply online:") % {
            "reference": ticket.reference
        }
    return label, status_url(ticket)


def attachment_url(ticket: Ticket, attachment_id: int) -> str:
    """The absolute link to one file of the ticket, served by its status page.

    Public messages' files only, and only as long as a status link lives. Messengers that
    send media by URL (LINE) hand it to the provider, which downloads it from here.
    """
    path = reverse(
        "portal:attachment", kwargs={"token": make_token(ticket), "attachment_id": attachment_id}
    )
    return settings.SITE_URL.rstrip("/") + path
