"""Free-text bounces from before RFC 3464 (and servers that still write them); see bounce_formats.py."""

from __future__ import annotations

from tests.email.corpus_make.bounce_formats import RCPT, add, quoted


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
