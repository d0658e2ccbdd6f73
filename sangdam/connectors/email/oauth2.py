"""OAuth2 access tokens for IMAP mailboxes (Google, Microsoft 365), refreshed when due.

Access tokens live about an hour. A mailbox that has a token endpoint and a client id
gets new ones by itself: with a refresh token (RFC 6749 section 6, the usual grant for a
person's mailbox) or with the client secret alone (section 4.4, client credentials,
as Microsoft 365 uses for app-only IMAP access). A token pasted by hand works until it
expires.

The token request is one form-encoded POST answered with JSON; it is written with the
standard library rather than pulling an OAuth client library in for it.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from sangdam.connectors.email.models import Mailbox
from sangdam.core.env import env_int

TIMEOUT = env_int("OAUTH2_TIMEOUT", 20)
# Refresh this long before the server's expiry, so a poll never starts with a dying token.
MARGIN_SECONDS = 120


class TokenError(Exception):
    """The token endpoint refused or could not be reached; the text says which."""


def can_refresh(mailbox: Mailbox) -> bool:
    secrets = mailbox.secrets or {}
    return bool(
        mailbox.oauth2_token_url
        and mailbox.oauth2_client_id
        and (secrets.get("oauth2_refresh_token") or secrets.get("oauth2_client_secret"))
    )


def access_token(mailbox: Mailbox) -> str:
    """A token to log in with: the stored one while it is valid, else a fresh one."""
    secrets = mailbox.secrets or {}
    token = str(secrets.get("oauth2_token", ""))
    expires_at = float(secrets.get("oauth2_expires_at") or 0)
    due = not token or (expires_at and expires_at - MARGIN_SECONDS <= time.time())
    if due and can_refresh(mailbox):
        return refresh(mailbox)
    return token


def refresh(mailbox: Mailbox) -> str:
    """Ask the token endpoint for a new access token and store it (encrypted)."""
    if not can_refresh(mailbox):
        raise TokenError("no token endpoint, client id and refresh token or client secret")
    secrets = dict(mailbox.secrets or {})
    form: dict[str, str] = {"client_id": mailbox.oauth2_client_id}
    if secrets.get("oauth2_refresh_token"):
        form |= {"grant_type": "refresh_token", "refresh_token": secrets["oauth2_refresh_token"]}
    else:
        form["grant_type"] = "client_credentials"
    if secrets.get("oauth2_client_secret"):
        form["client_secret"] = secrets["oauth2_client_secret"]
    if mailbox.oauth2_scope:
        form["scope"] = mailbox.oauth2_scope
    answer = _post(mailbox.oauth2_token_url, form)
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise TokenError("the token endpoint answered without an access_token")
    secrets["oauth2_token"] = token
    expires_in = answer.get("expires_in")
    secrets["oauth2_expires_at"] = (
        time.time() + float(expires_in) if isinstance(expires_in, int | float | str) else 0
    )
    if isinstance(answer.get("refresh_token"), str):
        # Some providers rotate refresh tokens: the old one may stop working.
        secrets["oauth2_refresh_token"] = answer["refresh_token"]
    mailbox.secrets = secrets
    mailbox.save(update_fields=["secrets"])
    return token


def _post(url: str, form: dict[str, str]) -> dict[str, Any]:
    parts = urllib.parse.urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        # The request carries the client secret and refresh token.
        raise TokenError(f"the token endpoint must be an https URL: {url}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return _json(response.read())
    except urllib.error.HTTPError as exc:
        body = _json(exc.read())
        reason = body.get("error_description") or body.get("error") or exc.reason
        raise TokenError(f"token refresh refused ({exc.code}): {reason}") from exc
    except OSError as exc:
        raise TokenError(f"token endpoint unreachable: {exc}") from exc


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
