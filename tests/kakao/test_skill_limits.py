"""Answers stay inside Kakao's documented limits instead of being refused (no database)."""

from __future__ import annotations

from sangdam.connectors.kakao import skill


def test_text_over_1000_characters_is_split_over_bubbles():
    outputs = skill.long_text("가나다라 " * 400)  # 2000 characters

    assert len(outputs) == 2
    assert skill.problems(skill.response(outputs)) == []


def test_text_beyond_three_bubbles_ends_with_a_more_button():
    outputs = skill.long_text("가" * 5000, more_url="https://example.com/s/x", more_label="더 보기")

    assert len(outputs) == 3
    last = outputs[-1]["textCard"]
    assert last["description"].endswith("…")
    assert last["buttons"] == [
        {"label": "더 보기", "action": "webLink", "webLinkUrl": "https://example.com/s/x"}
    ]
    assert skill.problems(skill.response(outputs)) == []


def test_more_than_ten_quick_replies_are_cut_and_long_labels_shortened():
    answer = skill.response(
        [skill.simple_text("주제를 고르세요")],
        quick_replies=[f"아주 긴 주제 이름 번호 {n}" for n in range(15)],
    )

    replies = answer["template"]["quickReplies"]
    assert len(replies) == 10
    assert all(len(r["label"]) <= 14 for r in replies)
    assert replies[0]["messageText"] == "아주 긴 주제 이름 번호 0"  # the tap still sends it whole
    assert skill.problems(answer) == []


def test_a_card_with_an_image_is_a_basic_card_and_its_description_fits():
    output = skill.card(
        title="문의 접수",
        description="나" * 500,
        buttons=[skill.Button(f"버튼 {n}", url="https://example.com") for n in range(5)],
        image_url="https://example.com/logo.png",
    )

    body = output["basicCard"]
    assert len(body["description"]) == 230
    assert len(body["buttons"]) == 3
    assert skill.problems(skill.response([output])) == []


def test_the_checker_names_what_kakao_would_refuse():
    bad = {
        "version": "2.0",
        "template": {
            "outputs": [{"simpleText": {"text": "x" * 1001}}] * 4,
            "quickReplies": [{"label": "a" * 20, "action": "message", "messageText": "a"}],
        },
    }

    found = skill.problems(bad)

    assert "outputs: need 1 to 3" in found
    assert any("simpleText" in p for p in found)
    assert any("quickReplies" in p for p in found)


def test_the_callback_answer_asks_kakao_to_wait():
    assert skill.callback_pending("잠시만요") == {
        "version": "2.0",
        "useCallback": True,
        "data": {"text": "잠시만요"},
    }
