"""Bounces: RFC 3464 reports and the free-text kinds of Postfix, Gmail, Exim, Naver, Exchange."""

from __future__ import annotations

import base64

from tests.email.corpus_make import b64, mail


def bounces() -> None:
    mail(
        "43_postfix_dsn_user_unknown.eml",
        """Return-Path: <>
Received: by mail.example.com (Postfix) id 4Xb3; Tue, 24 Nov 2026 09:20:01 +0900 (KST)
Date: Tue, 24 Nov 2026 09:20:01 +0900 (KST)
From: MAILER-DAEMON@mail.example.com (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: support@example.com
Auto-Submitted: auto-replied
MIME-Version: 1.0
Message-Id: <20261124002001.4Xb3@mail.example.com>
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4Xb3.1764000001/mail.example.com"
""",
        """This is a MIME-encapsulated message.

--4Xb3.1764000001/mail.example.com
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.com.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<nobody@gmail.com>: host gmail-smtp-in.l.google.com[142.250.1.27] said:
    550-5.1.1 The email account that you tried to reach does not exist.

--4Xb3.1764000001/mail.example.com
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.com
X-Postfix-Queue-ID: 4Xb2kQ1z9Lz1
Arrival-Date: Tue, 24 Nov 2026 09:19:58 +0900 (KST)

Final-Recipient: rfc822; nobody@gmail.com
Original-Recipient: rfc822;nobody@gmail.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does
    not exist.

--4Xb3.1764000001/mail.example.com
Content-Description: Undelivered Message
Content-Type: message/rfc822

From: Support <support@example.com>
To: nobody@gmail.com
Subject: Re: help [SD-100001]
Message-ID: <sd-out-43@example.com>
Content-Type: text/plain; charset=utf-8

Hello.

--4Xb3.1764000001/mail.example.com--
""",
        kind="bounce",
        bounce_ids=["<sd-out-43@example.com>"],
        permanent=True,
        reason_contains="5.1.1",
    )
    mail(
        "44_gmail_dsn_headers_only.eml",
        """Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: support@example.com
Subject: Delivery Status Notification (Failure)
Date: Tue, 24 Nov 2026 00:21:00 -0800 (PST)
Message-ID: <gmail-dsn-44@mx.google.com>
MIME-Version: 1.0
Content-Type: multipart/report; boundary="00000000000044aa"; report-type=delivery-status
""",
        """--00000000000044aa
Content-Type: multipart/related; boundary="00000000000044bb"

--00000000000044bb
Content-Type: multipart/alternative; boundary="00000000000044cc"

--00000000000044cc
Content-Type: text/plain; charset="UTF-8"

** Address not found **

Your message wasn't delivered to nobody@example.org because the address couldn't be found.

--00000000000044cc
Content-Type: text/html; charset="UTF-8"

<p><b>Address not found</b></p>

--00000000000044cc--
--00000000000044bb--
--00000000000044aa
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Arrival-Date: Tue, 24 Nov 2026 00:20:59 -0800 (PST)

Final-Recipient: rfc822; nobody@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.org>: Recipient address rejected

--00000000000044aa
Content-Type: text/rfc822-headers

From: Support <support@example.com>
To: nobody@example.org
Subject: Re: order [SD-100002]
Message-ID: <sd-out-44@example.com>

--00000000000044aa--
""",
        kind="bounce",
        bounce_ids=["<sd-out-44@example.com>"],
        permanent=True,
        reason_contains="Recipient address rejected",
    )
    mail(
        "45_exim_text_bounce.eml",
        """Return-path: <>
Envelope-to: support@example.com
Date: Tue, 24 Nov 2026 09:22:00 +0900
Message-Id: <E1exim45@mx.hosting.example>
X-Failed-Recipients: gone@hosting.example
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mx.hosting.example>
To: support@example.com
Subject: Mail delivery failed: returning message to sender
""",
        """This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  gone@hosting.example
    SMTP error from remote mail server after RCPT TO:<gone@hosting.example>:
    550 5.1.1 User unknown

------ This is a copy of the message, including all the headers. ------

Return-path: <support@example.com>
From: Support <support@example.com>
To: gone@hosting.example
Subject: Re: question [SD-100003]
Message-ID: <sd-out-45@example.com>

Hello.
""",
        kind="bounce",
        bounce_ids=["<sd-out-45@example.com>"],
        permanent=True,
        reason_contains="550",
    )
    mail(
        "46_naver_korean_bounce.eml",
        """Return-Path: <>
From: =?UTF-8?B?{nv}?= <MAILER-DAEMON@naver.com>
To: support@example.com
Subject: =?UTF-8?B?{s}?=
Date: Tue, 24 Nov 2026 09:23:00 +0900
Message-ID: <naver-bounce-46@naver.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64
""".replace("{s}", base64.b64encode("메일 발송 실패 안내".encode()).decode()).replace(
            "{nv}", base64.b64encode("네이버 메일".encode()).decode()
        ),
        b64(
            "보내신 메일이 아래 사유로 발송되지 못했습니다.\n\n"
            "받는 사람: nouser@naver.com\n"
            "사유: 550 5.1.1 받는 사람의 메일 주소가 존재하지 않습니다.\n\n"
            "----- 원본 메일 -----\n"
            "From: support@example.com\n"
            "Subject: Re: 배송 문의 [SD-100004]\n"
            "Message-ID: <sd-out-46@example.com>\n".encode()
        ),
        kind="bounce",
        bounce_ids=["<sd-out-46@example.com>"],
        permanent=True,
        reason_contains="550",
    )
    mail(
        "47_delayed_dsn.eml",
        """Return-Path: <>
From: MAILER-DAEMON@mail.example.com (Mail Delivery System)
To: support@example.com
Subject: Delayed Mail (still being retried)
Date: Tue, 24 Nov 2026 13:20:01 +0900
Message-Id: <delay-47@mail.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="d47"
""",
        """--d47
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered for 4.0 hours. It will be retried until it is 5.0 days old.

--d47
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.com

Final-Recipient: rfc822; slow@example.net
Action: delayed
Status: 4.4.1
Diagnostic-Code: X-Postfix; connect to mx.example.net[198.51.100.1]:25: Connection timed out

--d47
Content-Type: text/rfc822-headers

Message-ID: <sd-out-47@example.com>
Subject: Re: x [SD-100005]

--d47--
""",
        kind="bounce",
        bounce_ids=["<sd-out-47@example.com>"],
        permanent=False,
    )
    mail(
        "48_exchange_ndr.eml",
        """From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.com>
To: support@example.com
Subject: Undeliverable: Re: invoice [SD-100006]
Date: Tue, 24 Nov 2026 00:25:00 +0000
Message-ID: <ndr-48@contoso.com>
In-Reply-To: <sd-out-48@example.com>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
""",
        """Delivery has failed to these recipients or groups:

left.company@contoso.com
The email address you entered couldn't be found.

Diagnostic information for administrators:
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'
""",
        kind="bounce",
        bounce_ids=["<sd-out-48@example.com>"],
        permanent=True,
        reason_contains="550",
    )
