from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import DeliveryState, Event, Message, MessageKind, Status, Ticket
from tests import factories
from tests.console.helpers import new_ticket


def _refresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_agent_replies_and_the_reply_is_queued(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    response = en_client.post(
        f"/tickets/{ticket.pk}/reply/", {"kind": "public", "text": "환불 처리했습니다."}
    )
    assert response.status_code == 302
    reply = Message.objects.get(ticket=ticket, text="환불 처리했습니다.")
    assert reply.kind == MessageKind.PUBLIC
    assert reply.author_user == agent
    assert reply.delivery_state == DeliveryState.QUEUED
    assert _refresh(ticket).status == Status.OPEN


def test_agent_adds_an_internal_note_that_is_never_sent(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    en_client.post(f"/tickets/{ticket.pk}/reply/", {"kind": "note", "text": "VIP 고객"})
    note = Message.objects.get(ticket=ticket, text="VIP 고객")
    assert note.kind == MessageKind.NOTE
    assert note.delivery_state == DeliveryState.NONE
    body = en_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "message-note" in body


def test_reply_can_set_the_status_too(en_client: Client, email_channel: Channel) -> None:
    ticket = new_ticket(email_channel)
    en_client.post(
        f"/tickets/{ticket.pk}/reply/",
        {"kind": "public", "text": "Done.", "status": Status.SOLVED},
    )
    assert _refresh(ticket).status == Status.SOLVED


def test_an_empty_reply_shows_an_error_and_sends_nothing(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    response = en_client.post(f"/tickets/{ticket.pk}/reply/", {"kind": "public", "text": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert ticket.messages.count() == 1


def test_a_refused_attachment_shows_an_error_and_sends_nothing(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    bad = SimpleUploadedFile("run.exe", b"MZ\x90\x00" + b"\x00" * 100, "image/png")
    response = en_client.post(
        f"/tickets/{ticket.pk}/reply/",
        {"kind": "public", "text": "see attached", "attachments": [bad]},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "run.exe is not an allowed file type." in body
    assert "see attached" in body  # the typed text is kept
    assert ticket.messages.count() == 1


def test_reply_with_an_impossible_status_changes_nothing(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=Status.CLOSED)
    response = en_client.post(
        f"/tickets/{ticket.pk}/reply/", {"kind": "note", "text": "note", "status": Status.PENDING}
    )
    assert "cannot become" in response.content.decode()
    assert not Message.objects.filter(ticket=ticket, text="note").exists()


def test_agent_assigns_the_ticket_to_themselves(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    en_client.post(f"/tickets/{ticket.pk}/assign/", {"to_me": "1"})
    assert _refresh(ticket).assignee == agent


def test_agent_assigns_to_another_agent_and_a_team(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    alex = factories.make_agent("Alex")
    team = factories.make_team()
    en_client.post(f"/tickets/{ticket.pk}/assign/", {"assignee": alex.pk, "team": team.pk})
    ticket = _refresh(ticket)
    assert (ticket.assignee, ticket.team) == (alex, team)
    assert Event.objects.filter(ticket=ticket, kind="assigned", actor_label="agent").exists()


def test_agent_unassigns_a_ticket(en_client: Client, agent: User, email_channel: Channel) -> None:
    ticket = new_ticket(email_channel)
    actions.do_assign(ticket=ticket, actor=Actor.agent(agent), assignee=agent)
    en_client.post(f"/tickets/{ticket.pk}/assign/", {"assignee": "", "team": ""})
    assert _refresh(ticket).assignee is None


def test_assigning_to_an_inactive_agent_shows_an_error(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    gone = factories.make_agent("Gone", is_active=False)
    response = en_client.post(
        f"/tickets/{ticket.pk}/assign/", {"assignee": gone.pk, "team": ""}, follow=True
    )
    assert "Select a valid choice" in response.content.decode()
    assert _refresh(ticket).assignee is None


def test_agent_changes_the_status(en_client: Client, email_channel: Channel) -> None:
    ticket = new_ticket(email_channel)
    en_client.post(f"/tickets/{ticket.pk}/status/", {"status": Status.PENDING})
    assert _refresh(ticket).status == Status.PENDING


def test_an_invalid_transition_shows_an_error_and_changes_nothing(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=Status.CLOSED)
    events = Event.objects.filter(ticket=ticket).count()
    response = en_client.post(f"/tickets/{ticket.pk}/status/", {"status": Status.OPEN}, follow=True)
    assert "A Closed ticket cannot become Open." in response.content.decode()
    assert _refresh(ticket).status == Status.CLOSED
    assert Event.objects.filter(ticket=ticket).count() == events


def test_agent_changes_the_priority_without_touching_the_topic(
    en_client: Client, email_channel: Channel
) -> None:
    topic = factories.make_topic("payment")
    ticket = new_ticket(email_channel, topic_slug="payment")
    en_client.post(f"/tickets/{ticket.pk}/fields/", {"priority": "high"})
    ticket = _refresh(ticket)
    assert (ticket.priority, ticket.topic) == ("high", topic)


def test_agent_changes_the_topic(en_client: Client, email_channel: Channel) -> None:
    topic = factories.make_topic("account", ko="계정", en="Account")
    ticket = new_ticket(email_channel)
    en_client.post(f"/tickets/{ticket.pk}/fields/", {"topic": topic.pk})
    assert _refresh(ticket).topic == topic


def test_agent_merges_a_duplicate_by_reference(en_client: Client, email_channel: Channel) -> None:
    target = new_ticket(email_channel, who="minji@example.com")
    duplicate = new_ticket(email_channel, who="minji2@example.com")
    response = en_client.post(
        f"/tickets/{duplicate.pk}/merge/", {"reference": target.reference.lower()}
    )
    assert response["Location"] == f"/tickets/{target.pk}/"
    duplicate = _refresh(duplicate)
    assert duplicate.merged_into == target
    assert duplicate.status == Status.CLOSED
    assert target.messages.count() == 2


def test_merging_into_an_unknown_reference_shows_an_error(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    response = en_client.post(
        f"/tickets/{ticket.pk}/merge/", {"reference": "SD-000000"}, follow=True
    )
    assert "There is no ticket SD-000000." in response.content.decode()
    assert _refresh(ticket).merged_into is None


def test_merging_a_ticket_into_itself_shows_an_error(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    response = en_client.post(
        f"/tickets/{ticket.pk}/merge/", {"reference": ticket.reference}, follow=True
    )
    assert "cannot be merged into itself" in response.content.decode()


def test_read_only_user_sees_the_ticket_but_no_forms(
    readonly_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel, text="읽기 전용 확인")
    response = readonly_client.get(f"/tickets/{ticket.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "읽기 전용 확인" in body
    assert "<form" in body  # the language switch and logout stay
    for form_id in ("reply-form", "assign-form", "status-form", "merge-form"):
        assert f'id="{form_id}"' not in body


def test_read_only_user_cannot_post(readonly_client: Client, email_channel: Channel) -> None:
    ticket = new_ticket(email_channel)
    posts = {
        "reply": {"kind": "public", "text": "hi"},
        "assign": {"to_me": "1"},
        "status": {"status": Status.PENDING},
        "fields": {"priority": "urgent"},
        "merge": {"reference": ticket.reference},
    }
    for action, data in posts.items():
        response = readonly_client.post(f"/tickets/{ticket.pk}/{action}/", data)
        assert response.status_code == 403, action
    ticket = _refresh(ticket)
    assert (ticket.status, ticket.priority, ticket.assignee) == (Status.NEW, "normal", None)
    assert ticket.messages.count() == 1
