"""Mail from machines: autoresponders, lists, bounces, and broken mail."""

from __future__ import annotations

import base64

from tests.email.corpus_make import COMMON, bword, mail


def loops() -> None:
    mail(
        "36_gmail_vacation.eml",
        f"""{COMMON}
From: John Smith <john@gmail.com>
Subject: Out of office: Your refund [SD-100001]
Message-ID: <vacation-36@mail.gmail.com>
Auto-Submitted: auto-replied
Precedence: bulk
In-Reply-To: <sd-out-1@example.com>
Content-Type: text/plain; charset=utf-8
""",
        "I am on vacation until Monday.\n",
        kind="auto_reply",
        auto_submitted=True,
    )
    mail(
        "37_exchange_oof.eml",
        f"""{COMMON}
From: "Lee, Jiwoo" <jiwoo.lee@company.co.kr>
Subject: Automatic reply: Password reset
Message-ID: <oof-37@outlook.com>
Auto-Submitted: auto-generated
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: jiwoo.lee@company.co.kr
Content-Type: text/plain; charset=utf-8
""",
        "I am out of the office.\n",
        kind="auto_reply",
        auto_submitted=True,
    )
    mail(
        "38_newsletter_bulk.eml",
        f"""{COMMON}
From: news@shop.example.com
Subject: Black Friday deals
Message-ID: <news-38@shop.example.com>
Precedence: bulk
List-Unsubscribe: <mailto:unsubscribe@shop.example.com>
Content-Type: text/plain; charset=utf-8
""",
        "50% off!\n",
        kind="auto_reply",
        auto_submitted=True,
    )
    mail(
        "39_mailing_list.eml",
        f"""{COMMON}
From: member@example.org
Subject: [dev] build broken
Message-ID: <list-39@example.org>
List-Id: Developers <dev.lists.example.org>
List-Post: <mailto:dev@lists.example.org>
Content-Type: text/plain; charset=utf-8
""",
        "The build is broken.\n",
        kind="list",
        auto_submitted=True,
    )
    mail(
        "40_noreply_sender.eml",
        f"""{COMMON}
From: Shop <no-reply@shop.example.com>
Subject: Your order has shipped
Message-ID: <noreply-40@shop.example.com>
Content-Type: text/plain; charset=utf-8
""",
        "Your order has shipped.\n",
        kind="message",
        auto_submitted=True,
    )
    mail(
        "41_x_autoreply_korean.eml",
        f"""{COMMON}
From: auto@daum.net
Subject: =?UTF-8?B?{base64.b64encode("[자동응답] 부재중입니다".encode()).decode()}?=
Message-ID: <autoreply-41@daum.net>
X-Autoreply: yes
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
""",
        "휴가 중입니다.\n".encode(),
        kind="auto_reply",
        auto_submitted=True,
    )
    mail(
        "42_null_sender_return_path.eml",
        f"""Return-Path: <>
{COMMON}
From: alerts@monitor.example.com
Subject: disk usage warning
Message-ID: <null-42@monitor.example.com>
Content-Type: text/plain; charset=utf-8
""",
        "Disk 91% full.\n",
        kind="auto_reply",
        auto_submitted=True,
    )


def on_behalf() -> None:
    mail(
        "57_noreply_form_with_reply_to.eml",
        f"""{COMMON}
From: Shop Contact Form <no-reply@shop.example.com>
Reply-To: {bword("박서준")} <seojun.park@example.com>
Subject: =?UTF-8?B?{base64.b64encode("[문의하기] 교환 요청".encode()).decode()}?=
Message-ID: <form-57@shop.example.com>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
""",
        "이름: 박서준\n내용: 사이즈 교환을 원합니다.\n".encode(),
        sender="seojun.park@example.com",
        sender_name="박서준",
        text_contains=["사이즈 교환을 원합니다."],
    )


def malformed() -> None:
    mail(
        "49_no_message_id.eml",
        f"""{COMMON}
From: noid@example.com
Subject: no id
Content-Type: text/plain; charset=utf-8
""",
        "This mail has no Message-ID.\n",
        synthetic_id=True,
        text_contains=["This mail has no Message-ID."],
    )
    mail(
        "50_broken_mime.eml",
        f"""{COMMON}
From: broken@example.com
Subject: broken
Message-ID: <broken-50@example.com>
Content-Type: multipart/mixed; boundary="never-closed"
""",
        """--never-closed
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

7JWI64WV!!!not base64 at all@@@
--never-closed
Content-Type: application/pdf; name="half.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
""",
        kind="message",
    )
    mail(
        "51_no_from.eml",
        """Date: Tue, 24 Nov 2026 09:12:40 +0900
To: support@example.com
Subject: who am I
Message-ID: <nofrom-51@example.com>
""",
        "No sender at all.\n",
        kind="ignored",
    )
    mail(
        "52_read_receipt.eml",
        f"""{COMMON}
From: reader@example.com
Subject: Read: Re: refund [SD-100001]
Message-ID: <mdn-52@example.com>
Content-Type: multipart/report; report-type=disposition-notification; boundary="m52"
""",
        """--m52
Content-Type: text/plain; charset=utf-8

Your message was read.
--m52
Content-Type: message/disposition-notification

Reporting-UA: reader.example.com; Thunderbird
Final-Recipient: rfc822;reader@example.com
Original-Message-ID: <sd-out-1@example.com>
Disposition: manual-action/MDN-sent-manually; displayed
--m52--
""",
        kind="ignored",
    )
