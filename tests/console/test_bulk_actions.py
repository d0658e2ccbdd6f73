"""Bulk actions from the inbox: the same actions per ticket, audited, with a summary."""

from __future__ import annotations

from django.test import Client

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Event, Status, Ticket
from tests import factories
from tests.console.helpers import new_ticket


def _three(channel: Channel) -> list[Ticket]:
    return [new_ticket(channel, who=f"c{i}@example.com") for i in range(3)]


def test_bulk_assign_assigns_every_selected_ticket_and_audits_each(
    en_client: Client, email_channel: Channel
) -> None:
    tickets = _three(email_channel)
    minho = factories.make_agent("Minho")
    response = en_client.post(
        "/inbox/bulk/",
        {"ids": [t.pk for t in tickets], "op": f"assignee:{minho.pk}", "next": "/?view=open"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/?view=open"
    assert "3 tickets updated." in response.content.decode()
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {minho.pk}
    assert Event.objects.filter(kind="assigned", actor_user__isnull=False).count() == 3


def test_a_refused_ticket_is_reported_and_the_others_still_change(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    tickets = _three(email_channel)
    actions.do_change_status(ticket=tickets[0], actor=Actor.agent(agent), status=Status.CLOSED)
    response = en_client.post(
        "/inbox/bulk/", {"ids": [t.pk for t in tickets], "op": "status:pending"}, follow=True
    )
    body = response.content.decode()
    assert "2 tickets updated." in body and "1 ticket not changed:" in body
    assert tickets[0].reference in body
    statuses = [Ticket.objects.get(pk=t.pk).status for t in tickets]
    assert statuses == [Status.CLOSED, Status.PENDING, Status.PENDING]


def test_bulk_priority_topic_and_tag(en_client: Client, email_channel: Channel) -> None:
    tickets = _three(email_channel)
    topic = factories.make_topic("refund")
    ids = [t.pk for t in tickets]
    en_client.post("/inbox/bulk/", {"ids": ids, "op": "priority:high"})
    en_client.post("/inbox/bulk/", {"ids": ids, "op": f"topic:{topic.pk}"})
    en_client.post("/inbox/bulk/", {"ids": ids, "op": "tag_add", "text": "recall"})
    for ticket in Ticket.objects.all():
        assert (ticket.priority, ticket.topic, ticket.tags) == ("high", topic, ["recall"])


def test_bulk_merge_moves_the_selected_into_the_typed_ticket(
    en_client: Client, email_channel: Channel
) -> None:
    target, *duplicates = _three(email_channel)
    en_client.post(
        "/inbox/bulk/",
        {"ids": [t.pk for t in [target, *duplicates]], "op": "merge", "text": target.reference},
    )
    for duplicate in duplicates:
        assert Ticket.objects.get(pk=duplicate.pk).merged_into_id == target.pk
    assert Ticket.objects.get(pk=target.pk).merged_into_id is None


def test_the_inbox_offers_row_checkboxes_and_the_bulk_menu(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    body = en_client.get("/").content.decode()
    assert f'name="ids" value="{ticket.pk}" form="bulk-form"' in body
    assert 'id="select-all"' in body and 'id="bulk-op"' in body


def test_a_read_only_user_gets_no_bulk_actions(
    readonly_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    assert 'id="bulk-form"' not in readonly_client.get("/").content.decode()
    readonly_client.post("/inbox/bulk/", {"ids": [ticket.pk], "op": "priority:high"})
    assert Ticket.objects.get(pk=ticket.pk).priority == "normal"


def test_bulk_tag_removal_removes_the_tag_audits_and_reports_tickets_without_it(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    tickets = _three(email_channel)
    for ticket in tickets[:2]:
        actions.do_update_fields(ticket=ticket, actor=Actor.agent(agent), tags=["recall", "vip"])
    response = en_client.post(
        "/inbox/bulk/",
        {"ids": [t.pk for t in tickets], "op": "tag_remove", "text": " recall "},
        follow=True,
    )
    body = response.content.decode()
    assert "2 tickets updated." in body and "1 ticket not changed:" in body
    assert f"{tickets[2].reference}: It has no tag recall." in body
    assert [Ticket.objects.get(pk=t.pk).tags for t in tickets] == [["vip"], ["vip"], []]
    changes = Event.objects.filter(kind="fields_changed", actor_user=agent).order_by("id")
    removals = [e.data["tags"] for e in changes if e.data["tags"][1] == ["vip"]]
    assert removals == [[["recall", "vip"], ["vip"]]] * 2


def test_the_bulk_menu_offers_tag_removal(en_client: Client, email_channel: Channel) -> None:
    new_ticket(email_channel)
    assert '<option value="tag_remove">' in en_client.get("/").content.decode()


def test_the_bulk_menu_offers_every_agent_with_the_name_escaped(
    en_client: Client, email_channel: Channel
) -> None:
    new_ticket(email_channel)
    agent = factories.make_agent("Minho & <Co>")
    body = en_client.get("/").content.decode()
    assert f'<option value="assignee:{agent.pk}">Minho &amp; &lt;Co&gt;</option>' in body
    assert '<optgroup label="Set team"><option value="team:">(no team)</option>' in body
