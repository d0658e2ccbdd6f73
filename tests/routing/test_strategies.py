"""Routing with the real database: rules choose the team, strategies choose the agent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sangdam.accounts.actions import do_set_presence
from sangdam.accounts.models import Presence
from sangdam.routing.models import Offer, RoutingRule, Strategy
from sangdam.routing.tasks import sweep
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Event, Status, Ticket
from tests import factories
from tests.console.helpers import new_ticket

pytestmark = pytest.mark.django_db


def _open(channel, run_tasks, who="minji@example.com", **fields) -> Ticket:
    ticket = new_ticket(channel, who=who, **fields)
    run_tasks()
    return Ticket.objects.get(pk=ticket.pk)


def test_the_first_matching_rule_chooses_the_team(email_channel, care, run_tasks):
    billing = factories.make_team("Billing")
    payment = factories.make_topic("payment")
    RoutingRule.objects.create(position=2, name="all mail", channel=email_channel, team=care.team)
    RoutingRule.objects.create(position=1, name="payments", topic=payment, team=billing)

    paying = _open(email_channel, run_tasks, topic_slug="payment")
    other = _open(email_channel, run_tasks, who="john@example.com")

    assert (paying.team, other.team) == (billing, care.team)
    routed = Event.objects.get(ticket=paying, kind="routed")
    assert (routed.actor_label, routed.data["rule"]) == ("routing", "payments")


def test_a_language_rule_sends_english_inquiries_to_the_english_desk(
    email_channel, care, run_tasks
):
    english = factories.make_team("English desk")
    RoutingRule.objects.create(name="english", language="en", team=english)

    ticket = _open(email_channel, run_tasks, text="I was charged twice.", language="en")

    assert (ticket.language, ticket.team) == ("en", english)


def test_without_a_rule_the_topic_default_team_still_applies(email_channel, care, run_tasks):
    topic = factories.make_topic("payment")
    topic.default_team = care.team
    topic.save()

    assert _open(email_channel, run_tasks, topic_slug="payment").team == care.team


def test_a_manual_team_gets_the_ticket_but_nobody_is_assigned(email_channel, care, run_tasks):
    RoutingRule.objects.create(name="all", team=care.team)

    ticket = _open(email_channel, run_tasks)

    assert (ticket.team, ticket.assignee) == (care.team, None)
    assert Event.objects.get(ticket=ticket, kind="routed").data["waiting"] == "manual"


def test_round_robin_takes_turns_among_online_agents_only(email_channel, care, run_tasks):
    RoutingRule.objects.create(name="all", team=care.team)
    care.configure(Strategy.ROUND_ROBIN, match_language=False)
    do_set_presence(agent=care.alex, presence=Presence.AWAY)

    assignees = [
        _open(email_channel, run_tasks, who=f"c{i}@example.com").assignee for i in range(4)
    ]

    assert assignees == [care.seoyeon, care.minho, care.seoyeon, care.minho]
    event = Event.objects.filter(kind="assigned").last()
    assert event is not None and event.actor_label == "routing"


def test_least_loaded_gives_the_ticket_to_the_agent_with_the_fewest(email_channel, care, run_tasks):
    RoutingRule.objects.create(name="all", team=care.team)
    care.configure(Strategy.LEAST_LOADED, match_language=False)
    for who in ("a@example.com", "b@example.com"):
        busy = new_ticket(email_channel, who=who)
        actions.do_assign(ticket=busy, actor=Actor.agent(care.seoyeon), assignee=care.seoyeon)
    first = new_ticket(email_channel, who="c@example.com")
    actions.do_assign(ticket=first, actor=Actor.agent(care.alex), assignee=care.alex)
    run_tasks()

    assert _open(email_channel, run_tasks, who="d@example.com").assignee == care.minho
    assert _open(email_channel, run_tasks, who="e@example.com").assignee in (care.alex, care.minho)


def test_full_agents_get_no_more_and_the_ticket_waits(email_channel, care, run_tasks):
    RoutingRule.objects.create(name="all", team=care.team)
    care.configure(Strategy.LEAST_LOADED, match_language=False)
    for agent in (care.seoyeon, care.alex, care.minho):
        agent.capacity = 1
        agent.save()

    tickets = [_open(email_channel, run_tasks, who=f"c{i}@example.com") for i in range(4)]

    assert [t.assignee is not None for t in tickets] == [True, True, True, False]
    assert Event.objects.get(ticket=tickets[3], kind="routed").data["waiting"] == (
        "nobody online with capacity"
    )
    # One of them solves a ticket: the waiting one is routed on the next sweep.
    actions.do_change_status(ticket=tickets[0], actor=Actor("test"), status=Status.SOLVED)
    assert sweep()["assigned"] == 1
    assert Ticket.objects.get(pk=tickets[3].pk).assignee == tickets[0].assignee


def test_chats_count_against_the_chat_capacity_not_the_ticket_one(email_channel, care, run_tasks):
    telegram = factories.make_channel("telegram")
    RoutingRule.objects.create(name="all", team=care.team)
    care.configure(Strategy.LEAST_LOADED, match_language=False)
    care.alex.presence = care.minho.presence = Presence.OFFLINE
    care.alex.save()
    care.minho.save()
    care.seoyeon.chat_capacity, care.seoyeon.capacity = 1, 5
    care.seoyeon.save()

    chat = _open(telegram, run_tasks, who="100")
    second_chat = _open(telegram, run_tasks, who="200")
    mail = _open(email_channel, run_tasks)

    assert (chat.assignee, second_chat.assignee, mail.assignee) == (
        care.seoyeon,
        None,
        care.seoyeon,
    )


def test_language_match_prefers_an_agent_who_speaks_the_inquiry_language(
    email_channel, care, run_tasks
):
    RoutingRule.objects.create(name="all", team=care.team)
    care.configure(Strategy.LEAST_LOADED, match_language=True)
    japanese = "二重に請求されました。返金をお願いします。"

    assert _open(email_channel, run_tasks, text=japanese, language="ja").assignee == care.alex
    # Nobody online speaks Thai: someone still gets it.
    assert _open(email_channel, run_tasks, who="t@example.com", language="th").assignee is not None


def test_nobody_online_then_an_agent_comes_online_and_gets_the_waiting_ticket(
    email_channel, care, run_tasks
):
    RoutingRule.objects.create(name="all", team=care.team)
    care.configure(Strategy.ROUND_ROBIN)
    for agent in (care.seoyeon, care.alex, care.minho):
        do_set_presence(agent=agent, presence=Presence.OFFLINE)
    ticket = _open(email_channel, run_tasks)
    assert ticket.assignee is None

    do_set_presence(agent=care.alex, presence=Presence.ONLINE)
    sweep()

    assert Ticket.objects.get(pk=ticket.pk).assignee == care.alex


def test_an_unaccepted_offer_goes_to_the_next_agent_after_the_timeout(
    email_channel, care, run_tasks
):
    RoutingRule.objects.create(name="all", team=care.team)
    care.configure(Strategy.ROUND_ROBIN, match_language=False, offer_timeout_minutes=2)
    ticket = _open(email_channel, run_tasks)
    assert ticket.assignee == care.seoyeon

    assert sweep(timezone.now() + dt.timedelta(minutes=1))["expired"] == 0
    assert sweep(timezone.now() + dt.timedelta(minutes=3))["expired"] == 1

    assert Ticket.objects.get(pk=ticket.pk).assignee == care.alex
    states = list(
        Offer.objects.filter(ticket=ticket).order_by("id").values_list("state", flat=True)
    )
    assert states == [Offer.State.EXPIRED, Offer.State.PENDING]
    kinds = list(Event.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds.count("offer_made") == 2 and "offer_answered" in kinds


def test_answering_the_ticket_accepts_the_offer(email_channel, care, run_tasks):
    RoutingRule.objects.create(name="all", team=care.team)
    care.configure(Strategy.ROUND_ROBIN, match_language=False, offer_timeout_minutes=2)
    ticket = _open(email_channel, run_tasks)

    actions.do_reply(ticket=ticket, actor=Actor.agent(care.seoyeon), text="확인해 보겠습니다.")
    run_tasks()

    assert Offer.objects.get(ticket=ticket).state == Offer.State.ACCEPTED
    assert sweep(timezone.now() + dt.timedelta(minutes=5))["expired"] == 0
    assert Ticket.objects.get(pk=ticket.pk).assignee == care.seoyeon


def test_moving_a_ticket_to_an_automatic_team_routes_it_there(email_channel, care, run_tasks):
    care.configure(Strategy.LEAST_LOADED, match_language=False)
    ticket = _open(email_channel, run_tasks)
    assert ticket.team is None

    actions.do_assign(ticket=ticket, actor=Actor.agent(care.alex), assignee=None, team=care.team)
    run_tasks()

    assert Ticket.objects.get(pk=ticket.pk).assignee is not None
