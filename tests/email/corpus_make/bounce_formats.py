"""Writes tests/email/bounces/*.eml and index.json: ``python -m tests.email.corpus_make.bounce_formats``.

Bounces as the mail servers of the world write them: RFC 3464 reports (Postfix, Exim,
Sendmail, Gmail, Microsoft 365, Naver, Daum, Yahoo, AOL, Amazon SES, Zimbra, Domino,
GroupWise, MDaemon) and the free-text kinds that predate it (classic Exim, qmail, old
Sendmail and Postfix, Exchange 2003, Lotus Notes, GroupWise, Yahoo, AOL, Hotmail,
IMail/SMTP32, Netscape, Sina, Korean and Japanese webmail). The shapes follow what
flufl.bounce's detectors recognise and samples seen in the wild; addresses, hosts and
ids are our own. Every one must open no ticket; those that quote our mail's Message-ID
must mark it failed (or leave it alone when the server is still trying).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent.parent / "bounces"
FILES: dict[str, tuple[bytes, dict[str, Any]]] = {}
DATE = "Tue, 24 Nov 2026 09:20:01 +0900"
RCPT = "nobody@customer.example"


def original_headers(n: int) -> str:
    return (
        f"Return-Path: <support@example.com>\n"
        f"From: Support <support@example.com>\n"
        f"To: {RCPT}\n"
        f"Subject: Re: 환불 문의 [SD-100{n:03d}]\n"
        f"Date: Tue, 24 Nov 2026 09:19:40 +0900\n"
        f"Message-ID: <sd-out-{n}@example.com>\n"
        f"MIME-Version: 1.0\n"
        f"Content-Type: text/plain; charset=utf-8\n"
    )


def add(
    name: str,
    *,
    sender: str,
    subject: str,
    body: str,
    content_type: str = "text/plain; charset=us-ascii",
    null: str = "header",  # "header": Return-Path: <>; "envelope": MAIL FROM:<> only; "none"
    original: int | None = None,
    permanent: bool = True,
    extra: str = "",
) -> None:
    head = ""
    if null == "header":
        head += "Return-Path: <>\n"
    head += (
        f"Received: by mx.example.com (Postfix) id 4Xb3; {DATE}\n"
        f"Date: {DATE}\nFrom: {sender}\nTo: support@example.com\nSubject: {subject}\n"
        f"Message-ID: <bounce-{name}@mx.bounce.example>\nMIME-Version: 1.0\n"
        f"Content-Type: {content_type}\n{extra}"
    )
    raw = (head.rstrip("\n") + "\n\n" + body).replace("\r\n", "\n").replace("\n", "\r\n")
    FILES[f"{name}.eml"] = (
        raw.encode("utf-8"),
        {
            "envelope_null": null != "none",
            "original": f"<sd-out-{original}@example.com>" if original else "",
            "permanent": permanent,
        },
    )


def dsn(
    name: str,
    *,
    sender: str,
    subject: str,
    human: str,
    reporting: str,
    status: str = "5.1.1",
    action: str = "failed",
    diagnostic: str = "smtp; 550 5.1.1 User unknown",
    returned: str = "message",  # "message", "headers" or "none"
    original: int | None = None,
    null: str = "header",
    human_type: str = "text/plain; charset=us-ascii",
) -> None:
    """An RFC 3464 multipart/report."""
    boundary = f"=_{name}_boundary"
    parts = [
        f"--{boundary}\nContent-Type: {human_type}\nContent-Description: Notification\n\n{human}\n",
        f"--{boundary}\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; {reporting}\nArrival-Date: {DATE}\n\n"
        f"Final-Recipient: rfc822; {RCPT}\nOriginal-Recipient: rfc822;{RCPT}\n"
        f"Action: {action}\nStatus: {status}\nDiagnostic-Code: {diagnostic}\n",
    ]
    if original and returned == "message":
        parts.append(
            f"--{boundary}\nContent-Type: message/rfc822\n\n{original_headers(original)}\n"
            "확인했습니다. 환불은 3일 안에 처리됩니다.\n"
        )
    elif original and returned == "headers":
        parts.append(
            f"--{boundary}\nContent-Type: text/rfc822-headers\n\n{original_headers(original)}"
        )
    body = "This is a MIME-encapsulated message.\n\n" + "\n".join(parts) + f"--{boundary}--\n"
    add(
        name,
        sender=sender,
        subject=subject,
        body=body,
        content_type=f'multipart/report; report-type=delivery-status;\n\tboundary="{boundary}"',
        null=null,
        original=original,
        permanent=action == "failed",
    )


def quoted(n: int | None) -> str:
    """The failed mail's headers as free-text bounces append them."""
    return original_headers(n) + "\n확인했습니다.\n" if n else ""


