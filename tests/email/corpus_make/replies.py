"""Replies: quoting styles of each client, and thread hints."""

from __future__ import annotations

import base64

from tests.email.corpus_make import COMMON, b64, mail


def quoting() -> None:
    mail(
        "26_gmail_reply_english.eml",
        f"""{COMMON}
From: John Smith <john@gmail.com>
Subject: Re: Your refund [SD-100001]
Message-ID: <CAJx-26@mail.gmail.com>
In-Reply-To: <sd-out-1@example.com>
References: <orig-1@gmail.com> <sd-out-1@example.com>
Content-Type: text/plain; charset="UTF-8"
""",
        """Thanks, but the money has not arrived yet.

On Mon, Nov 23, 2026 at 10:00 AM Support <support@example.com> wrote:
> Hello John,
> your refund was sent.
""",
        text="Thanks, but the money has not arrived yet.",
        full_text_contains=["your refund was sent."],
        reference="SD-100001",
        in_reply_to=["<sd-out-1@example.com>", "<orig-1@gmail.com>"],
        thread_key="<orig-1@gmail.com>",
    )
    mail(
        "27_gmail_reply_korean.eml",
        f"""{COMMON}
From: =?UTF-8?B?{base64.b64encode("김민수".encode()).decode()}?= <minsu.kim@gmail.com>
Subject: =?UTF-8?B?{base64.b64encode("Re: 결제 환불 문의 [SD-100002]".encode()).decode()}?=
Message-ID: <CAJx-27@mail.gmail.com>
In-Reply-To: <sd-out-2@example.com>
References: <CAJx9k=01abc@mail.gmail.com> <sd-out-2@example.com>
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64
""",
        b64(
            "네, 확인했습니다. 감사합니다!\n\n"
            "2026년 11월 24일 (화) 오전 10:03, 상담센터 <support@example.com>님이 작성:\n"
            "> 환불 처리되었습니다.\n".encode()
        ),
        text="네, 확인했습니다. 감사합니다!",
        reference="SD-100002",
    )
    mail(
        "28_outlook_reply_english.eml",
        f"""{COMMON}
From: "Lee, Jiwoo" <jiwoo.lee@company.co.kr>
Subject: RE: Password reset [SD-100003]
Message-ID: <SEYPR06MB-28@SEYPR06MB.apcprd06.prod.outlook.com>
In-Reply-To: <sd-out-3@example.com>
Thread-Index: AQHZ2b3c4d5e6f7g8h9i0j==
Content-Type: text/plain; charset="us-ascii"
""",
        """It still does not work on the mobile app.

________________________________
From: Support <support@example.com>
Sent: Tuesday, November 24, 2026 10:00 AM
To: Lee, Jiwoo <jiwoo.lee@company.co.kr>
Subject: Password reset [SD-100003]

Please try the link again.
""",
        text="It still does not work on the mobile app.",
    )
    mail(
        "29_outlook_reply_korean.eml",
        f"""{COMMON}
From: jiwoo.lee@company.co.kr
Subject: =?ks_c_5601-1987?B?{base64.b64encode("회신: 배송 문의".encode("cp949")).decode()}?=
Message-ID: <SEYPR06MB-29@SEYPR06MB.apcprd06.prod.outlook.com>
Content-Type: text/plain; charset="ks_c_5601-1987"
Content-Transfer-Encoding: base64
""",
        b64(
            "주소를 수정했습니다.\n\n"
            "보낸 사람: 상담센터 <support@example.com>\n"
            "보낸 날짜: 2026년 11월 24일 화요일 오전 10:00\n"
            "받는 사람: 이지우 <jiwoo.lee@company.co.kr>\n"
            "제목: 배송 문의\n\n"
            "주소를 확인해 주세요.\n".encode("cp949")
        ),
        text="주소를 수정했습니다.",
    )
    mail(
        "30_naver_original_message.eml",
        f"""{COMMON}
From: minjin@naver.com
Subject: =?UTF-8?B?{base64.b64encode("RE: 쿠폰 적용 안됨".encode()).decode()}?=
Message-ID: <naver-30@cweb002.nm.nhn.com>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
""",
        '이제 잘 됩니다.\n\n-----Original Message-----\nFrom: "상담센터"<support@example.com>\n'
        "To: <minjin@naver.com>;\nCc:\nSent: 2026-11-24 (화) 10:00:00 (GMT+09:00)\n"
        "Subject: 쿠폰 적용 안됨\n\n다시 시도해 주세요.\n".encode(),
        text="이제 잘 됩니다.",
    )
    mail(
        "31_signature_dashes.eml",
        f"""{COMMON}
From: sig@example.com
Subject: question
Message-ID: <sig-31@example.com>
Content-Type: text/plain; charset=utf-8
""",
        "Can I change my plan?\n\n-- \nJane Doe\nACME Corp | +82 2 1234 5678\n",
        text="Can I change my plan?",
        full_text_contains=["ACME Corp"],
    )
    mail(
        "32_iphone_korean_signature.eml",
        f"""{COMMON}
From: phone@example.com
Subject: =?UTF-8?B?{base64.b64encode("앱 로그인".encode()).decode()}?=
Message-ID: <iphone-32@example.com>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
""",
        "로그인이 안 돼요\n\niPhone에서 보냄\n".encode(),
        text="로그인이 안 돼요",
    )


