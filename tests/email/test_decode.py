"""Text comes out readable whatever the charset label says, and decoding never raises."""

from __future__ import annotations

import pytest

from sangdam.connectors.email.decode import decode_bytes, decode_header_value


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
