"""A local Twilio for tests and demos: the REST API the phone channel calls and a
caller that plays Twilio's webhooks, signed as Twilio signs them.

REST: ``GET /2010-04-01/Accounts/<sid>/Recordings/<RecordingSid>.mp3`` (HTTP Basic with the
account SID and auth token) serves recordings put in :attr:`FakeTwilio.recordings`;
``POST .../Calls.json`` places an outbound call (recorded in :attr:`FakeTwilio.placed`).

Signing (:func:`signature`) follows Twilio's documentation, not the twilio package: the
full URL, then each POST parameter name and value in name order, HMAC-SHA1 with the
auth token, base64. Tests cross-check it with the package's ``RequestValidator``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
import secrets
from collections.abc import Mapping
from typing import Any, ClassVar

from sangdam.connectors.fakes import Call, FakeProvider

_RECORDING = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Recordings/(?P<sid>RE\w+)\.mp3$")
_CALLS = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Calls\.json$")

# The smallest thing that sniffs as MP3: an ID3v2 header and one silent MPEG frame.
SILENT_MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 413


def signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """X-Twilio-Signature of a POST to ``url`` with form ``params``, as documented."""
    data = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


class FakeTwilio(FakeProvider):
    kind: ClassVar[str] = "phone"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.account_sid = "AC" + "0" * 32
        self.auth_token = "fake-auth-token"  # noqa: S105 (a local fake's, not a secret)
        self.recordings: dict[str, bytes] = {}
        # The demo (`sangdam fake-providers`): whatever credentials the channel has, and a
        # short silence for any recording `sangdam phone-call` left.
        self.demo = False
        self.placed: list[dict[str, str]] = []
        self._ids = itertools.count(1)

    def _authorised(self, call: Call, account: str) -> bool:
        if self.demo:
            return True
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return account == self.account_sid and hmac.compare_digest(
            call.headers.get("authorization", ""), f"Basic {expected}"
        )

    def answer(self, call: Call) -> tuple[int, str, bytes]:
        if match := _RECORDING.match(call.path):
            if not self._authorised(call, match["account"]):
                return self.json_answer({"code": 20003, "message": "Authenticate"}, 401)
            content = self.recordings.get(match["sid"], SILENT_MP3 if self.demo else None)
            if content is None:
                return self.json_answer({"code": 20404, "message": "not found"}, 404)
            return 200, "audio/mpeg", content
        if (match := _CALLS.match(call.path)) and call.method == "POST":
            if not self._authorised(call, match["account"]):
                return self.json_answer({"code": 20003, "message": "Authenticate"}, 401)
            form = {name: value.decode() for name, (_f, value) in call.form().items()}
            sid = new_sid("CA")
            self.placed.append({**form, "sid": sid})
            return self.json_answer({"sid": sid, "status": "queued", "to": form.get("To")}, 201)
        return self.json_answer({"code": 20404, "message": "not found"}, 404)

    def signed_headers(self, url: str, params: Mapping[str, str]) -> dict[str, str]:
        return {"X-Twilio-Signature": signature(self.auth_token, url, params)}

    def call_params(self, **params: Any) -> dict[str, str]:
        """A webhook's standard parameters for one call, plus ``params``."""
        base = {"AccountSid": self.account_sid, "Direction": "inbound", "ApiVersion": "2010-04-01"}
        return {**base, **{k: str(v) for k, v in params.items()}}


def for_demo() -> FakeTwilio:
    fake = FakeTwilio()
    fake.demo = True
    return fake
