"""A local Telegram Bot API (https://core.telegram.org/bots/api) for tests and demos.

Answers ``getMe``, ``setWebhook``, ``getWebhookInfo``, ``getFile``, ``sendMessage``,
``sendPhoto``, ``sendDocument`` in the documented shape (``{"ok": true, "result": ...}``,
errors as ``{"ok": false, "error_code", "description"}``), serves files under
``/file/bot<token>/<path>``, and records every call. :meth:`FakeTelegram.deliver` plays
Telegram calling the webhook: an update with the secret token header.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from typing import Any, ClassVar

import httpx

from sangdam.connectors.fakes import Call, FakeProvider

_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>\w+)$")
_FILE_PATH = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")


class FakeTelegram(FakeProvider):
    kind: ClassVar[str] = "telegram"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.tokens: set[str] = set()  # empty: any token is accepted
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self.webhook: dict[str, Any] = {}
        self.fail_next: list[tuple[int, str]] = []  # (error_code, description) to answer next
        self._ids = itertools.count(1000)
        self._update_ids = itertools.count(int(time.time()) % 100000 * 1000)
        self._id_lock = threading.Lock()

    # --- setting the scene --------------------------------------------------------------

    def add_file(self, file_id: str, content: bytes, path: str = "") -> None:
        self.files[file_id] = (path or f"documents/{file_id}", content)

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """What the bot sent with ``method`` (JSON or form fields as a dict)."""
        out = []
        for call in self.calls_to(f"/{method}"):
            if call.headers.get("content-type", "").startswith("application/json"):
                out.append(call.json())
            else:
                out.append({k: v[1] if v[0] else v[1].decode() for k, v in call.form().items()})
        return out

    def next_update_id(self) -> int:
        with self._id_lock:
            return next(self._update_ids)

    def deliver(self, url: str, secret: str, update: dict[str, Any]) -> httpx.Response:
        """POST ``update`` to a webhook as Telegram does."""
        return httpx.post(
            url,
            content=json.dumps(update).encode(),
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": secret,
            },
            timeout=10,
        )

    # --- the API ------------------------------------------------------------------------

    def answer(self, call: Call) -> tuple[int, str, bytes]:
        file_match = _FILE_PATH.match(call.path)
        if file_match:
            for path, content in self.files.values():
                if path == file_match["path"] and self._token_ok(file_match["token"]):
                    return 200, "application/octet-stream", content
            return 404, "text/plain", b"Not Found"
        match = _PATH.match(call.path)
        if not match:
            return self._error(404, "Not Found")
        if not self._token_ok(match["token"]):
            return self._error(401, "Unauthorized")
        if self.fail_next:
            code, description = self.fail_next.pop(0)
            return self._error(code, description)
        params = self._params(call)
        method = match["method"]
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return self._error(404, "Not Found: method not found")
        result = handler(params)
        if isinstance(result, tuple):
            return result
        return self.json_answer({"ok": True, "result": result})

    def _token_ok(self, token: str) -> bool:
        return not self.tokens or token in self.tokens

    @staticmethod
    def _params(call: Call) -> dict[str, Any]:
        if call.headers.get("content-type", "").startswith("application/json"):
            data = call.json()
            return data if isinstance(data, dict) else {}
        if call.method == "GET":
            return dict(call.query)
        return {k: (v if v[0] else v[1].decode()) for k, v in call.form().items()}

    def _error(self, code: int, description: str) -> tuple[int, str, bytes]:
        status, content_type, body = self.json_answer(
            {"ok": False, "error_code": code, "description": description}, status=code
        )
        return status, content_type, body

    def _message(self, chat_id: Any, **content: Any) -> dict[str, Any]:
        with self._id_lock:
            message_id = next(self._ids)
        return {
            "message_id": message_id,
            "from": {"id": 1, "is_bot": True, "first_name": "Sangdam", "username": "sangdam_bot"},
            "chat": {"id": int(chat_id), "type": "private"},
            "date": int(time.time()),
            **content,
        }

    def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": 1, "is_bot": True, "first_name": "Sangdam", "username": "sangdam_bot"}

    def _setWebhook(self, params: dict[str, Any]) -> Any:
        if not str(params.get("url", "")).startswith(("https://", "http://")):
            return self._error(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        self.webhook = dict(params)
        return True

    def _getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "pending_update_count": 0}

    def _deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    def _getFile(self, params: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            return self._error(400, "Bad Request: invalid file_id")
        path, content = self.files[file_id]
        return {"file_id": file_id, "file_size": len(content), "file_path": path}

    def _sendMessage(self, params: dict[str, Any]) -> Any:
        if not params.get("chat_id") or not str(params.get("text", "")).strip():
            return self._error(400, "Bad Request: message text is empty")
        return self._message(params["chat_id"], text=params["text"])

    def _sendPhoto(self, params: dict[str, Any]) -> Any:
        if not params.get("chat_id") or "photo" not in params:
            return self._error(400, "Bad Request: there is no photo in the request")
        return self._message(params["chat_id"], photo=[{"file_id": "p", "width": 1, "height": 1}])

    def _sendDocument(self, params: dict[str, Any]) -> Any:
        if not params.get("chat_id") or "document" not in params:
            return self._error(400, "Bad Request: there is no document in the request")
        name = params["document"][0] if isinstance(params["document"], tuple) else "file"
        return self._message(params["chat_id"], document={"file_id": "d", "file_name": name})