def rfc3464() -> None:
    postfix = (
        "This is the mail system at host mail.example.com.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n\n"
        f"<{RCPT}>: host mx.customer.example[198.51.100.9] said: 550 5.1.1\n"
        "    User unknown (in reply to RCPT TO command)"
    )
    dsn(
        "postfix_dsn_message",
        sender="MAILER-DAEMON@mail.example.com (Mail Delivery System)",
        subject="Undelivered Mail Returned to Sender",
        human=postfix,
        reporting="mail.example.com",
        original=1,
    )
    dsn(
        "postfix_dsn_headers",
        sender="MAILER-DAEMON@mail.example.com (Mail Delivery System)",
        subject="Undelivered Mail Returned to Sender",
        human=postfix,
        reporting="mail.example.com",
        returned="headers",
        original=2,
        null="envelope",
    )
    dsn(
        "postfix_dsn_delayed",
        sender="MAILER-DAEMON@mail.example.com (Mail Delivery System)",
        subject="Delayed Mail (still being retried)",
        human="Your message could not be delivered for more than 4 hour(s).\nIt will be retried until it is 5 day(s) old.",
        reporting="mail.example.com",
        status="4.4.1",
        action="delayed",
        diagnostic="X-Postfix; connect to mx.customer.example: Connection timed out",
        returned="headers",
        original=3,
    )
    dsn(
        "exim_dsn",
        sender="Mail Delivery System <Mailer-Daemon@mx.example.org>",
        subject="Mail delivery failed: returning message to sender",
        human="This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  "
        + RCPT
        + "\n    host mx.customer.example [198.51.100.9]\n    SMTP error from remote mail server after RCPT TO:<"
        + RCPT
        + ">:\n    550 5.1.1 No such user",
        reporting="mx.example.org",
        original=4,
    )
    dsn(
        "sendmail_dsn",
        sender="Mail Delivery Subsystem <MAILER-DAEMON@relay.example.org>",
        subject="Returned mail: see transcript for details",
        human="The original message was received at Tue, 24 Nov 2026 09:19:41 +0900\nfrom localhost [127.0.0.1]\n\n   ----- The following addresses had permanent fatal errors -----\n<"
        + RCPT
        + ">\n    (reason: 550 5.1.1 User unknown)",
        reporting="relay.example.org",
        returned="headers",
        original=5,
    )
    dsn(
        "gmail_dsn",
        sender="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        subject="Delivery Status Notification (Failure)",
        human="** Address not found **\n\nYour message wasn't delivered to "
        + RCPT
        + " because the address couldn't be found, or is unable to receive mail.\n\nThe response from the remote server was:\n550 5.1.1 The email account that you tried to reach does not exist.",
        reporting="googlemail.com",
        diagnostic="smtp; 550-5.1.1 The email account that you tried to reach does not exist.",
        returned="headers",
        original=6,
    )
    dsn(
        "gmail_dsn_delay",
        sender="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        subject="Delivery Status Notification (Delay)",
        human="** Message not delivered yet **\n\nThere was a temporary problem delivering your message to "
        + RCPT
        + ". Gmail will retry for 47 more hours.",
        reporting="googlemail.com",
        status="4.7.0",
        action="delayed",
        diagnostic="smtp; 421 4.7.0 Try again later",
        returned="headers",
        original=7,
    )
    dsn(
        "office365_dsn",
        sender="Microsoft Outlook <postmaster@outlook.com>",
        subject="Undeliverable: Re: 환불 문의",
        human="<p>Your message to "
        + RCPT
        + " couldn't be delivered.</p><p>"
        + RCPT
        + " wasn't found at customer.example.</p>",
        human_type="text/html; charset=us-ascii",
        reporting="AM0PR01MB1234.eurprd01.prod.exchangelabs.com",
        status="5.1.10",
        diagnostic="smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
        original=8,
    )
    dsn(
        "exchange2010_dsn",
        sender="System Administrator <postmaster@corp.example>",
        subject="Undeliverable: Re: 환불 문의",
        human="Delivery has failed to these recipients or groups:\n\n"
        + RCPT
        + "\nThe e-mail address you entered couldn't be found.",
        reporting="EXCH01.corp.example",
        status="5.1.1",
        diagnostic="smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
        original=9,
        null="envelope",
    )
    dsn(
        "naver_dsn",
        sender="MAILER-DAEMON@naver.com",
        subject="=?UTF-8?B?66mU7J28IOuwnOyGoSDsi6TtjKg=?=",
        human="보내신 메일이 받는 사람에게 전달되지 못했습니다.\n받는 사람: "
        + RCPT
        + "\n사유: 존재하지 않는 메일 주소입니다.",
        human_type="text/plain; charset=utf-8",
        reporting="mx.naver.com",
        original=10,
    )
    dsn(
        "daum_dsn",
        sender="MAILER-DAEMON@daum.net",
        subject="=?UTF-8?B?W+uplOydvCDsoITshqEg7Iuk7YyoIOyViOuCtF0=?=",
        human="메일이 전송되지 않았습니다.\n수신자 메일함 용량이 초과되었습니다.",
        human_type="text/plain; charset=utf-8",
        reporting="mx.daum.net",
        status="5.2.2",
        diagnostic="smtp; 552 5.2.2 Mailbox full",
        returned="headers",
        original=11,
    )
    dsn(
        "kakao_dsn",
        sender="Mail Delivery System <mailer-daemon@kakao.com>",
        subject="Undelivered Mail Returned to Sender",
        human="This is the mail system at host mx.kakao.com.\n\nYour message could not be delivered.",
        reporting="mx.kakao.com",
        original=12,
        null="envelope",
    )
    dsn(
        "yahoo_dsn",
        sender="MAILER-DAEMON@yahoo.com",
        subject="Failure Notice",
        human="Sorry, we were unable to deliver your message to the following address.\n\n<"
        + RCPT
        + ">:\n554: delivery error: dd This user doesn't have a yahoo.com account",
        reporting="mta1.mail.yahoo.com",
        diagnostic="smtp; 554 delivery error",
        returned="headers",
        original=13,
    )
    dsn(
        "aol_dsn",
        sender="Mail Delivery Subsystem <MAILER-DAEMON@aol.com>",
        subject="Returned mail: User unknown",
        human="----- The following addresses had permanent fatal errors -----\n" + RCPT,
        reporting="omr-m01.mx.aol.com",
        original=14,
    )
    dsn(
        "amazon_ses_dsn",
        sender="MAILER-DAEMON@amazonses.com",
        subject="Delivery Status Notification (Failure)",
        human="An error occurred while trying to deliver the mail to the following recipients:\n"
        + RCPT,
        reporting="a8-30.smtp-out.amazonses.com",
        returned="headers",
        original=15,
    )
    dsn(
        "zimbra_dsn",
        sender="MAILER-DAEMON@zimbra.example.org (Mail Delivery System)",
        subject="Undelivered Mail Returned to Sender",
        human="This is the mail system at host zimbra.example.org.",
        reporting="zimbra.example.org",
        status="5.7.1",
        diagnostic="smtp; 554 5.7.1 Relay access denied",
        original=16,
    )
    dsn(
        "domino_dsn",
        sender="Postmaster@notes.example.co.jp",
        subject="DELIVERY FAILURE: User nobody not listed in Domino Directory",
        human="Your message\n\n  Subject: Re: 환불 문의\n\nwas not delivered to:\n\n  "
        + RCPT
        + "\n\nbecause:\n\n  User nobody not listed in Domino Directory",
        reporting="notes.example.co.jp",
        original=17,
        null="envelope",
    )
    dsn(
        "groupwise_dsn",
        sender="Postmaster@gw.example.edu",
        subject="Undeliverable mail",
        human="The message that you sent was undeliverable to the following:\n\t"
        + RCPT
        + " (user not found)",
        reporting="gw.example.edu",
        returned="headers",
        original=18,
    )
    dsn(
        "mdaemon_dsn",
        sender="MDaemon@mail.example.net",
        subject="Permanent Delivery Failure",
        human="The attached message had PERMANENT fatal delivery errors!",
        reporting="mail.example.net",
        original=19,
    )
    dsn(
        "dsn_unmatched",
        sender="MAILER-DAEMON@mail.example.com (Mail Delivery System)",
        subject="Undelivered Mail Returned to Sender",
        human="Your message could not be delivered.",
        reporting="mail.example.com",
        original=None,
    )
    dsn(
        "dsn_unknown_original",
        sender="MAILER-DAEMON@relay.example.org",
        subject="Undelivered Mail Returned to Sender",
        human="Your message could not be delivered.",
        reporting="relay.example.org",
        original=None,
        null="envelope",
    )
    # A DSN whose human part alone says nothing: only the report type tells.
    dsn(
        "dsn_terse_from_a_person_address",
        sender="it-helpdesk@corp.example",
        subject="Re: 환불 문의",
        human="See the attached report.",
        reporting="smtp.corp.example",
        original=20,
        null="none",
    )


