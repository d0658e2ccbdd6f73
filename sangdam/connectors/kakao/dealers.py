"""상담톡 dealers (Kakao Bizmessage hub partners): the outbound half, one small adapter each.

Kakao's consultation chat reaches a company only through a dealer. Every dealer offers
the same few calls in its own shape: write a message to a user (with a unique serial
number), upload an image or a file first (Kakao sends only files stored on its servers),
and end the session. An adapter maps these four calls; the rest of the 상담톡 connector
(inbound events, sessions, the reply window) is dealer-neutral.

- ``happytalk``: Happytalk's 상담톡 API v1 — ``HT-Client-Id`` / ``HT-Client-Secret``
  headers, ``POST /v1/chat/write`` with ``message_type`` TX/IM/FI, ``/v1/image/upload``,
  ``/v1/file/upload``, ``/v1/chat/end``
  (https://mbi-developer-center.happytalk.io/kakaotalk_webhook/counseling/send_chat,
  …/file_upload/img_upload, …/counseling/end_of_counseling).
- ``happytalk_v3``: the same dealer's newer "KakaoWebhook v3" API — ``chat_bubble_type``
  TEXT/IMAGE/FILE under ``/kakaoWebhook/v3/bzc/…``
  (https://developer-center.happytalk.io/KakaoWebhook/MessageSend/plain, …/Upload/image,
  …/Upload/file) — written as the second adapter to show what another dealer costs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel

from sangdam.connectors.http import ProviderClient, ProviderError

# Happytalk answers "0000" (v3, uploads) or 0 (v1 write/end) when it worked.
_OK_CODES = {"0", "0000", "200"}


class DealerSecrets(BaseModel):
    dealer_client_id: str = ""
    dealer_client_secret: str = ""


class Dealer:
    """One dealer's API for a channel (``sender_key``: the channel's 발신프로필 키)."""

    name: ClassVar[str]
    default_base: ClassVar[str]
    label: ClassVar[str] = "상담톡"

    def __init__(self, *, sender_key: str, client_id: str, client_secret: str, config: dict[str, Any]) -> None:  # fmt: skip
        self.sender_key = sender_key
        self.client_id = client_id
        self.client_secret = client_secret
        config = dict(config)
        config.setdefault("api_base", self.default_base)
        self.alimtalk_path = str(config.get("alimtalk_path") or "/v2/send/kakao")
        self.client = ProviderClient("kakao", config=config)

    # --- the four calls -------------------------------------------------------------------

    def write_text(self, user_key: str, serial: str, text: str) -> None:
        raise NotImplementedError

    def write_image(self, user_key: str, serial: str, image_url: str) -> None:
        raise NotImplementedError

    def write_file(self, user_key: str, serial: str, url: str, name: str, size: int) -> None:
        raise NotImplementedError

    def upload(self, kind: str, filename: str, content: bytes, content_type: str) -> dict[str, Any]:  # fmt: skip
        """Upload an "image" or a "file"; {"url", "name", "size"} of it on Kakao's servers."""
        raise NotImplementedError

    def end_session(self, user_key: str) -> None:
        raise NotImplementedError

    def block_user(self, user_key: str) -> None:
        """Block the user on the channel (Kakao's 사용자 차단)."""
        raise NotImplementedError

    def write_links(
        self, user_key: str, serial: str, text: str, buttons: list[dict[str, str]]
    ) -> None:
        """A text with link buttons (``buttons``: name and url each)."""
        raise NotImplementedError

    def send_alimtalk(
        self,
        *,
        phone: str,
        template_code: str,
        text: str,
        serial: str,
        fallback: str,
        buttons: list[dict[str, str]] | None = None,
    ) -> None:
        """Send an 알림톡 (``phone`` in the domestic format, ``text`` the filled template).

        The body carries the fields of Kakao's 알림톡 API as Kakao i Connect Message
        documents them (``cid``, ``message_type`` "AT", ``phone_number``,
        ``template_code``, ``sender_key``, ``message``, ``fall_back_yn``,
        ``fall_back_message_type`` SM/LM, ``fall_back_message``, ``attachment.button`` with
        web-link buttons); the path is the
        channel's ``alimtalk_path`` (dealers differ: confirm it with yours).
        """
        body: dict[str, Any] = {
            "cid": serial,
            "message_type": "AT",
            "sender_key": self.sender_key,
            "phone_number": phone,
            "template_code": template_code,
            "message": text,
            "fall_back_yn": bool(fallback),
        }
        if fallback:
            body["fall_back_message_type"] = fallback
            body["fall_back_message"] = text
        if buttons:
            # Web-link buttons, filled in like the text (Kakao matches them to the template).
            body["attachment"] = {
                "button": [
                    {"name": b["name"], "type": "WL", "url_mobile": b["url"], "url_pc": b["url"]}
                    for b in buttons
                ]
            }
        self.call(self.alimtalk_path, json=body)

    # --- shared -----------------------------------------------------------------------------

    def headers(self) -> dict[str, str]:
        return {"HT-Client-Id": self.client_id, "HT-Client-Secret": self.client_secret}

    def call(self, path: str, **kwargs: Any) -> dict[str, Any]:
        data = self.client.json("POST", path, headers=self.headers(), **kwargs)
        if not isinstance(data, dict):
            raise ProviderError(f"{self.name}: the answer is not an object", permanent=True)
        if str(data.get("code", "")) not in _OK_CODES:
            raise ProviderError(
                f"{self.name}: {data.get('code')} {data.get('message') or ''}".strip(),
                permanent=True,
            )
        return data


