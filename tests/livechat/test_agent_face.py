"""What the visitor sees of the agent: name, face (picture or initials), and typing —
but never the typing of an internal note."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from channels.routing import URLRouter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sangdam.accounts.avatars import colour, initials
from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.console.routing import websocket_urlpatterns as console_sockets
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Ticket
from tests import factories
from tests.livechat.conftest import Visitor


def _reply(agent: User, text: str) -> None:
    actions.do_reply(ticket=Ticket.objects.get(), actor=Actor.agent(agent), text=text)


def _upload_picture(agent: User, content: bytes, name: str = "me.png") -> Any:
    admin = factories.make_admin()
    client = Client()
    client.force_login(admin)
    return client.post(
        f"/admin/agents/{agent.pk}/",
        {
            "display_name": agent.display_name,
            "role": agent.role,
            "is_active": "on",
            "picture": SimpleUploadedFile(name, content, "image/png"),
        },
    )


def _agent_answer(channel: Channel, agent: User, run_tasks: Callable[[], None]) -> dict[str, Any]:
    async def scenario() -> dict[str, Any]:
        visitor = Visitor(channel)
        await visitor.connect()
        await visitor.say("Hello?", "client-id-0001")
        await sync_to_async(_reply)(agent, "Hello! How can I help?")
        await sync_to_async(run_tasks)()
        pushed = await visitor.receive_type("message")
        await visitor.close()
        return dict(pushed["message"])

    return async_to_sync(scenario)()


def test_an_agent_without_a_picture_shows_initials_on_a_colour(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    agent = factories.make_agent("Minji Kim")
    message = _agent_answer(chat_channel, agent, run_tasks)
    assert message["author"] == "Minji Kim"
    assert message["avatar"] == {"initials": "MK", "colour": colour("Minji Kim")}


def test_an_agents_uploaded_picture_is_shown_to_the_visitor(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    agent = factories.make_agent("Minji")
    assert _upload_picture(agent, factories.PNG).status_code == 302
    message = _agent_answer(chat_channel, agent, run_tasks)
    url = message["avatar"]["url"]
    picture = Client().get(url)  # the visitor: no login
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/png"
    assert b"".join(picture.streaming_content) == factories.PNG  # type: ignore[attr-defined]
    assert Client().get(url.rsplit("/", 1)[0] + "/guessed.png").status_code == 404


def test_a_picture_that_is_not_an_image_is_refused(chat_channel: Channel) -> None:
    agent = factories.make_agent("Minji")
    answer = _upload_picture(agent, b"<script>alert(1)</script>", name="me.png")
    assert answer.status_code == 200  # the form again, with the error
    assert "picture" in answer.context["form"].errors
    agent.refresh_from_db()
    assert not agent.avatar


def test_initials_and_colours_are_stable_and_dark_enough() -> None:
    assert initials("김민지") == "민지"
    assert initials("Lee Minho") == "LM"
    assert initials("") == "?"
    assert colour("Minji") == colour("Minji")
    red, green, blue = (int(colour("Minji")[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)

    luminance = 0.2126 * lin(red) + 0.7152 * lin(green) + 0.0722 * lin(blue)
    assert (1.05 / (luminance + 0.05)) >= 4.5  # white initials pass WCAG AA


class AgentPage(ApplicationCommunicator):
    """The agent's ticket page's socket, with the agent logged in."""

    def __init__(self, agent: User, ticket_id: int) -> None:
        path = f"/ws/live/ticket/{ticket_id}/"
        scope: dict[str, Any] = {"type": "websocket", "path": path, "query_string": b""}
        scope.update(headers=[], user=agent)
        super().__init__(URLRouter(console_sockets), scope)

    async def open(self) -> None:
        await self.send_input({"type": "websocket.connect"})
        assert (await self.receive_output(5))["type"] == "websocket.accept"

    async def report(self, **frame: Any) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(frame)})


def test_typing_an_internal_note_is_not_shown_to_the_visitor(chat_channel: Channel) -> None:
    agent = factories.make_agent("Minji")

    async def scenario() -> list[dict[str, Any]]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        await visitor.say("Hello?", "client-id-0001")
        ticket_id = await sync_to_async(lambda: Ticket.objects.get().pk)()
        page = AgentPage(agent, ticket_id)
        await page.open()
        shown = []
        await page.report(type="presence", typing=True, note=True)
        shown.append(await visitor.receive_type("typing"))
        await page.report(type="presence", typing=True, note=False)
        shown.append(await visitor.receive_type("typing"))
        await page.send_input({"type": "websocket.disconnect", "code": 1000})
        await visitor.close()
        return shown

    note, reply = async_to_sync(scenario)()
    assert note == {"type": "typing", "on": False, "author": ""}
    assert reply == {"type": "typing", "on": True, "author": "Minji"}
