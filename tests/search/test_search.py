"""Searching tickets: Korean inflected forms, mixed languages, contacts, filters."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.search.backends.base import SearchFilters
from sangdam.search.listeners import update_search_index
from sangdam.search.models import SearchDocument
from sangdam.search.selectors import search_tickets
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.events import CustomerReplied, TicketOpened
from tests import factories

pytestmark = pytest.mark.django_db


def refs(q: str, **filters: object) -> list[str]:
    result = search_tickets(q=q, filters=SearchFilters(**filters))  # type: ignore[arg-type]
    return [hit.ticket.reference for hit in result.hits]


def test_a_korean_search_finds_another_form_of_the_same_verb(
    email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    refund = factories.customer_writes(
        email_channel, text="어제 환불했는데 아직 안 들어왔어요"
    ).ticket
    factories.customer_writes(
        email_channel, text="배송이 늦어요", sender=("email", "jun@example.com")
    )
    run_tasks()
    assert refs("환불했어요") == [refund.reference]
    assert refs("들어와요") == [refund.reference]


@pytest.mark.parametrize(
    ("written", "searched"),
    [
        ("환불 문의드립니다", "문의"),  # the dictionary reads 문의드립니다 as 문 + 의 + 드리
        ("앱이 너무 느립니다", "느려요"),  # and 느립니다 as 느 + 립니 + 다
        ("연결이 자꾸 끊깁니다", "끊겼어요"),
        ("화면이 자꾸 꺼져요", "꺼졌어요"),  # 꺼져 as 끄 + 어 + 지, 꺼졌 as 꺼지
    ],
)
def test_a_polite_or_contracted_form_is_found_by_the_plain_word(
    email_channel: Channel, run_tasks: Callable[[], None], written: str, searched: str
) -> None:
    ticket = factories.customer_writes(email_channel, text=written).ticket
    run_tasks()
    assert refs(searched) == [ticket.reference]


def test_every_word_must_match(email_channel: Channel, run_tasks: Callable[[], None]) -> None:
    both = factories.customer_writes(
        email_channel, text="결제가 두 번 되어서 환불 요청합니다"
    ).ticket
    factories.customer_writes(
        email_channel, text="환불은 언제 되나요", sender=("email", "jun@example.com")
    )
    run_tasks()
    assert refs("결제 환불") == [both.reference]


def test_mixed_korean_english_and_japanese_text_is_found_by_each_language(
    email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    mixed = factories.customer_writes(
        email_channel, text="Refund request: 東京の店舗で買った商品を환불하고 싶어요"
    ).ticket
    run_tasks()
    assert refs("refund") == [mixed.reference]
    assert refs("REFUNDS") == [mixed.reference]
    assert refs("東京") == [mixed.reference]
    assert refs("商品") == [mixed.reference]
    assert refs("환불해 주세요") == [mixed.reference]
    assert refs("大阪") == []


def test_a_quoted_phrase_needs_its_words_in_order(
    email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    factories.customer_writes(email_channel, text="the card was charged twice")
    run_tasks()
    assert len(refs('"charged twice"')) == 1
    assert refs('"twice charged"') == []


def test_reference_email_phone_and_name_find_the_ticket(
    email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    ticket = factories.customer_writes(
        email_channel,
        text="문의드립니다",
        sender=("email", "minji.kim@example.com"),
        also=[("phone", "+821012345678")],
        sender_name="김민지",
    ).ticket
    run_tasks()
    for q in (ticket.reference, "minji.kim@example.com", "010-1234-5678", "01012345678", "김민지"):
        assert refs(q) == [ticket.reference], q


def test_later_messages_and_agent_replies_are_found(
    email_channel: Channel, agent: User, run_tasks: Callable[[], None]
) -> None:
    ticket = factories.customer_writes(email_channel, text="로그인이 안 돼요").ticket
    run_tasks()
    actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="비밀번호를 재설정해 보세요")
    factories.customer_writes(
        email_channel, text="Still locked out", ticket_reference=ticket.reference
    )
    run_tasks()
    assert refs("재설정") == [ticket.reference]
    assert refs("locked") == [ticket.reference]
    assert SearchDocument.objects.get(ticket=ticket).body.count("로그인") == 1


def test_results_are_highlighted_in_the_original_text(
    email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    factories.customer_writes(email_channel, text="어제 환불했는데 <b>아직</b> 안 들어왔어요")
    run_tasks()
    hit = search_tickets(q="환불했어요").hits[0]
    assert "<mark>환불</mark>했는데 &lt;b&gt;아직" in hit.snippet


def test_filters_narrow_the_results(
    email_channel: Channel, agent: User, run_tasks: Callable[[], None]
) -> None:
    telegram = factories.make_channel("telegram")
    mine = factories.customer_writes(email_channel, text="환불 문의").ticket
    other = factories.customer_writes(telegram, text="환불 문의", sender=("telegram", "42")).ticket
    actions.do_assign(ticket=mine, actor=Actor.agent(agent), assignee=agent)
    run_tasks()
    assert sorted(refs("환불")) == sorted([mine.reference, other.reference])
    assert refs("환불", channel="telegram") == [other.reference]
    assert refs("환불", assignee=agent.pk) == [mine.reference]
    assert refs("환불", assignee=0) == [other.reference]
    assert refs("환불", statuses=("open", "pending")) == []


def test_the_subject_ranks_above_the_messages(
    email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    in_text = factories.customer_writes(
        email_channel, subject="문의", text="배송 관련 문의인데 배송이 늦어요"
    ).ticket
    in_subject = factories.customer_writes(
        email_channel, subject="배송 지연", text="언제 오나요", sender=("email", "jun@example.com")
    ).ticket
    run_tasks()
    assert refs("배송") == [in_subject.reference, in_text.reference]


def test_a_merged_ticket_is_found_once_under_the_ticket_it_joined(
    email_channel: Channel, agent: User, run_tasks: Callable[[], None]
) -> None:
    target = factories.customer_writes(email_channel, text="첫 문의").ticket
    dup = factories.customer_writes(
        email_channel, text="중복 문의 쿠폰", sender=("email", "jun@example.com")
    ).ticket
    run_tasks()
    actions.do_merge_tickets(source=dup, target=target, actor=Actor.agent(agent))
    run_tasks()
    assert refs("쿠폰") == [target.reference]


def test_reindex_rebuilds_a_lost_index(
    email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    ticket = factories.customer_writes(email_channel, text="앱이 자꾸 꺼져요").ticket
    run_tasks()
    SearchDocument.objects.all().delete()
    assert refs("꺼졌어요") == []
    call_command("reindex_search", verbosity=0)
    assert refs("꺼졌어요") == [ticket.reference]


def test_a_compound_noun_is_found_however_the_analyser_split_it(
    email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    # 비밀번호 is one word or two (비밀 번호); 배송 조회 has a space, 배송조회 none.
    whole = factories.customer_writes(email_channel, text="비밀번호 재설정 메일이 안 와요").ticket
    split = factories.customer_writes(
        email_channel, text="비밀번호를 잊었어요", sender=("email", "jun@example.com")
    ).ticket
    spaced = factories.customer_writes(
        email_channel, text="배송 조회가 안 돼요", sender=("email", "ara@example.com")
    ).ticket
    run_tasks()
    assert sorted(refs("비밀번호")) == sorted([whole.reference, split.reference])
    assert refs("비밀번호를 재설정하고 싶어요") == [whole.reference]
    assert refs("배송조회") == [spaced.reference]


def test_a_word_in_very_many_tickets_ranks_the_newest_of_them(
    email_channel: Channel, run_tasks: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sangdam.search.backends import postgres, sqlite

    monkeypatch.setattr(sqlite, "RANK_WINDOW", 2)
    monkeypatch.setattr(postgres, "RANK_WINDOW", 2)
    oldest = factories.customer_writes(email_channel, subject="배송", text="배송 배송 배송").ticket
    newer = [
        factories.customer_writes(
            email_channel, subject="문의", text="배송", sender=("email", f"c{i}@example.com")
        ).ticket.reference
        for i in range(2)
    ]
    run_tasks()
    result = search_tickets(q="배송", limit=1)
    assert result.total == 3
    result = search_tickets(q="배송")
    assert result.total == 3
    assert [h.ticket.reference for h in result.hits] == newer[::-1]
    assert oldest.reference not in refs("배송")


def test_a_word_only_in_older_tickets_is_found_beyond_the_newest_ones(
    email_channel: Channel, run_tasks: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sangdam.search.backends import postgres, sqlite

    # PostgreSQL tests the newest WALK documents first for common words: here two of four.
    monkeypatch.setattr(postgres, "WALK", 2)
    monkeypatch.setattr(postgres, "term_frequencies", lambda: {"배송": 0.75, "영수증": 0.25})
    monkeypatch.setattr(sqlite, "RANK_WINDOW", 2)
    monkeypatch.setattr(postgres, "RANK_WINDOW", 2)
    receipt = factories.customer_writes(email_channel, text="영수증을 다시 받고 싶어요").ticket
    newer = [
        factories.customer_writes(
            email_channel, text="배송 문의", sender=("email", f"c{i}@example.com")
        ).ticket.reference
        for i in range(3)
    ]
    run_tasks()
    assert refs("영수증") == [receipt.reference]
    assert refs("배송") == newer[:0:-1]
    assert search_tickets(q="배송").total == 3


def test_indexing_a_new_ticket_again_keeps_each_message_once(
    email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    ticket = factories.customer_writes(email_channel, text="주문 취소 부탁드려요").ticket
    run_tasks()
    # A retried listener (its worker died after the commit) sees the same events again.
    message = ticket.messages.get()
    update_search_index(
        [
            TicketOpened(ticket_id=ticket.pk, channel="email", reference=ticket.reference),
            CustomerReplied(ticket_id=ticket.pk, message_id=message.pk),
        ]
    )
    assert SearchDocument.objects.get(ticket=ticket).body.count("취소") == 1
    assert refs("취소") == [ticket.reference]


def test_a_nul_or_a_broken_character_does_not_hide_the_words_after_it(
    email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    from sangdam.search.analyzer import terms

    assert terms("환불\x00배송 문의") == ["환불", "배송", "문의"]
    ticket = factories.customer_writes(email_channel, text="배송이 늦어요").ticket
    run_tasks()
    # A lone surrogate (text decoded with surrogateescape) in the search box.
    assert refs("\udcff배송") == [ticket.reference]