class Happytalk(Dealer):
    name = "happytalk"
    default_base = "https://kakao-api.happytalk.io"

    def _write(self, user_key: str, serial: str, message_type: str, **fields: Any) -> None:
        body = {
            "user_key": user_key,
            "sender_key": self.sender_key,
            "serial_number": serial,
            "message_type": message_type,
            **fields,
        }
        self.call("/v1/chat/write", json=body)

    def write_text(self, user_key: str, serial: str, text: str) -> None:
        self._write(user_key, serial, "TX", message=text)

    def write_image(self, user_key: str, serial: str, image_url: str) -> None:
        self._write(user_key, serial, "IM", image_url=image_url)

    def write_file(self, user_key: str, serial: str, url: str, name: str, size: int) -> None:
        self._write(user_key, serial, "FI", file_url=url, file_name=name, file_size=size)

    def upload(self, kind: str, filename: str, content: bytes, content_type: str) -> dict[str, Any]:  # fmt: skip
        field = "image" if kind == "image" else "file"
        data = self.call(
            f"/v1/{field}/upload",
            data={"sender_key": self.sender_key},
            files={field: (filename, content, content_type)},
        )
        return {"url": data[field], "name": data.get("name", filename), "size": int(data.get("size") or len(content))}  # fmt: skip

    def end_session(self, user_key: str) -> None:
        self.call("/v1/chat/end", json={"user_key": user_key, "sender_key": self.sender_key})

    def block_user(self, user_key: str) -> None:
        # https://developer-center.happytalk.io/kakaotalk_webhook/counseling/user_ban
        self.call("/v1/profile/user/block", json={"user_key": user_key, "sender_key": self.sender_key})  # fmt: skip

    def write_links(
        self, user_key: str, serial: str, text: str, buttons: list[dict[str, str]]
    ) -> None:
        # message_type LI: the text with "supplement" link buttons (at most 10; "target":
        # "out" opens them outside KakaoTalk), as /v1/chat/write documents.
        supplement = [
            {
                "name": b["name"],
                "type": "WL",
                "url_mobile": b["url"],
                "url_pc": b["url"],
                "target": "out",
            }
            for b in buttons[:10]
        ]
        self._write(user_key, serial, "LI", message=text, supplement=supplement)


class HappytalkV3(Dealer):
    """The second adapter: a different body shape and paths, the same four calls."""

    name = "happytalk_v3"
    default_base = "https://kakao-api.happytalk.io"
    prefix = "/kakaoWebhook/v3/bzc"

    def _send(self, user_key: str, serial: str, bubble: str, **fields: Any) -> None:
        body = {"user_key": user_key, "sender_key": self.sender_key, "serial_number": serial}
        self.call(f"{self.prefix}/chat/send/plain", json={**body, "chat_bubble_type": bubble, **fields})  # fmt: skip

    def write_text(self, user_key: str, serial: str, text: str) -> None:
        self._send(user_key, serial, "TEXT", message=text)

    def write_image(self, user_key: str, serial: str, image_url: str) -> None:
        self._send(user_key, serial, "IMAGE", attachment={"image": {"img_url": image_url}})

    def write_file(self, user_key: str, serial: str, url: str, name: str, size: int) -> None:
        file = {"file_url": url, "file_name": name, "file_size": size}
        self._send(user_key, serial, "FILE", attachment={"file": file})

    def upload(self, kind: str, filename: str, content: bytes, content_type: str) -> dict[str, Any]:  # fmt: skip
        field = "image" if kind == "image" else "file"
        data = self.call(
            f"{self.prefix}/{field}/upload",
            data={"sender_key": self.sender_key},
            files={field: (filename, content, content_type)},
        )
        return {"url": data[field], "name": data.get("name", filename), "size": int(data.get("size") or len(content))}  # fmt: skip

    def end_session(self, user_key: str) -> None:
        self.call(f"{self.prefix}/chat/endWithBot", json={"user_key": user_key, "sender_key": self.sender_key})  # fmt: skip

    def block_user(self, user_key: str) -> None:
        self.call(f"{self.prefix}/profile/user/block", json={"user_key": user_key, "sender_key": self.sender_key})  # fmt: skip

    def write_links(
        self, user_key: str, serial: str, text: str, buttons: list[dict[str, str]]
    ) -> None:
        links = [{"name": b["name"], "type": "WL", "url_mobile": b["url"]} for b in buttons[:10]]
        self._send(user_key, serial, "TEXT", message=text, attachment={"buttons": links})


DEALERS: dict[str, type[Dealer]] = {d.name: d for d in (Happytalk, HappytalkV3)}