def html_quoting() -> None:
    mail(
        "53_gmail_html_only_reply.eml",
        f"""{COMMON}
From: John Smith <john@gmail.com>
Subject: Re: Your refund [SD-100001]
Message-ID: <CAJx-53@mail.gmail.com>
In-Reply-To: <sd-out-1@example.com>
Content-Type: text/html; charset="UTF-8"
""",
        '<div dir="ltr">The refund arrived, thank you!</div><br>'
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
        "On Mon, Nov 23, 2026 at 10:00 AM Support &lt;support@example.com&gt; wrote:<br></div>"
        '<blockquote class="gmail_quote">Hello John,<br>your refund was sent.</blockquote></div>\n',
        text="The refund arrived, thank you!",
        full_text_contains=["your refund was sent."],
        full_html_contains=["<blockquote>Hello John,<br>your refund was sent.</blockquote>"],
    )
    mail(
        "54_outlook_html_korean_reply.eml",
        f"""{COMMON}
From: jiwoo.lee@company.co.kr
Subject: =?UTF-8?B?{base64.b64encode("회신: 배송 문의".encode()).decode()}?=
Message-ID: <SEYPR06MB-54@SEYPR06MB.apcprd06.prod.outlook.com>
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: base64
""",
        b64(
            (
                '<html><body><div class="WordSection1"><p>받았습니다. 감사합니다.</p>'
                '<div id="divRplyFwdMsg"><hr>'
                "<p><b>보낸 사람:</b> 상담센터 &lt;support@example.com&gt;<br>"
                "<b>보낸 날짜:</b> 2026년 11월 24일 화요일 오전 10:00<br>"
                "<b>받는 사람:</b> 이지우<br><b>제목:</b> 배송 문의</p></div>"
                "<p>배송을 시작했습니다.</p></div></body></html>"
            ).encode()
        ),
        text="받았습니다. 감사합니다.",
    )
    mail(
        "55_daum_original_mail_marker.eml",
        f"""{COMMON}
From: user@daum.net
Subject: =?UTF-8?B?{base64.b64encode("Re: 환불".encode()).decode()}?=
Message-ID: <daum-55@daum.net>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
""",
        "입금 확인했어요.\n\n----- 원본 메일 -----\n보낸사람: 상담센터\n받는사람: user@daum.net\n"
        "날짜: 2026년 11월 24일 화요일, 10시 00분 00초 +0900\n제목: 환불\n\n환불했습니다.\n",
        text="입금 확인했어요.",
    )


def threading() -> None:
    mail(
        "33_subject_reference_only.eml",
        f"""{COMMON}
From: ref@example.com
Subject: Re: my question [SD-100777]
Message-ID: <ref-33@example.com>
Content-Type: text/plain; charset=utf-8
""",
        "Any news?\n",
        reference="SD-100777",
        in_reply_to=[],
        thread_key="<ref-33@example.com>",
    )
    mail(
        "34_plus_address.eml",
        """Received: from mx.example.net by mail.example.com; Tue, 24 Nov 2026 09:12:44 +0900
Date: Tue, 24 Nov 2026 09:12:40 +0900
MIME-Version: 1.0
To: "Support" <support+SD-100888@example.com>
From: plus@example.com
Subject: another question
Message-ID: <plus-34@example.com>
Content-Type: text/plain; charset=utf-8
""",
        "Following up.\n",
        reference="SD-100888",
    )
    mail(
        "35_references_without_brackets.eml",
        f"""{COMMON}
From: brackets@example.com
Subject: Re: hello
Message-ID: <nobr-35@example.com>
In-Reply-To: sd-out-35@example.com
References: root-35@example.com sd-out-35@example.com
Content-Type: text/plain; charset=utf-8
""",
        "reply\n",
        in_reply_to=["<sd-out-35@example.com>", "<root-35@example.com>"],
        thread_key="<root-35@example.com>",
    )
    mail(
        "58_gmail_inline_forward.eml",
        f"""{COMMON}
From: minsu.kim@gmail.com
Subject: =?UTF-8?B?{base64.b64encode("Fwd: 주문 확인".encode()).decode()}?=
Message-ID: <CAJx-58@mail.gmail.com>
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: 8bit
""",
        (
            "아래 주문이 두 번 결제됐어요.\n\n"
            "---------- Forwarded message ---------\n"
            "From: Shop <orders@shop.example.com>\n"
            "Date: Mon, Nov 23, 2026 at 9:00 AM\n"
            "Subject: 주문 확인\n"
            "To: <minsu.kim@gmail.com>\n\n"
            "주문번호 A-1001, 결제 금액 39,000원\n"
        ).encode(),
        text_contains=["아래 주문이 두 번 결제됐어요.", "주문번호 A-1001, 결제 금액 39,000원"],
    )
