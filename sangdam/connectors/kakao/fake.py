"""A local Kakao for tests and demos: the chatbot that calls the skill, its callback URLs,
and a 상담톡 dealer (Happytalk's API, v1 and v3 shapes).

:meth:`FakeKakao.say` plays Kakao's chatbot: it POSTs a documented SkillPayload (the shape
of "응답 타입별 JSON 포맷" > SkillPayload) for one user's utterance to a skill URL, times
the answer against Kakao's 5-second limit and checks it against the response rules
(:func:`sangdam.connectors.kakao.skill.problems`). With ``callback=True`` the payload
carries a ``callbackUrl`` on this server; what the skill posts there is recorded
(:meth:`callbacks`) and answered as Kakao does (``{"taskId", "status": "SUCCESS"}``).

As the dealer it answers ``/v1/chat/write``, ``/v1/image/upload``, ``/v1/file/upload``,
``/v1/chat/end`` and their ``/kakaoWebhook/v3/bzc/…`` twins, checks the
``HT-Client-Id``/``HT-Client-Secret`` headers, refuses a write to a user whose session it
ended, and records every write (:meth:`writes`). :meth:`counsel` plays the dealer posting
a customer's consultation event to Sangdam.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx

from sangdam.connectors.fakes import Call, FakeProvider
from sangdam.connectors.kakao.skill import problems

SKILL_TIMEOUT_SECONDS = 5.0  # Kakao gives a skill this long to answer


@dataclass
class SkillReply:
    status: int
    seconds: float
    data: Any

    @property
    def texts(self) -> list[str]:
        """Every text the user would read: bubbles, card titles and descriptions."""
        found: list[str] = []
        if not isinstance(self.data, dict):
            return found
        if self.data.get("useCallback"):
            found.append(str((self.data.get("data") or {}).get("text", "")))
        for output in (self.data.get("template") or {}).get("outputs", []):
            for kind, body in output.items():
                items = body.get("items", []) if kind == "carousel" else [body]
                for item in items:
                    found += [str(item[k]) for k in ("text", "title", "description") if k in item]
        return found

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def quick_replies(self) -> list[str]:
        if not isinstance(self.data, dict):
            return []
        replies = (self.data.get("template") or {}).get("quickReplies", [])
        return [r["messageText"] for r in replies]

    @property
    def links(self) -> list[str]:
        found = []
        for output in ((self.data or {}).get("template") or {}).get("outputs", []):
            for kind, body in output.items():
                items = body.get("items", []) if kind == "carousel" else [body]
                for item in items:
                    found += [b["webLinkUrl"] for b in item.get("buttons", []) if "webLinkUrl" in b]
        return found


def skill_payload(
    *,
    bot_id: str,
    utterance: str,
    user: str,
    plusfriend_user_key: str = "",
    callback_url: str = "",
    params: dict[str, Any] | None = None,
    lang: str = "ko",
) -> dict[str, Any]:
    """A SkillPayload as Kakao's chatbot sends it."""
    properties: dict[str, Any] = {"botUserKey": user, "bot_user_key": user, "isFriend": True}
    if plusfriend_user_key:
        properties["plusfriendUserKey"] = plusfriend_user_key
        properties["plusfriend_user_key"] = plusfriend_user_key
    user_request: dict[str, Any] = {
        "timezone": "Asia/Seoul",
        "params": {"ignoreMe": "true"},
        "block": {"id": "6533f9e6ed5e9a1c44e3b21a", "name": "상담 접수"},
        "utterance": utterance,
        "lang": lang,
        "user": {"id": user, "type": "botUserKey", "properties": properties},
    }
    if callback_url:
        user_request["callbackUrl"] = callback_url
    return {
        "intent": {"id": "6533f9e6ed5e9a1c44e3b21a", "name": "상담 접수"},
        "userRequest": user_request,
        "bot": {"id": bot_id, "name": "예시 고객센터"},
        "action": {
            "name": "sangdam",
            "clientExtra": None,
            "params": dict(params or {}),
            "id": "6533fa0bd0a0e36f6f1e1f4c",
            "detailParams": {
                k: {"origin": v, "value": v, "groupName": ""} for k, v in (params or {}).items()
            },
        },
    }


def secure_image_param(*urls: str) -> dict[str, str]:
    """``action.params`` of a turn where the 보안 이미지 plugin received photos."""
    return {
        "secureimage": json.dumps(
            {
                "privacyAgreement": "Y",
                "imageQuantity": str(len(urls)),
                "secureUrls": "List(" + ", ".join(urls) + ")",
                "expire": "2026-12-02T12:00:00",
                "legacy": False,
            }
        )
    }