def free_text() -> None:
    add(
        "exim_classic",
        sender="Mail Delivery System <Mailer-Daemon@mx.example.org>",
        subject="Mail delivery failed: returning message to sender",
        original=21,
        body="This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  "
        + RCPT
        + "\n    SMTP error from remote mail server after RCPT TO:<"
        + RCPT
        + ">:\n    550 5.1.1 User unknown\n\n------ This is a copy of the message, including all the headers. ------\n\n"
        + quoted(21),
    )
    add(
        "exim_retry_timeout",
        sender="Mail Delivery System <Mailer-Daemon@mx.example.org>",
        subject="Mail delivery failed: returning message to sender",
        original=22,
        null="envelope",
        body="This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  "
        + RCPT
        + "\n    retry timeout exceeded\n\n------ This is a copy of the message's headers. ------\n\n"
        + quoted(22),
    )
    add(
        "exim_warning",
        sender="Mail Delivery System <Mailer-Daemon@mx.example.org>",
        subject="Warning: message 1kXyZa-0003Bc-Jk delayed 24 hours",
        original=23,
        permanent=False,
        body="This message was created automatically by mail delivery software.\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on mx.example.org.\n\nThe message identifier is:     1kXyZa-0003Bc-Jk\n\nThe address to which the message has not yet been delivered is:\n\n  "
        + RCPT
        + "\n    Delay reason: SMTP error from remote mail server after RCPT TO:<"
        + RCPT
        + ">:\n    451 4.7.1 Greylisted\n\nNo action is required on your part. Delivery attempts will continue for\nsome time, and this warning may be repeated at intervals if the message\nremains undelivered. Eventually the mail delivery software will give up,\nand when that happens, the message will be returned to you.\n\n"
        + quoted(23),
    )
    add(
        "qmail",
        sender="MAILER-DAEMON@mx.example.net",
        subject="failure notice",
        original=24,
        body="Hi. This is the qmail-send program at mx.example.net.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<"
        + RCPT
        + ">:\n198.51.100.9 does not like recipient.\nRemote host said: 550 5.1.1 <"
        + RCPT
        + ">: Recipient address rejected: User unknown\nGiving up on 198.51.100.9.\n\n--- Below this line is a copy of the message.\n\n"
        + quoted(24),
    )
    add(
        "qmail_no_copy",
        sender="MAILER-DAEMON@mx.example.net",
        subject="failure notice",
        null="envelope",
        body="Hi. This is the qmail-send program at mx.example.net.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<"
        + RCPT
        + ">:\nSorry, no mailbox here by that name. (#5.1.1)\n",
    )
    add(
        "postfix_old_text",
        sender="MAILER-DAEMON@old.example.com (Mail Delivery System)",
        subject="Undelivered Mail Returned to Sender",
        original=25,
        body="This is the Postfix program at host old.example.com.\n\nI'm sorry to have to inform you that the message returned\nbelow could not be delivered to one or more destinations.\n\n\t\t\tThe Postfix program\n\n<"
        + RCPT
        + '>: unknown user: "nobody"\n\n--- Returned message ---\n\n'
        + quoted(25),
    )
    add(
        "sendmail_old",
        sender="Mail Delivery Subsystem <MAILER-DAEMON@relay.example.org>",
        subject="Returned mail: User unknown",
        original=26,
        null="envelope",
        body="The original message was received at Tue, 24 Nov 2026 09:19:41 +0900\nfrom localhost [127.0.0.1]\n\n   ----- The following addresses had permanent fatal errors -----\n<"
        + RCPT
        + ">\n\n   ----- Transcript of session follows -----\n... while talking to mx.customer.example.:\n>>> RCPT To:<"
        + RCPT
        + ">\n<<< 550 5.1.1 <"
        + RCPT
        + ">... User unknown\n550 "
        + RCPT
        + "... User unknown\n\n   ----- Original message follows -----\n\n"
        + quoted(26),
    )
    add(
        "sendmail_warning",
        sender="Mail Delivery Subsystem <MAILER-DAEMON@relay.example.org>",
        subject="Warning: could not send message for past 4 hours",
        original=27,
        permanent=False,
        body="    **********************************************\n    **      THIS IS A WARNING MESSAGE ONLY      **\n    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n    **********************************************\n\nThe original message was received at Tue, 24 Nov 2026 05:19:41 +0900\n\n   ----- Transcript of session follows -----\n"
        + RCPT
        + "... Deferred: Connection timed out with mx.customer.example.\nWarning: message still undelivered after 4 hours\nWill keep trying until message is 5 days old\n\n   ----- Original message follows -----\n\n"
        + quoted(27),
    )
    add(
        "exchange2003",
        sender="System Administrator <admin@corp.example>",
        subject="Undeliverable: Re: 환불 문의",
        original=28,
        null="none",
        body="Your message\n\n  To:      "
        + RCPT
        + "\n  Subject: Re: 환불 문의\n  Sent:    Tue, 24 Nov 2026 09:19:40 +0900\n\ndid not reach the following recipient(s):\n\n"
        + RCPT
        + " on Tue, 24 Nov 2026 09:20:01 +0900\n    The e-mail account does not exist at the organization this message was sent to.\n    <EXCH03.corp.example #5.1.1>\n\n"
        + quoted(28),
        content_type="text/plain; charset=utf-8",
    )
    add(
        "lotus_notes",
        sender="Postmaster@notes.example.co.jp",
        subject="DELIVERY FAILURE: Error transferring to NOTES01; Maximum hop count exceeded",
        original=29,
        body="Your message\n\n  Subject: Re: 환불 문의\n\nwas not delivered to:\n\n  "
        + RCPT
        + "\n\nbecause:\n\n  Error transferring to NOTES01; Maximum hop count exceeded.  Message probably in a routing loop.\n\n"
        + quoted(29),
        content_type="text/plain; charset=utf-8",
    )
    add(
        "groupwise",
        sender="Postmaster@gw.example.edu",
        subject="Message status - undeliverable",
        null="envelope",
        body="The message that you sent was undeliverable to the following:\n\t"
        + RCPT
        + " (user not found)\n\nPossible causes:\n\tThe e-mail address is incorrect\n\tThe recipient is not a valid user\n",
    )
    add(
        "yahoo_old",
        sender="MAILER-DAEMON@yahoo.com",
        subject="failure delivery",
        original=30,
        body="Message from  yahoo.com.\nUnable to deliver message to the following address(es).\n\n<"
        + RCPT
        + ">:\n198.51.100.9 failed after I sent the message.\nRemote host said: 550 5.2.1 Mailbox disabled for this recipient\n\n--- Original message follows.\n\n"
        + quoted(30),
    )
    add(
        "aol_old",
        sender="Mail Delivery Subsystem <MAILER-DAEMON@aol.com>",
        subject="Returned mail: see transcript for details",
        null="envelope",
        body="The original message was received at Tue, 24 Nov 2026 09:19:41 -0500 (EST)\n\n   ----- The following addresses had permanent fatal errors -----\n"
        + RCPT
        + "\n    (reason: 550 MAILBOX NOT FOUND)\n",
    )
    add(
        "hotmail_old",
        sender="postmaster@hotmail.com",
        subject="Delivery Status Notification (Failure)",
        original=31,
        body="This is an automatically generated Delivery Status Notification.\n\nDelivery to the following recipients failed.\n\n       "
        + RCPT
        + "\n\n"
        + quoted(31),
    )
    add(
        "smtp32_imail",
        sender="Postmaster <postmaster@imail.example.com>",
        subject="Undeliverable Mail",
        null="envelope",
        body="user mailbox is full:\n\nUnable to deliver mail.\n\nOriginal message follows.\n\nTo: "
        + RCPT
        + "\nSubject: Re: 환불 문의\n",
        content_type="text/plain; charset=utf-8",
    )
    add(
        "netscape_messaging",
        sender="Messaging Server <postmaster@ns.example.com>",
        subject="Delivery Notification: Delivery has failed",
        original=32,
        body="This report relates to a message you sent with the following header fields:\n\n  Message-id: <sd-out-32@example.com>\n  Date: Tue, 24 Nov 2026 09:19:40 +0900\n  From: support@example.com\n  To: "
        + RCPT
        + "\n\n  Your message cannot be delivered to the following recipients:\n\n  Recipient address: "
        + RCPT
        + "\n  Reason: Remote SMTP server has rejected address\n  Diagnostic code: smtp;550 5.1.1 unknown user\n",
    )
    add(
        "sina_chinese",
        sender="MAILER-DAEMON@sina.com",
        subject="=?GB2312?B?zcvQxQ==?=",
        null="envelope",
        body="This is the mail system at host mx.sina.com.\n\n<"
        + RCPT
        + ">: host said: 550 user not found\n",
    )
    add(
        "japanese_webmail",
        sender="MAILER-DAEMON@mail.example.jp",
        subject="=?ISO-2022-JP?B?GyRCR1s/LiUoJWkhPBsoQg==?=",
        original=33,
        body="Your message could not be delivered.\n\n<"
        + RCPT
        + ">: 550 5.1.1 Unknown user\n\n"
        + quoted(33),
    )
    add(
        "naver_text",
        sender="MAILER-DAEMON@naver.com",
        subject="=?UTF-8?B?7KCE7IahIOyLpO2MqA==?=",
        original=34,
        body="보내신 메일이 아래 사유로 전송되지 못했습니다.\n\n받는 사람: "
        + RCPT
        + "\n사유: 550 5.1.1 존재하지 않는 계정입니다.\n\n--- 원본 메일 ---\n"
        + quoted(34),
        content_type="text/plain; charset=utf-8",
    )
    add(
        "daum_text",
        sender="=?UTF-8?B?64uk7J2MIOuplOydvA==?= <mailer-daemon@hanmail.net>",
        subject="=?UTF-8?B?66mU7J28IOuwmOyGoSDslYjrgrQ=?=",
        null="envelope",
        body="메일이 반송되었습니다.\n수신자: " + RCPT + "\n",
        content_type="text/plain; charset=utf-8",
    )
    add(
        "nate_text",
        sender="postmaster@nate.com",
        subject="=?EUC-KR?B?uN7AzyC537zbIL3HxtA=?=",
        original=35,
        body="Delivery to the following recipient failed permanently:\n\n     "
        + RCPT
        + "\n\n"
        + quoted(35),
    )
    add(
        "interscan_viruswall",
        sender="postmaster@av.example.com",
        subject="Mail could not be delivered",
        null="envelope",
        body="****** Message from InterScan E-Mail VirusWall NT ******\n\nThe following mail could not be delivered:\n\nRCPT TO: <"
        + RCPT
        + ">\n\n*****************     End of message     ***************\n",
    )
    add(
        "caiwireless",
        sender="postmaster@wireless.example.net",
        subject="Returned mail",
        original=36,
        body="The following addresses had permanent delivery errors:\n\n  "
        + RCPT
        + "\n\n--- Transcript of session follows ---\n550 unknown user\n\n"
        + quoted(36),
    )
    add(
        "mailbox_full_only_status",
        sender="Mail Administrator <mailer-daemon@isp.example>",
        subject="Undeliverable mail: mailbox full",
        null="envelope",
        body="Your message could not be delivered to\n" + RCPT + "\n\n552 5.2.2 Mailbox full\n",
    )
    add(
        "outlook_com_text",
        sender="postmaster@outlook.com",
        subject="Undeliverable: Re: 환불 문의",
        original=37,
        body="Delivery has failed to these recipients or groups:\n\n"
        + RCPT
        + "\nThe recipient's mailbox is full and can't accept messages now.\n\nDiagnostic information for administrators:\nRemote Server returned '552 5.2.2 mailbox full'\n\nOriginal message headers:\n\n"
        + quoted(37),
    )
    add(
        "google_groups_no_such_group",
        sender="Mail Delivery Subsystem <mailer-daemon@google.com>",
        subject="Address not found",
        null="envelope",
        body="** Address not found **\n\nYour message wasn't delivered to "
        + RCPT
        + " because the address couldn't be found.\n",
    )
    add(
        "postmaster_spam_block",
        sender="postmaster@filter.example.org",
        subject="Undeliverable: message rejected as spam",
        original=38,
        body="A message that you sent could not be delivered to one or more of its recipients.\n\n"
        + RCPT
        + ":\n    554 5.7.1 Message rejected as spam\n\n"
        + quoted(38),
    )
    add(
        "null_sender_only",
        sender="Delivery Robot <robot@mta.example.net>",
        subject="Your message",
        original=39,
        null="envelope",
        body="Your message to "
        + RCPT
        + " was not delivered.\n\nReporting-MTA: mta.example.net\n"
        + quoted(39),
    )
    add(
        "korean_spam_gateway",
        sender="Spam Filter <filter@corp.example.kr>",
        subject="=?UTF-8?B?66mU7J28IOuwnOyGoSDsi6TtjKgg7JWI64K0?=",
        body="다음 메일이 정책에 따라 차단되었습니다.\n받는 사람: " + RCPT + "\n",
        content_type="text/plain; charset=utf-8",
        null="header",
    )


def main() -> None:
    rfc3464()
    free_text()
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.eml"):
        old.unlink()
    index = {}
    for name, (raw, expect) in sorted(FILES.items()):
        (OUT / name).write_bytes(raw)
        index[name] = expect
    (OUT / "index.json").write_text(
        json.dumps(index, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(FILES)} bounces to {OUT}")


if __name__ == "__main__":
    main()
