"""Text to search terms, the same way for what is indexed and for what is searched.

Korean is not space-delimited and inflects: "환불했어요" and "환불했는데" share no word
but are both forms of 환불하다. Korean runs go through kiwipiepy, a maintained
morphological analyser, and only the content morphemes are kept as terms: nouns, verb and
adjective stems, roots and adverbs (``환불``, ``들어오``, ``아직``). Particles and endings
are dropped, so every inflected form yields the same terms.

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

The Kiwi model takes seconds to load and about 100 MB: it is loaded once per process, on
first use or ahead of time by :func:`warm_up` in a background thread.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

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

# Kiwi tags kept (the part before "-": VV-I is an irregular verb).
KEEP_TAGS = frozenset({"NNG", "NNP", "NR", "NP", "VV", "VA", "XR", "MAG"})

# Longest text analysed per call; longer texts are cut (an index entry, not an archive).
MAX_CHARS = 20_000

_kiwi: Kiwi | None = None
_lock = threading.Lock()


def _load() -> Kiwi:
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                # -1: analyse in the calling thread (no pool of Kiwi's own).
                # Without the typo and multi-word dictionaries: 330 MB instead of 520 MB
                # resident, the same speed, and neither changes which stems a word gets.
                kiwi = Kiwi(num_workers=-1, load_typo_dict=False, load_multi_dict=False)
                # The model's lazy parts load on the first analysis: pay it here.
                kiwi.tokenize("환불했어요")
                _kiwi = kiwi
    return _kiwi


def warm_up() -> threading.Thread:
    """Load the Korean model in a background thread (a server calls this at start)."""
    thread = threading.Thread(target=_load, name="sangdam-kiwi-load", daemon=True)
    thread.start()
    return thread


def preload() -> None:
    """At a server's or worker's start: load the model now (unless SEARCH_PRELOAD=0), so the
    first Korean message or search does not wait seconds for it."""
    from django.conf import settings

    if getattr(settings, "SEARCH_PRELOAD", True):
        warm_up()


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
# (("비밀번호",), ("비밀", "번호")): Kiwi splits 비밀번호 in one sentence and keeps it whole
# in the next, so documents carry both and queries accept either.
Unit = tuple[tuple[str, ...], ...]
NOUNS = frozenset({"NNG", "NNP"})


def _korean(text: str) -> list[Unit]:
    units: list[Unit] = []
    run: list[str] = []  # nouns written together (one compound)
    run_end = -1

    def close() -> None:
        if len(run) > 1:
            units.append((("".join(run),), tuple(run)))
        elif run:
            units.append(((run[0],),))
        run.clear()

    for token in _load().tokenize(text):
        tag = token.tag.split("-", 1)[0]
        if tag in NOUNS and HANGUL.search(token.form):
            if token.start != run_end:
                close()
            run.append(token.form)
            run_end = token.start + token.len
            continue
        close()
        if HANGUL.search(token.form):
            if tag in KEEP_TAGS:
                units.append(((token.form,),))
        else:
            # Letters, digits and whatever Kiwi tags W_EMAIL, W_URL, SW...: plain words.
            units.extend(((term,),) for term in _latin(token.form))
    close()
    return units


def _units(text: str) -> list[Unit]:
    """Units of text by script: CJK runs as bigrams, Hangul through Kiwi, the rest words.

    CJK runs are cut out before Kiwi sees the text, so a Japanese phrase yields the same
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
    the next word, however Kiwi split them)."""
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


def describe_kiwi() -> dict[str, Any]:
    """Whether the model is loaded (for the reindex command's output)."""
    return {"loaded": _kiwi is not None}
