"""Turning mail bytes into text when the declared charset is missing, wrong or unknown.

Mail in Korea is still often EUC-KR labelled but CP949 in fact (Outlook writes characters
like "똠" that EUC-KR lacks), and old clients send 8-bit headers with no encoding at all.
Every function here returns *some* text and never raises: a mail we cannot read
perfectly is still an inquiry someone wrote.
"""

from __future__ import annotations

import codecs
import re
from email.header import decode_header
from email.message import Message

# Labels seen in the wild mapped to the Python codec that reads what senders really
# meant: the superset of the declared charset (CP949 ⊃ EUC-KR, GB18030 ⊃ GBK ⊃ GB2312,
# CP932 ⊃ Shift_JIS, Big5-HKSCS ⊃ Big5).
SUPERSETS = {
    "euc-kr": "cp949",
    "euc_kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ksc5601": "cp949",
    "ksc_5601": "cp949",
    "x-windows-949": "cp949",
    "windows-949": "cp949",
    "uhc": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "tis-620": "cp874",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}
# Labels that promise nothing about 8-bit bytes: UTF-8 is tried before them, because a
# strict UTF-8 decode that succeeds on non-ASCII bytes is almost never an accident.
WEAK = {None, "ascii", "iso8859-1", "cp1252"}
KOREAN = "cp949"


def codec_for(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when Python has no such codec."""
    if not label:
        return None
    label = label.strip().strip('"').lower()
    label = SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        # Unknown names, and labels holding NUL bytes or raw 8-bit (surrogates).
        return None


# 7-bit ISO-2022 text is valid ASCII, so "try UTF-8 next" would "succeed" and show the
# escape sequences; these encodings fall back to themselves with replacement instead.
ISO2022 = {
    "iso2022_jp": ("iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_3"),
    "iso2022_jp_ext": ("iso2022_jp_2", "iso2022_jp_3"),
    "iso2022_jp_2": ("iso2022_jp_ext", "iso2022_jp_3"),
    "iso2022_kr": (),
}
ISO2022_MARKS = {b"\x1b$B": "iso2022_jp_ext", b"\x1b$@": "iso2022_jp_ext", b"\x1b$)C": "iso2022_kr"}


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Declared charset (its superset) → UTF-8 → CP949 → Latin-1 with replacement."""
    codec = codec_for(declared)
    if codec in WEAK and b"\x1b" in data:
        # An undeclared ISO-2022 mail: its escape sequences name the charset.
        codec = next((c for mark, c in ISO2022_MARKS.items() if mark in data), codec)
    if codec in ISO2022:
        for candidate in (codec, *ISO2022[codec]):
            try:
                return data.decode(candidate)
            except UnicodeError:
                continue
        return data.decode(codec, errors="replace")
    candidates: list[str] = []
    if codec in WEAK:
        candidates.append("utf-8")
    if codec:
        candidates.append(codec)
    candidates += ["utf-8", KOREAN]
    for candidate in dict.fromkeys(candidates):
        try:
            return data.decode(candidate)
        except (UnicodeError, LookupError):
            continue
    return data.decode(codec or "latin-1", errors="replace")


# One RFC 2047 encoded word, and a run of them separated only by white space (which
# RFC 2047 says to drop, so a word split across two encoded words joins up again).
ENCODED_WORD = r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?="
ENCODED_RUN = re.compile(rf"{ENCODED_WORD}(?:\s+{ENCODED_WORD})*")


def decode_header_value(raw: str) -> str:
    """A header value as mail clients show it, whatever mix it holds.

    Real headers mix RFC 2047 encoded words with raw 8-bit text ("Re: =?UTF-8?B?…?=
    (추가)" from a client that encodes only what it wrote itself), and the raw part may be
    UTF-8, EUC-KR or CP949. The parser keeps raw 8-bit bytes as surrogate escapes: they
    are decoded first (:func:`unsmuggle`), then each run of encoded words is decoded on
    its own with our charset fallbacks, and the text around them is kept as it stands.
    The result never holds a surrogate.
    """
    text = unsmuggle(raw)
    parts: list[str] = []
    position = 0
    for match in ENCODED_RUN.finditer(text):
        parts.append(text[position : match.start()])
        parts.append(_decode_encoded_run(match.group(0)))
        position = match.end()
    parts.append(text[position:])
    # Line folding leaves CR/LF in a value; a subject is one line.
    return " ".join("".join(parts).split())


def _decode_encoded_run(run: str) -> str:
    try:
        chunks = decode_header(run)
    except Exception:  # bad base64 or a broken word: shown as it was written
        return run
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    return "".join(out)


def unsmuggle(text: str) -> str:
    """The parser keeps 8-bit header bytes as surrogate escapes: decode them properly
    (UTF-8, else CP949, else Latin-1), so no surrogate ever reaches the database."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return decode_bytes(text.encode("utf-8", errors="surrogateescape"))
    return text


def raw_header(message: Message, name: str) -> str:
    """A header's value as the parser kept it, unfolded; "" when absent.

    Reading headers through ``policy.default``'s header objects parses them, and some
    malformed values (a Message-ID cut short) make the stdlib parser raise.
    """
    wanted = name.lower()
    for key, value in raw_items(message):
        if key.lower() == wanted:
            return " ".join(unsmuggle(str(value)).split())
    return ""


def raw_items(message: Message) -> list[tuple[str, str]]:
    try:
        return [(str(k), unsmuggle(str(v))) for k, v in message.raw_items()]
    except Exception:  # a header block the parser could not even keep
        return []
