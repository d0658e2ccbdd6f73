"""What the customer wrote this time, without the quoted history and the signature.

Only what is *certainly* history or a signature is cut; when in doubt the text stays,
because hiding the customer's request is far worse than showing a few lines too many
(the whole mail is always one click away):

- **History** starts at an attribution line ("On … wrote:", "…님이 작성:", "… написал:",
  "… schrieb:", "…のメッセージ:"), a client's original-message rule ("-----Original
  Message-----", "----- 원본 메일 -----", Outlook's "________________________________"
  line followed by From:/보낸 사람:), or an Outlook header block (From/Sent/To/Subject in
  any of several languages). Everything after it is history — except in a *bottom-posted*
  reply (Thunderbird, mailing-list style): when the history is a block of ``>`` lines,
  unquoted text below it is the customer's and is kept.
- **Signatures** are cut only at the standard "-- " delimiter (or "--") when what follows
  is short, and at a trailing mobile footer ("Sent from my iPhone", "iPhone에서 보냄").
  Sign-offs such as "감사합니다." or "Thanks," are the customer's words and stay.

mail-parser-reply was used here before; its sign-off heuristics cut requests that
followed a "감사합니다." and missed Russian and bottom-posted replies, so the rules are
explicit (and tested against tests/email/replies/).
"""

from __future__ import annotations

import re

ATTRIBUTION = re.compile(
    r"^(?:"
    r"(?:On|Am|Le|El|Il|Op|Em|Den|W dniu)\s.{0,250}(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|skrev|napisał)\s?:"
    r"|.{0,250}\s(?:wrote|schrieb|a écrit|написал|написала|написал\(а\)|пишет)\s?:"
    r"|.{0,250}님이 작성(?:하였습니다|했습니다|한 메일)?\s?:"
    r"|.{0,250}\d.{0,250}(?:작성|작성함)\s?:"  # Apple / iOS: "<date>, <name> 작성:"
    r"|.{0,250}(?:のメッセージ|のメール|さんは書きました|が書きました|は書きました|さんからのメール)\s?:"
    r"|(?:Am|Le)\s.{0,250}(?:schrieb|a écrit)\s.{0,200}:"
    # Gmail in Japanese, Russian and others: "<date>, <name> <address>:" with no verb.
    r"|.{0,200}\d.{0,200}<[^<>\s]+@[^<>\s]+>\s?:"
    r")\s*$",
    re.IGNORECASE,
)
RULE = re.compile(
    r"^\s*(?:-{2,}\s*(?:Original Message|Forwarded message|원본 메시지|원본 메일|원본메일|"
    r"Ursprüngliche Nachricht|Исходное сообщение|元のメッセージ|元メッセージ|Message d'origine)"
    r"\s*-{2,}|_{20,})\s*$",
    re.IGNORECASE,
)
# The first line of an Outlook-style header block, and the lines that must follow it.
HEADER_FROM = re.compile(
    r"^\s*\*?(?:From|보낸 ?사람|Von|De|От|差出人|发件人|Van)\s*\*?\s*[:：]", re.IGNORECASE
)
HEADER_NEXT = re.compile(
    r"^\s*\*?(?:Sent|Date|To|Subject|Cc|보낸 ?날짜|날짜|받는 ?사람|제목|참조|Gesendet|Datum|An|"
    r"Betreff|Envoyé|À|Objet|Отправлено|Дата|Кому|Тема|送信日時|日時|宛先|件名|发送时间|收件人|"
    r"主题|Verzonden|Aan|Onderwerp)\s*\*?\s*[:：]",
    re.IGNORECASE,
)
MOBILE_FOOTER = re.compile(
    r"^\s*(?:Sent from my \w[\w ]{0,30}|Sent from (?:Mail|Outlook|Yahoo Mail)\b.{0,40}|"
    r"Get Outlook for \w+|iPhone에서 보냄|iPad에서 보냄|Galaxy에서 보냄.{0,20}|"
    r"(?:Android|iOS)용 Outlook.{0,10}|삼성 갤럭시.{0,30}에서 보냄|"
    r"Von meinem \w+ gesendet|Отправлено с \w+.{0,30}|iPhoneから送信|"
    r"네이버 메일 앱에서 보냄|Daum 메일 앱에서 보냄)\s*$",
    re.IGNORECASE,
)
SIGNATURE_DELIMITER = re.compile(r"^--\s?$")
# A signature block after "-- " is a few short lines; a longer tail is the message.
SIGNATURE_MAX_LINES = 6
FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|전달|転送|转发)\s*[:：]", re.IGNORECASE)


def latest_reply(text: str, *, subject: str = "") -> str:
    """The newest part of a mail body; the full text if nothing sensible remains.

    A forwarded mail is kept whole: what the customer forwards (an order confirmation,
    a colleague's complaint) is what they want us to read.
    """
    full = text.replace("\r\n", "\n").strip()
    if not full or FORWARD_SUBJECT.match(subject):
        return full
    lines = full.split("\n")
    kept = _without_history(lines)
    kept = _without_signature(kept)
    reply = "\n".join(kept).strip()
    return reply or full


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _history_start(lines: list[str], index: int) -> bool:
    line = lines[index]
    if RULE.match(line) or ATTRIBUTION.match(line):
        return True
    if HEADER_FROM.match(line):
        following = [x for x in lines[index + 1 : index + 5] if x.strip()]
        return sum(1 for x in following if HEADER_NEXT.match(x)) >= 2
    return False


def _attribution_wrapped(lines: list[str], index: int) -> bool:
    """Gmail wraps a long attribution: "On Tue, … Support <" / "support@x.com> wrote:"."""
    if index + 1 >= len(lines):
        return False
    joined = f"{lines[index].rstrip()} {lines[index + 1].strip()}"
    return bool(ATTRIBUTION.match(joined)) and not ATTRIBUTION.match(lines[index])


def _without_history(lines: list[str]) -> list[str]:
    kept: list[str] = []
    i = 0
    while i < len(lines):
        wrapped = _attribution_wrapped(lines, i)
        if wrapped or _history_start(lines, i):
            j = i + (2 if wrapped else 1)
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and _is_quoted(lines[j]) and (wrapped or ATTRIBUTION.match(lines[i])):
                # An attribution over a ">" block: skip the block, keep what follows
                # (bottom posting and inline answers).
                while j < len(lines) and (_is_quoted(lines[j]) or not lines[j].strip()):
                    j += 1
                i = j
                continue
            break  # an unquoted history: everything below is the old mail
        if _is_quoted(lines[i]):
            i += 1
            continue
        kept.append(lines[i])
        i += 1
    return kept


SENTENCE_END = re.compile(r"(?:[?!？！]|[요다까죠]\.?|です。?|ます。?)\s*$")


def _sentence(line: str) -> bool:
    """A line that reads as part of a message, not of a signature (name, title, phone)."""
    return len(line.split()) > 8 or bool(SENTENCE_END.search(line))


def _without_signature(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    if end and MOBILE_FOOTER.match(lines[end - 1]):
        end -= 1
    lines = lines[:end]
    for index in range(len(lines) - 1, -1, -1):
        if SIGNATURE_DELIMITER.match(lines[index]):
            tail = [x for x in lines[index + 1 :] if x.strip()]
            if len(tail) <= SIGNATURE_MAX_LINES and not any(_sentence(x) for x in tail):
                return lines[:index]
            break
    return lines
