"""Text comes out readable whatever the charset label says, and decoding never raises."""

from __future__ import annotations

import base64
import json

import pytest

from sangdam.connectors.email.decode import decode_bytes, decode_header_value
from sangdam.connectors.email.parse import parse_email


def test_euc_kr_labelled_text_with_cp949_only_syllables_reads_right():
    assert decode_bytes("똠방각하 햏".encode("cp949"), "euc-kr") == "똠방각하 햏"


def test_undeclared_iso_2022_jp_is_recognised_by_its_escape_sequences():
    assert decode_bytes("荷物".encode("iso2022_jp"), None) == "荷物"


def test_windows_iso_2022_jp_extensions_lose_only_the_unknown_character():
    # Outlook's CP50220 writes NEC row 13 (①) inside ISO-2022-JP; Python lacks that codec.
    data = "注文".encode("iso2022_jp")[:-3] + b"-!" + b"\x1b(B"

    text = decode_bytes(data, "iso-2022-jp")

    assert text.startswith("注文") and "\x1b" not in text


@pytest.mark.parametrize("label", ["x-unknown", "utf-8\x00", "\udcb8\udcb9", "", None])
def test_a_broken_or_unknown_label_falls_back_without_raising(label):
    assert decode_bytes("안녕하세요".encode(), label) == "안녕하세요"


def test_latin_1_text_that_is_not_utf_8_stays_latin_1():
    assert decode_bytes("Renée".encode("latin-1"), "iso-8859-1") == "Renée"


def test_an_encoded_word_with_a_mislabelled_charset_reads_right():
    assert decode_header_value("=?euc-kr?B?jGM=?=") == "똠"


def test_a_header_of_raw_utf_8_bytes_reads_right():
    smuggled = "제목".encode().decode("ascii", errors="surrogateescape")

    assert decode_header_value(smuggled) == "제목"


def _smuggled(data: bytes) -> str:
    """A header value as the stdlib parser keeps raw 8-bit bytes: surrogate escapes."""
    return data.decode("ascii", errors="surrogateescape")


def _b(text: str, charset: str = "utf-8") -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        pytest.param(
            _smuggled(f"Re: {_b('환불 문의')} (추가)".encode()),
            "Re: 환불 문의 (추가)",
            id="encoded-word-then-raw-utf8",
        ),
        pytest.param(
            _smuggled(
                "주문 ".encode("cp949") + _b("환불", "euc-kr").encode() + " 똠방".encode("cp949")
            ),
            "주문 환불 똠방",
            id="raw-cp949-around-an-euc-kr-word",
        ),
        pytest.param(
            _smuggled("[안내] ".encode("euc-kr") + _b("배송 지연", "utf-8").encode()),
            "[안내] 배송 지연",
            id="raw-euc-kr-then-utf8-word",
        ),
        pytest.param(
            f"{_b('결제')} {_b('취소', 'euc-kr')} 요청",
            "결제취소 요청",
            id="adjacent-words-of-two-charsets-and-plain-unicode",
        ),
        pytest.param("=?utf-8?B?not-base64!?= 문의", "=?utf-8?B?not-base64!?= 문의", id="broken"),
        pytest.param(
            _smuggled(b"Fwd: " + "見積もり".encode()) + " " + _b("依頼"),
            "Fwd: 見積もり 依頼",
            id="raw-utf8-japanese-then-word",
        ),
    ],
)
def test_headers_mixing_encoded_words_and_raw_bytes_read_like_a_mail_client(raw, shown):
    value = decode_header_value(raw)

    assert value == shown
    value.encode("utf-8")  # no surrogate escape survives


def test_a_subject_mixing_an_encoded_word_and_raw_utf_8_reaches_the_agent_clean():
    raw = (
        b"From: =?utf-8?B?6rmA66+87IiY?= <minsu@example.com>\r\n"
        b"To: support@example.com\r\n"
        + b"Subject: Re: "
        + _b("환불 문의").encode()
        + " (추가)".encode()
        + b"\r\nMessage-ID: <"
        + "주문".encode("cp949")
        + b"@x.example>\r\n\r\n"
        + "본문".encode()
        + b"\r\n"
    )

    inbound = parse_email(raw, channel_id=1).inbound

    assert inbound is not None
    assert inbound.subject == "Re: 환불 문의 (추가)"
    assert inbound.sender_name == "김민수"
    json.dumps(inbound.message_metadata, ensure_ascii=False).encode("utf-8")
    inbound.external_id.encode("utf-8")
