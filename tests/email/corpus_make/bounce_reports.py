"""RFC 3464 delivery reports (multipart/report) as real servers write them; see bounce_formats.py."""

from __future__ import annotations

from tests.email.corpus_make.bounce_formats import RCPT, dsn


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
