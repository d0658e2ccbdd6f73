"""In-process profile of live chat: CPU and statements per visitor message, by phase.

No server, no network: ``--count`` visitor sockets are driven through ASGI in this
process (the chat consumer, the in-memory channel layer, the real intake) into a
throw-away SQLite database, then the task worker drains what the messages queued, then an
agent answers one visitor in four through the REST API and the worker delivers the
answers. ``time.process_time()`` gives the CPU of each phase; one more message is captured
statement by statement. ``--profile DIR`` writes a cProfile file per phase.

    .venv/bin/python bench/profile_livechat.py --count 200

Phases: ``hello`` (socket + hello → welcome), ``first`` (a chat's first message: opens the
ticket), ``follow`` (three more messages each), ``worker`` (the tasks those queued),
``reply`` (the agent's API answer) and ``deliver`` (the worker sending answers to sockets).
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Coroutine, Iterable
from typing import Any

from profiling import arguments, count_statements, measure, setup_django

setup_django(LIVECHAT_RATE_PER_VISITOR=str(10**9), LIVECHAT_RATE_PER_IP=str(10**9))

from asgiref.testing import ApplicationCommunicator  # noqa: E402
from channels.routing import URLRouter  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from sangdam.accounts.models import Presence, User  # noqa: E402
from sangdam.accounts.tokens import create_api_token  # noqa: E402
from sangdam.connectors.livechat.routing import websocket_urlpatterns  # noqa: E402
from sangdam.connectors.models import Channel  # noqa: E402
from sangdam.core import live  # noqa: E402
from sangdam.core.runtime import make_worker  # noqa: E402
from sangdam.tickets.models import Message  # noqa: E402

APP = URLRouter(websocket_urlpatterns)
FOLLOW = 3


class Visitor:
    def __init__(self, key: str) -> None:
        scope = {
            "type": "websocket",
            "path": f"/ws/chat/{key}/",
            "query_string": b"",
            "headers": [(b"user-agent", b"Bench/1.0")],
            "client": ("127.0.0.1", 5000),
        }
        self.socket = ApplicationCommunicator(APP, scope)

    async def frame(self, kind: str) -> dict[str, Any]:
        while True:
            out = await self.socket.receive_output(30)
            if out["type"] != "websocket.send":
                raise SystemExit(f"the socket answered {out}")
            data: dict[str, Any] = json.loads(out["text"])
            if data["type"] == kind:
                return data
            if data["type"] == "error":
                raise SystemExit(f"the socket answered {data}")

    async def send(self, **frame: Any) -> None:
        await self.socket.send_input({"type": "websocket.receive", "text": json.dumps(frame)})

    async def hello(self) -> None:
        await self.socket.send_input({"type": "websocket.connect"})
        await self.socket.receive_output(30)
        await self.send(type="hello", token=None, after=0, visit={"language": "ko"})
        await self.frame("welcome")

    async def say(self, text: str) -> dict[str, Any]:
        await self.send(type="message", client_id=uuid.uuid4().hex, text=text)
        return await self.frame("ack")


def ticket_of(ack: dict[str, Any]) -> int:
    ticket_id: int = Message.objects.values_list("ticket_id", flat=True).get(
        pk=ack["message"]["id"]
    )
    return ticket_id


async def together(work: Iterable[Coroutine[Any, Any, Any]]) -> list[Any]:
    return list(await asyncio.gather(*work))


def main() -> None:
    args = arguments(__doc__)
    call_command("migrate", verbosity=0)
    agent = User.objects.create_user(
        "agent@bench.example", "bench-password-1234", display_name="Bench", role="admin"
    )
    User.objects.filter(pk=agent.pk).update(presence=Presence.ONLINE)
    key = Channel.objects.create(kind="livechat", name="Bench chat").key
    api = Client(
        headers={"Authorization": f"Bearer {create_api_token(user=agent, name='bench').raw}"}
    )
    worker = make_worker(batch=True, interval=0)
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    live.MAIN_LOOP = loop  # as in `sangdam run`: pushes go to the server's loop

    def run(work: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(work, loop).result()

    def visitors(n: int) -> list[Visitor]:
        crowd = [Visitor(key) for _ in range(n)]
        run(together(v.hello() for v in crowd))
        return crowd

    def say_all(crowd: list[Visitor], text: str) -> list[dict[str, Any]]:
        return list(run(together(v.say(text) for v in crowd)))

    def reply(acks: list[dict[str, Any]]) -> None:
        for ack in acks:
            ticket = ack["ticket"]
            answer = api.post(
                f"/api/v1/tickets/{ticket}/messages",
                {"text": "곧 확인해 드리겠습니다.", "kind": "reply"},
                content_type="application/json",
            )
            if answer.status_code != 201:
                raise SystemExit(f"the API answered {answer.status_code}: {answer.content[:200]!r}")

    warm = visitors(10)  # imports, memos, the language detector, the URLconf
    for text in ("안녕하세요, 배송 문의입니다.", "언제 오나요?"):
        acks = say_all(warm, text)
    worker.run()
    reply([{"ticket": ticket_of(a)} for a in acks])
    worker.run()

    crowd: list[Visitor] = []

    def hello() -> None:
        crowd.extend(visitors(args.count))

    firsts: list[dict[str, Any]] = []

    def first() -> None:
        firsts.extend(say_all(crowd, "안녕하세요, 주문한 상품 배송이 언제 오나요?"))

    def follow() -> None:
        for i in range(FOLLOW):
            say_all(crowd, f"주문번호는 2026-{i}입니다. 확인 부탁드려요.")

    answered: list[dict[str, Any]] = []

    def replies() -> None:
        answered.extend({"ticket": ticket_of(a)} for a in firsts[::4])
        reply(answered)

    measure("hello", hello, args.count, "visitor", args.profile)
    measure("first", first, args.count, "message", args.profile)
    measure("follow", follow, args.count * FOLLOW, "message", args.profile)
    measure("worker", worker.run, args.count * (FOLLOW + 1), "message", args.profile)
    answers = len(range(0, args.count, 4))
    measure("reply", replies, answers, "answer", args.profile)
    measure("deliver", worker.run, answers, "answer", args.profile)
    one = crowd[0]

    def one_message() -> None:
        run(one.say("하나 더 여쭤볼게요."))

    count_statements("follow-up message", [("socket", one_message), ("worker", worker.run)])
    again = [{"ticket": answered[0]["ticket"]}]
    count_statements("answer", [("reply", lambda: reply(again)), ("deliver", worker.run)])


if __name__ == "__main__":
    main()
