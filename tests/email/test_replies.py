"""Reply extraction over real client reply formats: the agent sees exactly what the
customer wrote this time, and never less.

Each case is the text part (or the HTML) a client sends, in the shape it writes it:
attribution lines and header blocks of Gmail, Outlook desktop and web, Apple Mail,
iOS and Android mail, Thunderbird, Naver, Daum/Kakao and Yahoo, in Korean, English,
Japanese, Russian and German; top- and bottom-posted; plain and HTML. The summary test
reports how many match exactly; all must.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sangdam.connectors.email.parse import parse_email
from sangdam.connectors.email.quoting import latest_reply

QUOTE = "확인했습니다. 환불은 3일 안에 처리됩니다.\n감사합니다.\n상담센터"
QUOTED = "\n".join(f"> {line}" if line else ">" for line in QUOTE.split("\n"))

# Attribution lines and header blocks as each client writes them above the quote.
ATTRIBUTIONS: dict[str, str] = {
    "gmail-en": "On Tue, Nov 24, 2026 at 10:00 AM Support <support@example.com> wrote:",
    "gmail-en-wrapped": "On Tue, Nov 24, 2026 at 10:00 AM Customer Center Support Team <\nsupport@example.com> wrote:",
    "gmail-ko": "2026년 11월 24일 (화) 오전 10:00, 상담센터 <support@example.com>님이 작성:",
    "gmail-ja": "2026年11月24日(火) 10:00 Support <support@example.com>:",
    "gmail-de": "Am Di., 24. Nov. 2026 um 10:00 Uhr schrieb Support <support@example.com>:",
    "gmail-ru": "вт, 24 нояб. 2026 г. в 10:00, Support <support@example.com>:",
    "apple-en": "On Nov 24, 2026, at 10:00, Support <support@example.com> wrote:",
    "apple-ko": "2026. 11. 24. 오전 10:00, 상담센터 <support@example.com> 작성:",
    "apple-ja": "2026/11/24 10:00、Support <support@example.com>のメール:",
    "ios-ko": "2026. 11. 24. 오전 10:00, 상담센터 <support@example.com> 작성:",
    "android-ru": "24 нояб. 2026 г., 10:00 пользователь Support <support@example.com> написал:",
    "android-en": "On Tue, 24 Nov 2026, 10:00 Support, <support@example.com> wrote:",
    "android-ko-samsung": "-------- 원본 메시지 --------",
    "thunderbird-en": "On 24.11.2026 10:00, Support wrote:",
    "thunderbird-de": "Am 24.11.26 um 10:00 schrieb Support:",
    "thunderbird-ru": "24.11.2026 10:00, Support пишет:",
    "yahoo-en": "On Tuesday, November 24, 2026 at 10:00:00 AM GMT+9, Support <support@example.com> wrote:",
    "naver-original": '-----Original Message-----\nFrom: "상담센터"<support@example.com>\nTo: <minjin@naver.com>;\nSent: 2026-11-24 (화) 10:00:00 (GMT+09:00)\nSubject: 환불 문의',
    "daum-original": "----- 원본 메일 -----\n보낸사람: 상담센터 <support@example.com>\n받는사람: user@daum.net\n날짜: 2026년 11월 24일 화요일, 10시 00분 00초 +0900\n제목: 환불 문의",
    "kakao-original": "-----원본 메시지-----\n보낸 사람: 상담센터 <support@example.com>\n받는 사람: user@kakao.com\n날짜: 2026-11-24 10:00\n제목: 환불 문의",
    "outlook-en": "________________________________\nFrom: Support <support@example.com>\nSent: Tuesday, November 24, 2026 10:00 AM\nTo: Lee, Jiwoo <jiwoo@company.co.kr>\nSubject: 환불 문의",
    "outlook-ko": "보낸 사람: 상담센터 <support@example.com>\n보낸 날짜: 2026년 11월 24일 화요일 오전 10:00\n받는 사람: 이지우 <jiwoo@company.co.kr>\n제목: 환불 문의",
    "outlook-de": "-----Ursprüngliche Nachricht-----\nVon: Support <support@example.com>\nGesendet: Dienstag, 24. November 2026 10:00\nAn: Jiwoo Lee\nBetreff: 환불 문의",
    "outlook-ja": "差出人: Support <support@example.com>\n送信日時: 2026年11月24日 10:00\n宛先: 山田\n件名: 환불 문의",
    "outlook-ru": "От: Support <support@example.com>\nОтправлено: 24 ноября 2026 г. 10:00\nКому: Иван\nТема: 환불 문의",
    "outlook-web-en": "________________________________\nFrom: Support <support@example.com>\nDate: Tuesday, November 24, 2026 10:00\nTo: jiwoo@company.co.kr\nSubject: 환불 문의",
}
# Clients that quote with ">" under their attribution (the rest paste the old mail as is).
GT_QUOTING = {
    "gmail-en",
    "gmail-en-wrapped",
    "gmail-ko",
    "gmail-ja",
    "gmail-de",
    "gmail-ru",
    "apple-en",
    "apple-ko",
    "apple-ja",
    "ios-ko",
    "android-ru",
    "android-en",
    "thunderbird-en",
    "thunderbird-de",
    "thunderbird-ru",
    "yahoo-en",
}
REPLIES = {
    "ko": "아직 환불이 안 됐어요.\n주문번호 2024-1123 입니다.",
    "en": "The refund has not arrived yet.\nOrder 2024-1123.",
    "ja": "まだ返金されていません。\n注文番号は2024-1123です。",
    "ru": "Возврат ещё не пришёл.\nЗаказ 2024-1123.",
    "de": "Die Erstattung ist noch nicht angekommen.\nBestellung 2024-1123.",
}
LANGUAGE_OF = {
    "ja": "ja",
    "ru": "ru",
    "de": "de",
    "ko": "ko",
    "naver": "ko",
    "daum": "ko",
    "kakao": "ko",
}


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    expected: str
    subject: str = "Re: 환불 문의"


def _language(client: str) -> str:
    for marker, language in LANGUAGE_OF.items():
        if marker in client:
            return language
    return "en"


def _cases() -> list[Case]:
    cases: list[Case] = []
    for client, attribution in ATTRIBUTIONS.items():
        reply = REPLIES[_language(client)]
        history = QUOTED if client in GT_QUOTING else QUOTE
        cases.append(Case(f"{client}-top", f"{reply}\n\n{attribution}\n{history}\n", reply))
        if client in GT_QUOTING:
            # Bottom posting (Thunderbird, list habits): the answer is below the quote.
            cases.append(Case(f"{client}-bottom", f"{attribution}\n{history}\n\n{reply}\n", reply))
        if client.startswith(("ios", "apple", "android", "outlook")):
            footer = {"ios-ko": "iPhone에서 보냄", "apple-en": "Sent from my iPhone"}.get(
                client, "Get Outlook for Android" if "outlook" in client else "Sent from my iPad"
            )
            cases.append(
                Case(
                    f"{client}-mobile-footer",
                    f"{reply}\n\n{footer}\n\n{attribution}\n{history}\n",
                    reply,
                )
            )
    ko = REPLIES["ko"]
    cases += [
        # The four that hid the request before.
        Case(
            "issue-thanks-then-request",
            "안녕하세요.\n\n감사합니다.\n그런데 아직 환불이 안 됐어요. 주문번호 2024-1123 입니다.\n\n김민수 드림",
            "안녕하세요.\n\n감사합니다.\n그런데 아직 환불이 안 됐어요. 주문번호 2024-1123 입니다.\n\n김민수 드림",
        ),
        Case(
            "issue-dashes-in-the-middle",
            "환불 요청합니다.\n--\n지난주에 주문한 신발이 작아서 반품했는데 아직 환불이 안 됐어요.\n택배 송장은 1234-5678 입니다.\n확인 부탁드립니다.",
            "환불 요청합니다.\n--\n지난주에 주문한 신발이 작아서 반품했는데 아직 환불이 안 됐어요.\n택배 송장은 1234-5678 입니다.\n확인 부탁드립니다.",
        ),
        Case(
            "issue-russian-android",
            f"{REPLIES['ru']}\n\n{ATTRIBUTIONS['android-ru']}\n{QUOTED}\n",
            REPLIES["ru"],
        ),
        Case(
            "issue-thunderbird-bottom-posting",
            f"{ATTRIBUTIONS['thunderbird-en']}\n{QUOTED}\n\n{REPLIES['en']}\n",
            REPLIES["en"],
        ),
        # Signatures: the standard delimiter, short; a sign-off is the customer's.
        Case("signature-dashes", f"{ko}\n\n-- \n김민수\nACME | 010-1234-5678", ko),
        Case("signature-dashes-no-space", f"{ko}\n\n--\nJane Doe\nACME Corp", ko),
        Case(
            "sign-off-stays",
            "Please refund order 2024-1123.\n\nThanks,\nJane",
            "Please refund order 2024-1123.\n\nThanks,\nJane",
        ),
        Case(
            "korean-sign-off-stays",
            f"{ko}\n\n감사합니다.\n김민수 드림",
            f"{ko}\n\n감사합니다.\n김민수 드림",
        ),
        Case("galaxy-footer", f"{ko}\n\nGalaxy에서 보냄", ko),
        Case("naver-app-footer", f"{ko}\n\n네이버 메일 앱에서 보냄", ko),
        # Inline answers between quoted lines: every unquoted line is the customer's.
        Case(
            "inline-answers",
            f"{ATTRIBUTIONS['thunderbird-en']}\n> Which order?\nOrder 2024-1123.\n> Which day?\nYesterday.\n",
            "Order 2024-1123.\nYesterday.",
        ),
        Case("no-history-at-all", ko, ko),
        Case("a-quote-alone-shows-everything", f"{QUOTED}\n", f"{QUOTED}"),
        Case(
            "forward-is-kept-whole",
            f"FYI\n\n{ATTRIBUTIONS['outlook-en']}\n{QUOTE}",
            f"FYI\n\n{ATTRIBUTIONS['outlook-en']}\n{QUOTE}",
            subject="Fwd: 환불 문의",
        ),
        Case(
            "the-word-from-in-a-sentence",
            "From: my phone, I cannot log in.\nPlease help.",
            "From: my phone, I cannot log in.\nPlease help.",
        ),
    ]
    return cases


CASES = _cases()


def _visible(case: Case) -> str:
    return latest_reply(case.text, subject=case.subject)


def test_the_reply_corpus_holds_at_least_sixty_client_formats():
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


def test_every_reply_format_shows_exactly_what_the_customer_wrote(capsys):
    matches = [c.name for c in CASES if _visible(c) == c.expected]
    misses = [c.name for c in CASES if c.name not in matches]
    with capsys.disabled():
        print(f"\nreply extraction: {len(matches)}/{len(CASES)} exact matches")
    assert misses == []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_agent_sees_the_newest_reply(case: Case):
    assert _visible(case) == case.expected


HTML_CASES = {
    "gmail-html": (
        '<div dir="ltr">아직 환불이 안 됐어요.<br>주문번호 2024-1123 입니다.</div><br>'
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">2026년 11월 24일 (화) 오전 10:00, '
        "상담센터 &lt;support@example.com&gt;님이 작성:<br></div>"
        '<blockquote class="gmail_quote">확인했습니다.</blockquote></div>'
    ),
    "outlook-html": (
        "<div><p>아직 환불이 안 됐어요.<br>주문번호 2024-1123 입니다.</p>"
        '<div id="divRplyFwdMsg"><hr><p><b>보낸 사람:</b> 상담센터 &lt;support@example.com&gt;<br>'
        "<b>보낸 날짜:</b> 2026년 11월 24일 화요일 오전 10:00<br><b>받는 사람:</b> 이지우<br>"
        "<b>제목:</b> 환불 문의</p></div><p>확인했습니다.</p></div>"
    ),
    "naver-html": (
        "<p>아직 환불이 안 됐어요.<br>주문번호 2024-1123 입니다.</p><br>"
        '<p>-----Original Message-----<br>From: "상담센터"&lt;support@example.com&gt;<br>'
        "To: &lt;minjin@naver.com&gt;;<br>Sent: 2026-11-24 (화) 10:00:00 (GMT+09:00)<br>"
        "Subject: 환불 문의</p><p>확인했습니다.</p>"
    ),
    "apple-html": (
        "<div>아직 환불이 안 됐어요.</div><div>주문번호 2024-1123 입니다.</div><div><br>"
        '<blockquote type="cite"><div>2026. 11. 24. 오전 10:00, 상담센터 &lt;support@example.com&gt; 작성:</div>'
        "<div>확인했습니다.</div></blockquote></div>"
    ),
}


@pytest.mark.parametrize("html", HTML_CASES.values(), ids=HTML_CASES.keys())
def test_an_html_only_reply_shows_its_newest_part(html: str):
    raw = (
        "From: 김민지 <minji@example.com>\r\nTo: support@example.com\r\nSubject: Re: 환불 문의\r\n"
        "Message-ID: <html-reply@example.com>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>{html}</body></html>\r\n"
    ).encode()

    inbound = parse_email(raw, channel_id=1).inbound

    assert inbound is not None
    assert inbound.text.split() == [
        "아직",
        "환불이",
        "안",
        "됐어요.",
        "주문번호",
        "2024-1123",
        "입니다.",
    ]
