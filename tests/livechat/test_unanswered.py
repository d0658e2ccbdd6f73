"""A chat nobody answers: the online agents are alerted, and after the channel's handover
time routing gives it to another online agent (routing's offers and its periodic sweep)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import Client
from django.utils import timezone

from sangdam.accounts.models import Presence, Role
from sangdam.connectors.models import Channel
from sangdam.console.models import Notification
from sangdam.core.live import user_group
from sangdam.routing.models import Offer, RoutingRule, Strategy, TeamRouting
from sangdam.routing.tasks import sweep
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Ticket
from tests import factories
from tests.livechat.conftest import Visitor


def _chat(channel: Channel, text: str = "Is anyone there?") -> None:
    async def scenario() -> None:
        visitor = Visitor(channel)
        await visitor.connect()
        await visitor.say(text, "client-id-0001")
        await visitor.close()

    async_to_sync(scenario)()


def test_a_new_chat_alerts_every_online_agent_live(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    minji = factories.make_agent("Minji", presence=Presence.ONLINE)
    alex = factories.make_agent("Alex", presence=Presence.ONLINE)
    factories.make_agent("Away", presence=Presence.OFFLINE)
    factories.make_agent("Viewer", presence=Presence.ONLINE, role=Role.READONLY)
    layer = get_channel_layer()
    tab = async_to_sync(layer.new_channel)()  # Minji's console tab
    async_to_sync(layer.group_add)(user_group(minji.pk), tab)

    _chat(chat_channel)
    run_tasks()

    told = Notification.objects.filter(kind=Notification.Kind.NEW_CHAT)
    assert sorted(told.values_list("user_id", flat=True)) == sorted([minji.pk, alex.pk])
    pushed = async_to_sync(layer.receive)(tab)["payload"]
    assert pushed["event"] == "notification"
    assert pushed["kind"] == "new_chat"
    assert pushed["unread"] == 1


def _handover_setup(channel: Channel, seconds: int) -> tuple[Any, Any]:
    team = factories.make_team("Chat")
    minji = factories.make_agent("Minji", presence=Presence.ONLINE)
    alex = factories.make_agent("Alex", presence=Presence.ONLINE)
    team.members.set([minji, alex])
    TeamRouting.objects.create(team=team, strategy=Strategy.ROUND_ROBIN, match_language=False)
    RoutingRule.objects.create(name="chat", team=team, channel=channel)
    channel.config = {**(channel.config or {}), "handover_seconds": seconds}
    channel.save(update_fields=["config"])
    return minji, alex


def test_an_unanswered_chat_goes_to_another_online_agent_after_the_channels_time(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    minji, alex = _handover_setup(chat_channel, seconds=30)
    _chat(chat_channel)
    run_tasks()
    ticket = Ticket.objects.get()
    assert ticket.assignee == minji
    offered = Offer.objects.get(ticket=ticket)
    assert offered.expires_at - offered.offered_at == dt.timedelta(seconds=30)

    assert sweep(timezone.now() + dt.timedelta(seconds=20))["expired"] == 0
    assert sweep(timezone.now() + dt.timedelta(seconds=31))["expired"] == 1
    run_tasks()

    assert Ticket.objects.get(pk=ticket.pk).assignee == alex
    assert Notification.objects.filter(user=alex, kind=Notification.Kind.ASSIGNED).exists()
    states = list(
        Offer.objects.filter(ticket=ticket).order_by("id").values_list("state", flat=True)
    )
    assert states == [Offer.State.EXPIRED, Offer.State.PENDING]


def test_a_chat_answered_in_time_stays_with_its_agent(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    minji, _alex = _handover_setup(chat_channel, seconds=30)
    _chat(chat_channel)
    run_tasks()
    ticket = Ticket.objects.get()
    actions.do_reply(ticket=ticket, actor=Actor.agent(minji), text="Yes, hello!")
    run_tasks()

    assert sweep(timezone.now() + dt.timedelta(minutes=5))["expired"] == 0
    assert Ticket.objects.get(pk=ticket.pk).assignee == minji
    assert Offer.objects.get(ticket=ticket).state == Offer.State.ACCEPTED


def test_without_a_handover_time_the_teams_offer_timeout_applies(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    _handover_setup(chat_channel, seconds=0)
    TeamRouting.objects.update(offer_timeout_minutes=0)
    _chat(chat_channel)
    run_tasks()
    assert not Offer.objects.exists()  # the assignment is final, as the team says


def test_the_admin_sets_the_handover_time(chat_channel: Channel) -> None:
    admin = factories.make_admin()
    client = Client()
    client.force_login(admin)
    answer = client.post(
        f"/admin/livechat/{chat_channel.pk}/",
        {
            "name": chat_channel.name,
            "enabled": "on",
            "color": "#1a56db",
            "position": "right",
            "handover_seconds": "45",
        },
    )
    assert answer.status_code == 302
    chat_channel.refresh_from_db()
    assert chat_channel.config["handover_seconds"] == 45