class FakeKakao(FakeProvider):
    kind: ClassVar[str] = "kakao"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.bot_id = "5f2a9c0e3b1d7a0001c0ffee"
        self.images: dict[str, bytes] = {}  # path -> bytes, served as photos users sent
        self.client_id = "ht-client-id"
        self.client_secret = "ht-client-secret"  # noqa: S105 (the fake's own)
        self.ended: set[str] = set()  # user keys whose session the dealer ended
        self.blocked: set[str] = set()  # user keys blocked on the channel
        self.uploads: dict[str, bytes] = {}  # Kakao-side path -> uploaded bytes
        self.templates: dict[str, str] = {}  # approved 알림톡 templates: code -> text
        self.accepted_alimtalks: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _next(self) -> int:
        with self._lock:
            return next(self._ids)

    # --- playing Kakao's chatbot ----------------------------------------------------------

    def add_image(self, name: str, content: bytes) -> str:
        """Serve ``content`` as a photo a user sent; returns its URL."""
        self.images[f"/talkm/{name}"] = content
        return f"{self.url}/talkm/{name}"

    def say(
        self,
        skill_url: str,
        utterance: str,
        *,
        user: str = "bot-user-minji",
        plusfriend_user_key: str = "Xj1bW5wlE5SR",
        callback: bool = False,
        photos: tuple[str, ...] = (),
        bot_id: str | None = None,
        lang: str = "ko",
        check: bool = True,
    ) -> SkillReply:
        """Send one turn as Kakao does; with ``check``, fail unless the answer is a valid
        version "2.0" skill answer given within 5 seconds."""
        callback_url = f"{self.url}/v1/bots/callback/{self._next()}" if callback else ""
        payload = skill_payload(
            bot_id=bot_id or self.bot_id,
            utterance=utterance,
            user=user,
            plusfriend_user_key=plusfriend_user_key,
            callback_url=callback_url,
            params=secure_image_param(*photos) if photos else None,
            lang=lang,
        )
        started = time.monotonic()
        response = httpx.post(
            skill_url,
            content=json.dumps(payload, ensure_ascii=False).encode(),
            headers={
                "Content-Type": "application/json;charset=UTF-8",
                "Accept": "application/json",
            },
            timeout=SKILL_TIMEOUT_SECONDS,
        )
        seconds = time.monotonic() - started
        try:
            data = response.json()
        except ValueError:
            data = None
        reply = SkillReply(response.status_code, seconds, data)
        if check:
            assert response.status_code == 200, (response.status_code, response.text)
            assert seconds < SKILL_TIMEOUT_SECONDS
            found = problems(data)
            assert not found, found
        return reply

    def callbacks(self) -> list[Any]:
        """The answers the skill posted to callback URLs, oldest first."""
        return [call.json() for call in self.calls if "/callback/" in call.path]

    # --- playing the 상담톡 dealer --------------------------------------------------------

    def counsel_event(
        self,
        event: str = "message",
        *,
        user_key: str = "Xj1bW5wlE5SR",
        session_id: str = "163755146",
        serial: str = "",
        text: str = "",
        type: str = "text",
        attachment: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The body of one 상담톡 event as the dealer posts it to ``<address>/<event>``."""
        data: dict[str, Any] = {
            "user_key": user_key,
            "sender_key": "4c9591f37822ae1ed5b781582af08b1e2d922cea",
            "session_id": session_id,
            "time": int(time.time() * 1000),
        }
        if event == "message":
            data.update(
                serial_number=serial or f"2026120210{self._next():08d}",
                type=type,
                content=text,
            )
            if attachment is not None:
                data["attachment"] = attachment
            self.ended.discard(user_key)  # the customer writing opens a session
        elif event == "reference":
            data["reference"] = {"extra": "", "bot": "true"}
            data["last_reference"] = {"extra": "", "bot": "true", "bot_event": ""}
        elif event == "expired_session":
            self.ended.add(user_key)
        return data

    def counsel(self, address: str, event: str = "message", **fields: Any) -> httpx.Response:
        """POST one 상담톡 event to ``<address>/<event>`` as the dealer does."""
        return httpx.post(
            f"{address.rstrip('/')}/{event}",
            content=json.dumps(self.counsel_event(event, **fields), ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json"},
            timeout=10,
        )

    def alimtalk_result(
        self,
        address: str,
        cid: str,
        *,
        sent_type: str = "AT",
        code: str = "0000",
        message: str = "",
    ) -> httpx.Response:
        """POST an 알림톡 delivery result to ``<address>`` as the dealer does: the 알림톡
        ``cid`` arrived (``code`` "0000") or not, as itself (AT) or its SMS/LMS fallback."""
        body = {
            "cid": cid,
            "sender_key": "4c9591f37822ae1ed5b781582af08b1e2d922cea",
            "sent_type": sent_type,
            "result_code": code,
            "result_message": message,
            "done_at": time.strftime("%Y-%m-%dT%H:%M:%S+09:00"),
        }
        return httpx.post(
            address,
            content=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json"},
            timeout=10,
        )

    def writes(self) -> list[dict[str, Any]]:
        """Every message written to users (v1 and v3 bodies), oldest first."""
        return [
            c.json() for c in self.calls if c.path.endswith(("/chat/write", "/chat/send/plain"))
        ]

    def _dealer(self, call: Call) -> tuple[int, str, bytes] | None:
        if call.path == "/v2/send/kakao":
            return self._alimtalk(call)
        path = call.path.removeprefix("/kakaoWebhook/v3/bzc").removeprefix("/v1")
        if path not in ("/chat/write", "/chat/send/plain", "/image/upload", "/file/upload", "/chat/end", "/chat/endWithBot", "/profile/user/block"):  # fmt: skip
            return None
        if (
            call.headers.get("ht-client-id") != self.client_id
            or call.headers.get("ht-client-secret") != self.client_secret
        ):
            return self.json_answer({"code": "-401", "message": "InvalidClientException"}, 401)
        if path.endswith("/upload"):
            field = "image" if path == "/image/upload" else "file"
            parts = call.form()
            name, content = parts.get(field, ("", b""))
            if not content or "sender_key" not in parts:
                return self.json_answer({"code": "-505", "message": "NoFileException"})
            key = f"/dn/{self._next()}/{name or field}"
            self.uploads[key] = content
            return self.json_answer(
                {
                    "code": "0000",
                    field: f"http://api1-kage.kakao.com{key}",
                    "name": name,
                    "size": len(content),
                }
            )
        body = call.json() or {}
        user_key = str(body.get("user_key", ""))
        if path == "/profile/user/block":
            self.blocked.add(user_key)
            self.ended.add(user_key)
            return self.json_answer({"code": 0})
        if path.startswith("/chat/end"):
            self.ended.add(user_key)
            return self.json_answer({"code": 0, "sessionId": "163755146"})
        if user_key in self.ended:
            return self.json_answer({"code": "-1002", "message": "NoSessionException"})
        if not body.get("serial_number"):
            return self.json_answer({"code": "-1003", "message": "InvalidParameterException"})
        return self.json_answer({"code": "0000", "message": ""})

    def alimtalks(self) -> list[dict[str, Any]]:
        """Every 알림톡 the dealer accepted."""
        with self.lock:
            return list(self.accepted_alimtalks)

    def _alimtalk(self, call: Call) -> tuple[int, str, bytes]:
        """Kakao refuses an 알림톡 whose text does not match its approved template."""
        import re

        if call.headers.get("ht-client-secret") != self.client_secret:
            return self.json_answer({"code": "-401", "message": "InvalidClientException"}, 401)
        body = call.json() or {}
        approved = self.templates.get(str(body.get("template_code")))
        if approved is None:
            return self.json_answer({"code": "3016", "message": "NoMatchedTemplateException"})
        pattern = re.escape(approved)
        pattern = re.sub(r"\\#\\\{[^}]*\\\}", ".+", pattern)
        if not re.fullmatch(pattern, str(body.get("message", "")), flags=re.S):
            return self.json_answer({"code": "3018", "message": "NoMatchedTemplateException"})
        if not re.fullmatch(r"01\d{8,9}", str(body.get("phone_number", ""))):
            return self.json_answer({"code": "3008", "message": "InvalidPhoneNumberException"})
        with self.lock:
            self.accepted_alimtalks.append(body)
        return self.json_answer({"code": "0000", "message": "", "cid": body.get("cid")})

    # --- the API ------------------------------------------------------------------------

    def answer(self, call: Call) -> tuple[int, str, bytes]:
        dealer = self._dealer(call)
        if dealer is not None:
            return dealer
        if call.method == "GET" and call.path in self.images:
            return 200, "image/png", self.images[call.path]
        if call.method == "POST" and "/callback/" in call.path:
            problems_found = problems(call.json())
            if problems_found:
                return self.json_answer(
                    {"status": "FAIL", "message": "; ".join(problems_found)}, status=400
                )
            return self.json_answer(
                {"taskId": call.path.rsplit("/", 1)[-1], "status": "SUCCESS", "message": "OK"}
            )
        return 404, "application/json", b'{"status": "FAIL", "message": "not found"}'


def for_demo() -> FakeKakao:
    return FakeKakao()
