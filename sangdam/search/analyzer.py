"""Text to search terms, the same way for what is indexed and for what is searched.

Korean is not space-delimited and inflects: "환불했어요" and "환불했는데" share no word
but are both forms of 환불하다. Korean runs go through MeCab with mecab-ko-dic (the
dictionary behind Elasticsearch's and OpenSearch's Korean analyser, Nori), and only the
content morphemes are kept as terms: nouns, verb and adjective stems, roots and adverbs
(``환불``, ``들어오``, ``아직``). Particles and endings are dropped, so every inflected form
yields the same terms.

Everything else is split here without a model:

* Latin letters and digits: words, lowercased, a plural ``s`` taken off (``Refunds`` ->
  ``refund``); a light touch, so a search never matches a different word.
* Chinese characters and Japanese kana (no spaces between words, no Korean analyser):
  overlapping character bigrams (``東京都`` -> ``東京 京都``), the usual way full-text
  engines index CJK without a dictionary. A query's bigrams are searched as a phrase.
* Phone numbers written with separators (``010-1234-5678``) become one run of digits, so
  they match however they were typed.

The terms are handed to the database's own full-text index (SQLite FTS5, PostgreSQL
tsvector with the ``simple`` configuration) as space-separated words.

The dictionary is memory-mapped (shared by every process on the machine, ~25 MB resident)
and opens in milliseconds; each thread gets its own tagger from the one model, since a
MeCab tagger is not safe to share between threads.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field
from typing import Any

HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
# Han ideographs, hiragana, katakana (incl. half-width).
CJK_CHAR = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
CJK_RUN = re.compile(f"[{CJK_CHAR}]+")
# Words of letters and digits (not underscore: the databases' tokenisers split on it).
WORD = re.compile(r"[^\W_]+")
PHONE = re.compile(
    r"(?<![\w+])\+?\d{2,4}(?:[-. ]\d{3,4}){1,2}[-. ]\d{4}(?!\w)|\(\d{2,4}\)\s?\d{3,4}-\d{4}"
)
# A run of one script: Hangul (with the spaces, digits and punctuation between), CJK, or other.
SPLIT = re.compile(f"([{CJK_CHAR}]+)")

# mecab-ko-dic's tags kept: nouns, numerals, pronouns, verb and adjective stems, roots,
# adverbs. An inflected token (VV+EP, "들어왔") keeps the kept parts of its analysis.
KEEP_TAGS = frozenset({"NNG", "NNP", "NR", "NP", "VV", "VA", "XR", "MAG"})

# Longest text analysed per call; longer texts are cut (an index entry, not an archive).
MAX_CHARS = 20_000

_model: Any = None
_lock = threading.Lock()
_local = threading.local()


def _tagger() -> Any:
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        global _model
        with _lock:
            if _model is None:
                import mecab_ko

                _model = mecab_ko.Model()
            tagger = _local.tagger = _model.createTagger()
    return tagger


def _latin(text: str) -> list[str]:
    terms: list[str] = []
    for word in WORD.findall(text):
        if HANGUL.search(word):
            continue  # only reached for Hangul the analyser left alone
        word = word.lower()
        if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        terms.append(word)
    return terms


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _phones(text: str) -> tuple[str, list[str]]:
    """Phone numbers as digit runs; the text with them taken out."""
    found: list[str] = []

    def take(match: re.Match[str]) -> str:
        found.append(re.sub(r"\D", "", match.group()))
        return " "

    return PHONE.sub(take, text), found


# A unit is one word's place in the text: alternative spellings, each a phrase of terms.
# Most units are one term (("환불",),); a compound noun is both itself and its parts
# (("비밀번호",), ("비밀", "번호")): written as one word or with a space between its parts
# (비밀 번호), documents carry both and queries accept either.
Unit = tuple[tuple[str, ...], ...]
NOUNS = frozenset({"NNG", "NNP"})


@dataclass(frozen=True)
class _Token:
    form: str
    tag: str  # the first tag: NNG; VV for an inflected VV+EP; UNKNOWN
    spaced: bool  # whitespace before it
    parts: tuple[tuple[str, str], ...]  # (form, tag) of a compound's or inflection's analysis


# A verb stem ending in 리, 기, 르... contracted with ㅂ니다/ㅂ니까 (느립니다, 끊깁니다,
# 다릅니까): mecab-ko-dic lacks many of these and reads 느립니다 as 느 + 립니 + 다. Written
# apart (느리ㅂ니다) it reads the stem and the ending. Only stems ending in the vowel ㅣ or
# in 르: an ㄹ stem also contracts (알다 -> 압니다), and the dictionary knows those.
_B_NIDA = re.compile("([\uac00-\ud7a3])(?=니[다까])")
_FINAL_B = 17  # (syllable - 0xAC00) % 28 is the final consonant; 17 is ㅂ
_VOWEL_I = 20  # (syllable - 0xAC00) // 28 % 21 is the vowel; 20 is ㅣ


def _apart(match: re.Match[str]) -> str:
    code = ord(match.group(1)) - 0xAC00
    base = chr(0xAC00 + code - _FINAL_B)
    if code % 28 == _FINAL_B and (code // 28 % 21 == _VOWEL_I or base == "르"):
        return base + "ㅂ"
    return match.group(1)


def _tokens(text: str) -> list[_Token]:
    """MeCab's reading of ``text``, copied out of its lattice: a tagger's next parse (the
    corrections below parse single words) reuses the lattice the nodes live in."""
    # MeCab reads a C string: a NUL would end the text there, and a lone surrogate (text
    # decoded with surrogateescape) cannot be passed at all.
    text = text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
    tokens: list[_Token] = []
    node = _tagger().parseToNode(_B_NIDA.sub(_apart, text))
    while node is not None:
        if node.surface:
            feature = node.feature.split(",")
            parts: tuple[tuple[str, str], ...] = ()
            if len(feature) > 7 and feature[7] != "*":
                parts = tuple(
                    (piece[0], piece[1])
                    for piece in (part.split("/") for part in feature[7].split("+"))
                    if len(piece) >= 2
                )
            tokens.append(
                _Token(
                    form=node.surface,
                    tag=feature[0].split("+", 1)[0],
                    spaced=node.rlength != node.length,
                    parts=parts,
                )
            )
        node = node.next
    return tokens


@functools.lru_cache(maxsize=4096)
def _is_noun(word: str) -> bool:
    """Whether the dictionary reads ``word`` on its own as one noun."""
    found = _tokens(word)
    return len(found) == 1 and found[0].tag in NOUNS and found[0].form == word


def _stems(token: _Token) -> list[str]:
    """The kept morphemes of a token that is not a noun."""
    if len(token.parts) < 2:
        # One morpheme: the surface is the stem (the analysis may name another verb:
        # 쓰 is given as 쓸).
        return [token.form] if token.tag in KEEP_TAGS else []
    tags = [tag for _, tag in token.parts]
    if tags[:3] in (["VV", "EC", "VX"], ["VA", "EC", "VX"]) and token.parts[2][0] == "지":
        # 꺼져 as 끄 + 어 + 지 (passive), where 꺼졌 is 꺼지: keep the verb as written.
        at = max(token.form.rfind(c) for c in "지져졌")
        if at > 0:
            return [token.form[:at] + "지"]
    return [form for form, tag in token.parts if tag in KEEP_TAGS]


@functools.lru_cache(maxsize=1024)
def _as_verb(word: str) -> tuple[str, ...]:
    """The stems of ``word`` read as a verb (after 안, where no noun can stand)."""
    found = _tokens("안 " + word)[1:]
    if not found or any(token.tag in NOUNS for token in found):
        return ()
    return tuple(stem for token in found for stem in _stems(token))


def _korean(text: str) -> list[Unit]:
    units: list[Unit] = []
    run: list[str] = []  # nouns written together (one compound), finest parts
    whole: list[str] = []  # the same run as written
    latin: list[str] = []  # letters, digits and symbols written together ("iPhone15")
    last: _Token | None = None

    def close() -> None:
        if len(run) > 1:
            units.append((("".join(whole),), tuple(run)))
        elif run:
            units.append(((run[0],),))
        run.clear()
        whole.clear()

    def close_latin() -> None:
        if latin:
            units.extend(((term,),) for term in _latin("".join(latin)))
            latin.clear()

    for token in _tokens(text):
        hangul = bool(HANGUL.search(token.form))
        if token.spaced or hangul:
            close_latin()
        if not hangul:
            close()
            latin.append(token.form)
        elif (
            len(token.form) == 2
            and token.form[1] == "요"
            and token.tag in NOUNS
            and (stems := _as_verb(token.form))
        ):
            # 와요, 해요, 가요 stand in the dictionary as nouns too, and are read so where
            # nothing before them says otherwise (배송 와요): one-syllable verbs + 요.
            close()
            units.extend(((stem,),) for stem in stems)
        elif token.tag in NOUNS or token.tag == "UNKNOWN":
            if token.spaced:
                close()
            pieces = [form for form, _ in token.parts]
            run.extend(pieces if "".join(pieces) == token.form else [token.form])
            whole.append(token.form)
        elif (
            token.form == "의"
            and not token.spaced
            and last is not None
            and last.tag in NOUNS
            and not last.parts
            and run
            and _is_noun(last.form + "의")
        ):
            # mecab-ko-dic reads 문의 as 문 + 의 before some words (문의드립니다); a noun
            # that the dictionary knows whole (문의, 동의, 회의) is kept whole.
            run[-1] = whole[-1] = last.form + "의"
        else:
            close()
            units.extend(((form,),) for form in _stems(token))
        last = token
    close()
    close_latin()
    return units


def _units(text: str) -> list[Unit]:
    """Units of text by script: CJK runs as bigrams, Hangul through MeCab, the rest words.

    CJK runs are cut out before MeCab sees the text, so a Japanese phrase yields the same
    terms inside a Korean message as on its own.
    """
    units: list[Unit] = []
    for part in SPLIT.split(text):
        if not part:
            continue
        if CJK_RUN.fullmatch(part):
            units.extend(((term,),) for term in _bigrams(part))
        elif HANGUL.search(part):
            units.extend(_korean(part))
        else:
            units.extend(((term,),) for term in _latin(part))
    return units


def _text_units(text: str) -> list[Unit]:
    if not text:
        return []
    text, phones = _phones(text[:MAX_CHARS])
    return [((phone,),) for phone in phones] + _units(text)


def terms(text: str) -> list[str]:
    """The index terms of ``text``, in order (a compound's parts, then the compound)."""
    found: list[str] = []
    for unit in _text_units(text):
        if len(unit) > 1:
            found.extend(unit[1])
        found.extend(unit[0])
    return found


def index_text(text: str) -> str:
    """``terms`` as the space-separated text the full-text index reads."""
    return " ".join(terms(text))


def _phrase_terms(text: str) -> tuple[str, ...]:
    """Terms for a phrase query: compounds whole (the index has them whole right before
    the next word, however they were written)."""
    return tuple(term for unit in _text_units(text) for term in unit[0])


# --- queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """What the database searches: every group must match (AND); a group is one or more
    alternative phrases (OR); a phrase of several terms needs them next to each other."""

    groups: tuple[Unit, ...]
    raw: str = ""
    # Words to mark in snippets: the query's own words and the stems it yields.
    marks: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.groups)


QUOTED = re.compile(r'"([^"]*)"')


def parse_query(q: str) -> Query:
    """A search box's text as a :class:`Query`.

    Words are ANDed; ``"in quotes"`` is a phrase; so is whatever one word yields several
    terms for (a CJK run's bigrams, ``SD-100042``, ``kim@example.com``), so a word never
    matches its parts scattered over a ticket.
    """
    q = (q or "").strip()[:500]
    groups: list[Unit] = []
    marks: list[str] = []
    for phrase in QUOTED.findall(q):
        found = _phrase_terms(phrase)
        if found:
            groups.append((found,))
            marks.extend(found)
            marks.append(phrase.strip())
    rest = QUOTED.sub(" ", q)
    korean: list[str] = []  # consecutive Korean words, analysed together (context helps)
    for word in [*rest.split(), ""]:
        if word and HANGUL.search(word):
            korean.append(word)
            marks.append(word)
            continue
        if korean:
            for unit in _text_units(" ".join(korean)):
                groups.append(unit)
                marks.extend(term for phrase in unit for term in phrase)
            korean = []
        found = tuple(terms(word))
        if not found:
            continue
        marks.append(word)
        marks.extend(found)
        # One word's several terms (a CJK run's bigrams, SD-100042, kim@example.com)
        # belong together: a phrase, never its parts scattered over a ticket.
        groups.append((found,))
    unique: list[Unit] = []
    for group in groups:
        if group not in unique:
            unique.append(group)
    return Query(groups=tuple(unique), raw=q, marks=tuple(dict.fromkeys(m for m in marks if m)))
