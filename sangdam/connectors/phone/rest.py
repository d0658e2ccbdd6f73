"""The provider's REST API: recordings (voicemail) and outbound calls (click-to-call).

Through the one HTTP seam (``connectors/http.py``): the base URL is
``SANGDAM_PHONE_API_BASE`` (Twilio's ``https://api.twilio.com``) or the channel's
``config["api_base"]``, so tests and the demo talk to a local fake.
"""

from __future__ import annotations

import re

from django.conf import settings

from sangdam.connectors.http import ProviderClient, ProviderError
from sangdam.connectors.models import Channel
from sangdam.connectors.phone.config import phone_secrets

_RECORDING_SID = re.compile(r"^RE[0-9a-fA-F]{32}$")
API = "/2010-04-01/Accounts"


def _client(channel: Channel) -> tuple[ProviderClient, str, tuple[str, str]]:
    secrets = phone_secrets(channel)
    auth = (secrets.account_sid, secrets.auth_token)
    return ProviderClient("phone", config=channel.config), secrets.account_sid, auth


def download_recording(channel: Channel, recording_sid: str) -> bytes:
    """The recording as MP3. The URL is made from its id, never taken from the payload,
    so a webhook cannot make us fetch anything else."""
    if not _RECORDING_SID.match(recording_sid):
        raise ProviderError(f"phone: {recording_sid!r} is not a recording id", permanent=True)
    client, account, auth = _client(channel)
    response = client.request("GET", f"{API}/{account}/Recordings/{recording_sid}.mp3", auth=auth)
    if len(response.content) > settings.ATTACHMENT_MAX_BYTES:
        raise ProviderError(
            "phone: the recording is larger than attachments may be", permanent=True
        )
    return response.content


def place_call(channel: Channel, *, to: str, caller_id: str, url: str, status_url: str) -> str:
    """Ask the provider to call ``to``; when answered it fetches TwiML from ``url``.
    Returns the new call's id (CallSid)."""
    client, account, auth = _client(channel)
    data = client.json(
        "POST",
        f"{API}/{account}/Calls.json",
        auth=auth,
        data={"To": to, "From": caller_id, "Url": url, "StatusCallback": status_url},
    )
    sid = data.get("sid") if isinstance(data, dict) else None
    if not isinstance(sid, str):
        raise ProviderError("phone: the provider did not say which call it placed")
    return sid
