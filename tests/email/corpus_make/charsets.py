"""Mails in every charset and transfer encoding customers' clients use."""

from __future__ import annotations

import base64

from tests.email.corpus_make import COMMON, CORPUS, GMAIL_TEXT, b64, bword, mail, qp


def charsets() -> None:
    mail(
        "01_gmail_utf8_korean.eml",
        f"""{COMMON}
From: {bword("김민수")} <minsu.kim@gmail.com>
Subject: {bword("결제 환불 문의")}
Message-ID: <CAJx9k=01abc@mail.gmail.com>
Content-Type: multipart/alternative; boundary="000000000000a1b2c3"
""",
        f"""--000000000000a1b2c3
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

{b64(GMAIL_TEXT.encode())}
--000000000000a1b2c3
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: base64

{b64("<div dir='ltr'>안녕하세요, 어제 결제한 건 환불 부탁드립니다.<br>주문번호 20261123-0042</div>".encode())}
--000000000000a1b2c3--
""",
        subject="결제 환불 문의",
        sender="minsu.kim@gmail.com",
        sender_name="김민수",
        text_contains=["환불 부탁드립니다", "20261123-0042"],
        html_contains=["환불"],
    )
    euckr = "비밀번호를 잊어버렸어요. 초기화 방법을 알려주세요.\n".encode("euc-kr")
    mail(
        "02_outlook_ks_c_5601.eml",
        f"""{COMMON}
From: "{bword("이지우", "ks_c_5601-1987", "cp949")}" <jiwoo.lee@company.co.kr>
Subject: {bword("비밀번호 초기화 문의", "ks_c_5601-1987", "cp949")}
Message-ID: <000001d9a1b2$c3d4e5f6$0201a8c0@JIWOOPC>
X-Mailer: Microsoft Outlook 16.0
Content-Type: text/plain; charset="ks_c_5601-1987"
Content-Transfer-Encoding: base64
""",
        b64(euckr),
        subject="비밀번호 초기화 문의",
        sender_name="이지우",
        text_contains=["비밀번호를 잊어버렸어요"],
    )
    # "똠" and "햏" exist in CP949 only: a label that says EUC-KR is a lie Outlook tells.
    mail(
        "03_euckr_label_cp949_content.eml",
        f"""{COMMON}
From: {bword("똠이", "euc-kr", "cp949")} <ddom@hanmail.net>
Subject: =?euc-kr?B?{base64.b64encode("똠방각하 햏 문의".encode("cp949")).decode()}?=
Message-ID: <20261124091240.ddom@hanmail.net>
Content-Type: text/plain; charset=euc-kr
Content-Transfer-Encoding: 8bit
""",
        "똠방각하 주문이 누락되었습니다. 햏.\n".encode("cp949"),
        subject="똠방각하 햏 문의",
        text_contains=["똠방각하 주문이 누락되었습니다. 햏."],
    )
    mail(
        "04_iso_2022_kr.eml",
        f"""{COMMON}
From: Old Client <old@kornet.net>
Subject: =?ISO-2022-KR?B?{base64.b64encode("배송 문의".encode("iso2022_kr")).decode()}?=
Message-ID: <old-client-04@kornet.net>
Content-Type: text/plain; charset=ISO-2022-KR
Content-Transfer-Encoding: 7bit
""",
        "배송이 아직 안 왔어요.\n".encode("iso2022_kr"),
        subject="배송 문의",
        text_contains=["배송이 아직 안 왔어요."],
    )
    mail(
        "05_iso_2022_jp.eml",
        f"""{COMMON}
From: {bword("山田", "ISO-2022-JP", "iso2022_jp")} <yamada@example.jp>
Subject: =?ISO-2022-JP?B?{base64.b64encode("返金について".encode("iso2022_jp")).decode()}?=
Message-ID: <jp-05@example.jp>
Content-Type: text/plain; charset=ISO-2022-JP
Content-Transfer-Encoding: 7bit
""",
        "返金をお願いします。\n".encode("iso2022_jp"),
        subject="返金について",
        sender_name="山田",
        text_contains=["返金をお願いします。"],
    )
    mail(
        "06_shift_jis_cp932.eml",
        f"""{COMMON}
From: tanaka@example.jp
Subject: =?Shift_JIS?B?{base64.b64encode("注文①の件".encode("cp932")).decode()}?=
Message-ID: <sjis-06@example.jp>
Content-Type: text/plain; charset=Shift_JIS
Content-Transfer-Encoding: 8bit
""",
        "注文①が届きません。\n".encode("cp932"),
        subject="注文①の件",
        text_contains=["注文①が届きません。"],
    )
    mail(
        "07_gb2312_label_gbk_content.eml",
        f"""{COMMON}
From: wang@example.cn
Subject: =?gb2312?B?{base64.b64encode("退款问题".encode("gb2312")).decode()}?=
Message-ID: <gb-07@example.cn>
Content-Type: text/plain; charset=gb2312
Content-Transfer-Encoding: base64
""",
        b64("我的订单没有到，請退款。镕\n".encode("gbk")),
        subject="退款问题",
        text_contains=["我的订单没有到", "镕"],
    )
    mail(
        "08_big5.eml",
        f"""{COMMON}
From: chen@example.tw
Subject: =?big5?B?{base64.b64encode("帳號問題".encode("big5")).decode()}?=
Message-ID: <big5-08@example.tw>
Content-Type: text/plain; charset=big5
Content-Transfer-Encoding: base64
""",
        b64("我無法登入我的帳號。\n".encode("big5")),
        subject="帳號問題",
        text_contains=["我無法登入我的帳號。"],
    )
    mail(
        "09_koi8_r.eml",
        f"""{COMMON}
From: ivan@example.ru
Subject: {bword("Возврат денег", "koi8-r", "koi8_r")}
Message-ID: <koi8-09@example.ru>
Content-Type: text/plain; charset=koi8-r
Content-Transfer-Encoding: 8bit
""",
        "Здравствуйте, прошу вернуть деньги.\n".encode("koi8_r"),
        text_contains=["Здравствуйте, прошу вернуть деньги."],
    )
    mail(
        "10_windows_1251.eml",
        f"""{COMMON}
From: =?windows-1251?B?{base64.b64encode("Ольга".encode("cp1251")).decode()}?= <olga@example.ru>
Subject: =?windows-1251?B?{base64.b64encode("Ошибка оплаты".encode("cp1251")).decode()}?=
Message-ID: <cp1251-10@example.ru>
Content-Type: text/plain; charset=windows-1251
Content-Transfer-Encoding: quoted-printable
""",
        qp("Оплата не прошла, деньги списаны.\n".encode("cp1251")),
        subject="Ошибка оплаты",
        sender_name="Ольга",
        text_contains=["Оплата не прошла, деньги списаны."],
    )
    mail(
        "11_windows_1252_smart_quotes.eml",
        f"""{COMMON}
From: =?windows-1252?Q?Ren=E9e_Dupr=E9?= <renee@example.fr>
Subject: =?windows-1252?Q?Facture_=AB_100_=80_=BB?=
Message-ID: <cp1252-11@example.fr>
Content-Type: text/plain; charset=windows-1252
Content-Transfer-Encoding: quoted-printable
""",
        qp("J\u2019ai pay\u00e9 100 \u20ac \u201ctrop\u201d.\n".encode("cp1252")),
        subject="Facture « 100 € »",
        sender_name="Renée Dupré",
        text_contains=["J\u2019ai pay\u00e9 100 \u20ac \u201ctrop\u201d."],
    )
    mail(
        "12_latin1_label_utf8_content.eml",
        f"""{COMMON}
From: mislabel@example.com
Subject: wrong label
Message-ID: <mislabel-12@example.com>
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: 8bit
""",
        "라벨은 latin-1 이지만 내용은 UTF-8 입니다.\n".encode(),
        text_contains=["라벨은 latin-1 이지만 내용은 UTF-8 입니다."],
    )
    mail(
        "13_utf8_label_cp949_content.eml",
        f"""{COMMON}
From: mislabel2@example.com
Subject: wrong label 2
Message-ID: <mislabel-13@example.com>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
""",
        "라벨은 UTF-8 이지만 내용은 CP949 입니다.\n".encode("cp949"),
        text_contains=["라벨은 UTF-8 이지만 내용은 CP949 입니다."],
    )
    mail(
        "14_unknown_charset.eml",
        f"""{COMMON}
From: weird@example.com
Subject: =?x-unknown?Q?Hello?=
Message-ID: <unknown-14@example.com>
Content-Type: text/plain; charset=x-user-defined-foo
Content-Transfer-Encoding: 8bit
""",
        "알 수 없는 문자셋 선언\n".encode(),
        text_contains=["알 수 없는 문자셋 선언"],
    )
    raw_head = (
        (
            COMMON
            + "\nFrom: raw8bit@example.com\nMessage-ID: <raw8bit-15@example.com>\n"
            + "Content-Type: text/plain"
        )
        .replace("\n", "\r\n")
        .encode("ascii")
        + b"\r\nSubject: "
        + "8비트 제목".encode()
        + b"\r\n\r\n"
    )
    CORPUS["15_raw_8bit_header_no_charset.eml"] = (
        raw_head + "본문은 CP949, 선언 없음.\r\n".encode("cp949"),
        {"subject": "8비트 제목", "text_contains": ["본문은 CP949, 선언 없음."]},
    )
    mail(
        "16_quoted_printable_soft_breaks.eml",
        f"""{COMMON}
From: qp@example.com
Subject: quoted-printable
Message-ID: <qp-16@example.com>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable
""",
        "=EC=95=B1=EC=9D=B4 =EA=B3=84=EC=86=8D =EC=A2=85=EB=A3=8C=EB=90=A9=EB=8B=88=\n"
        "=EB=8B=A4. version=3D2.4.1\n",
        text_contains=["앱이 계속 종료됩니다. version=2.4.1"],
    )
    # A multi-byte character split across two encoded words (legal in practice, common).
    subject_bytes = "앱 충돌 신고".encode()
    mail(
        "17_rfc2047_split_words.eml",
        f"""{COMMON}
From: split@example.com
Subject: =?UTF-8?B?{base64.b64encode(subject_bytes[:2]).decode()}?=
 =?UTF-8?B?{base64.b64encode(subject_bytes[2:]).decode()}?=
Message-ID: <split-17@example.com>
Content-Type: text/plain; charset=utf-8
""",
        "crash report\n",
        subject="앱 충돌 신고",
    )
    mail(
        "56_iso_2022_jp_undeclared.eml",
        f"""{COMMON}
From: old-jp@example.jp
Subject: =?ISO-2022-JP?B?{base64.b64encode("配送".encode("iso2022_jp")).decode()}?=
Message-ID: <jp-undeclared-56@example.jp>
Content-Type: text/plain
""",
        "荷物がまだ届きません。\n".encode("iso2022_jp"),
        subject="配送",
        text_contains=["荷物がまだ届きません。"],
    )
