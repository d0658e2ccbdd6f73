"""The language of a customer's text, as the reply and the agents' filters use it."""

from __future__ import annotations

import pytest

from sangdam.core import language

# Korean as customers write it: alone, with English words and order numbers.
KOREAN = [
    "결제가 두 번 되었어요. 환불 부탁드립니다.",
    "주문번호 A-1029 배송이 아직 안 왔어요",
    "앱에서 로그인이 안 됩니다 iPhone 15 iOS 18",
    "ㅠㅠ 환불 언제 되나요?",
]
OTHERS = {
    "I was charged twice for my subscription this month, please refund one.": "en",
    "注文した商品がまだ届いていません。確認をお願いします。": "ja",
    "我的订单还没有到，请帮我查一下。": "zh",
    "Мой заказ до сих пор не доставлен, помогите пожалуйста.": "ru",
    "Me cobraron dos veces este mes, por favor devuelvan uno.": "es",
}


@pytest.mark.once
@pytest.mark.parametrize("text", KOREAN)
def test_korean_text_is_korean_as_the_detector_also_says(text: str) -> None:
    assert language.detect_language(text) == "ko"
    detected = language._detector().detect_language_of(text)
    assert detected is not None and detected.iso_code_639_1.name == "KO"


@pytest.mark.once
@pytest.mark.parametrize(("text", "code"), OTHERS.items())
def test_other_languages_go_to_the_detector(text: str, code: str) -> None:
    assert not language._mostly_hangul(text)
    assert language.detect_language(text) == code


@pytest.mark.once
def test_a_korean_name_in_an_english_message_leaves_it_english() -> None:
    text = "Hello, this is 김민지 writing about my order from last week."
    assert language.detect_language(text) == "en"
