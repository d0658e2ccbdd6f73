"""Live chat across web processes: the visitor's socket on one, the agent's on the other,
the Redis channel layer between them (and a worker delivering the agent's reply)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import psycopg
import websockets

from tests.cluster.conftest import Cluster
from tests.cluster.test_scaled_mode import AUTH, _session_cookie


async def _until(socket: Any, match: Any, timeout: float = 60) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        while True:
            frame = json.loads(await socket.recv())
            if match(frame):
                return dict(frame)

    return await asyncio.wait_for(read(), timeout)


async def _chat(web_a: str, web_b: str, cookie: str, key: str) -> tuple[dict[str, Any], ...]:
    visitor_url = web_a.replace("http://", "ws://") + f"/ws/chat/{key}/"
    agent_url = web_b.replace("http://", "ws://") + "/ws/live/"
    async with (
        websockets.connect(
            agent_url, additional_headers={"Cookie": cookie, "Origin": web_b}
        ) as agent,
        websockets.connect(visitor_url, additional_headers={"Origin": web_a}) as visitor,
    ):
        await visitor.send(json.dumps({"type": "hello", "token": None, "after": 0}))
        await _until(visitor, lambda f: f["type"] == "welcome")
        await visitor.send(
            json.dumps(
                {"type": "message", "client_id": "scaled-0001", "text": "다른 서버의 상담원님?"}
            )
        )
        ack = await _until(visitor, lambda f: f["type"] == "ack")
        ticket_id = None

        def about_the_chat(frame: dict[str, Any]) -> bool:
            return frame.get("event") in ("ticket_created", "message_added")

        heard = await _until(agent, about_the_chat)
        ticket_id = heard["ticket_id"]
        async with httpx.AsyncClient(base_url=web_b, auth=AUTH, timeout=90) as client:
            posted = await client.post(
                f"/api/v1/tickets/{ticket_id}/messages",
                json={"text": "네, 듣고 있습니다.", "kind": "reply"},
            )
            assert posted.status_code == 201, posted.text
        answer = await _until(
            visitor, lambda f: f["type"] == "message" and f["message"]["from"] == "agent"
        )
        return ack, heard, answer


def test_a_visitor_on_one_web_process_chats_with_an_agent_on_another(cluster: Cluster) -> None:
    web_a, web_b = cluster.webs
    with psycopg.connect(cluster.env["DATABASE_URL"]) as conn:
        row = conn.execute(
            "SELECT key FROM connectors_channel WHERE kind = 'livechat' AND enabled"
        ).fetchone()
    assert row, "the demo has a live chat channel"
    cookie = _session_cookie(web_b)
    ack, heard, answer = asyncio.run(_chat(web_a, web_b, cookie, row[0]))
    assert ack["message"]["text"] == "다른 서버의 상담원님?"
    assert heard["ticket_id"]
    assert answer["message"]["text"] == "네, 듣고 있습니다.", cluster.log("worker0")
