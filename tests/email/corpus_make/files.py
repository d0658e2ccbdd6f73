"""Attachments: RFC 2231/2047 names, inline cid: images, forwards, winmail.dat, HTML."""

from __future__ import annotations

import base64
import struct

from tests.email.corpus_make import APPLE_TEXT, COMMON, b64, bword, mail, qp


def attachments() -> None:
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    mail(
        "18_rfc2231_korean_filename.eml",
        f"""{COMMON}
From: file@example.com
Subject: receipt
Message-ID: <rfc2231-18@example.com>
Content-Type: multipart/mixed; boundary="b18"
""",
        f"""--b18
Content-Type: text/plain; charset=utf-8

영수증 첨부합니다.
--b18
Content-Type: application/pdf
Content-Disposition: attachment;
 filename*0*=UTF-8''%EC%98%81%EC%88%98%EC%A6%9D%5F;
 filename*1*=%32%30%32%36%2E%70%64%66
Content-Transfer-Encoding: base64

{b64(pdf)}
--b18--
""",
        attachments=["영수증_2026.pdf"],
    )
    mail(
        "19_outlook_rfc2047_filename.eml",
        f"""{COMMON}
From: outlook@example.com
Subject: screenshot
Message-ID: <rfc2047name-19@example.com>
Content-Type: multipart/mixed; boundary="----=_NextPart_000_0019"
X-Mailer: Microsoft Outlook 16.0
""",
        f"""------=_NextPart_000_0019
Content-Type: text/plain; charset="ks_c_5601-1987"
Content-Transfer-Encoding: base64

{b64("화면 캡처입니다.".encode("cp949"))}
------=_NextPart_000_0019
Content-Type: image/png; name="=?ks_c_5601-1987?B?{base64.b64encode("화면캡처.png".encode("cp949")).decode()}?="
Content-Disposition: attachment; filename="=?ks_c_5601-1987?B?{base64.b64encode("화면캡처.png".encode("cp949")).decode()}?="
Content-Transfer-Encoding: base64

{b64(png)}
------=_NextPart_000_0019--
""",
        text_contains=["화면 캡처입니다."],
        attachments=["화면캡처.png"],
    )
    mail(
        "20_naver_html_only.eml",
        f"""{COMMON}
From: {bword("이민진")} <minjin@naver.com>
Subject: {bword("쿠폰 적용 안됨")}
Message-ID: <a1b2c3d4e5.naver-20@cweb001.nm.nhn.com>
X-Mailer: Naver Mail
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64
""",
        b64(
            (
                "<html><head><style>p{color:red}</style><script>alert(1)</script></head>"
                "<body><div>쿠폰 적용이 안 됩니다 &amp; 결제가 &lt;실패&gt;해요.</div>"
                "<table><tr><td>쿠폰</td><td>WELCOME10</td></tr></table>"
                "<p onclick='steal()'>확인 부탁드려요.</p>"
                '<img src="https://mail.naver.com/readReceipt/track.gif" width="1" height="1">'
                "</body></html>"
            ).encode()
        ),
        subject="쿠폰 적용 안됨",
        text_contains=[
            "쿠폰 적용이 안 됩니다 & 결제가 <실패>해요.",
            "WELCOME10",
            "확인 부탁드려요.",
        ],
        html_contains=["쿠폰"],
        html_excludes=["<script", "onclick", "track.gif", "color:red"],
        remote_images=["https://mail.naver.com/readReceipt/track.gif"],
    )
    mail(
        "21_apple_mail_cid_inline.eml",
        f"""{COMMON}
From: "Hana Park" <hana@icloud.com>
Subject: error screen
Message-ID: <5E1F7A2B-21@icloud.com>
X-Mailer: Apple Mail (2.3774.200.91.1.1)
Content-Type: multipart/alternative; boundary="Apple-Mail=_21A"
""",
        f"""--Apple-Mail=_21A
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{qp(APPLE_TEXT.encode())}
--Apple-Mail=_21A
Content-Type: multipart/related; type="text/html"; boundary="Apple-Mail=_21B"

--Apple-Mail=_21B
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{qp('<html><body><div>이 화면이 떠요.</div><img src="cid:F3A1@apple" alt="error"></body></html>'.encode())}
--Apple-Mail=_21B
Content-Type: image/png; name="error.png"
Content-Disposition: inline; filename="error.png"
Content-ID: <F3A1@apple>
Content-Transfer-Encoding: base64

{b64(png)}
--Apple-Mail=_21B--
--Apple-Mail=_21A--
""",
        text_contains=["이 화면이 떠요."],
        attachments=["error.png"],
        inline_images={"F3A1@apple": "error.png"},
        html_contains=['src="cid:F3A1@apple"'],
    )
    mail(
        "22_hostile_html.eml",
        f"""{COMMON}
From: attacker@example.com
Subject: hostile
Message-ID: <hostile-22@example.com>
Content-Type: text/html; charset=utf-8
""",
        '<p>Hi<iframe src="https://evil.example/x"></iframe>'
        '<a href="javascript:alert(1)">click</a>'
        '<img src="http://evil.example/pixel.gif" onerror="x()">'
        '<img src="data:image/png;base64,AAAA"></p>\n',
        text_contains=["Hi"],
        html_excludes=["iframe", "javascript:", "onerror", "pixel.gif", "data:image"],
        remote_images=["http://evil.example/pixel.gif"],
    )
    mail(
        "23_mixed_pdf_png.eml",
        f"""{COMMON}
From: docs@example.com
Subject: documents
Message-ID: <mixed-23@example.com>
Content-Type: multipart/mixed; boundary="b23"
""",
        f"""--b23
Content-Type: text/plain; charset=utf-8

서류 두 개 보냅니다.
--b23
Content-Type: application/pdf; name="contract.pdf"
Content-Disposition: attachment; filename="contract.pdf"
Content-Transfer-Encoding: base64

{b64(pdf)}
--b23
Content-Type: image/png; name="id card.png"
Content-Disposition: attachment; filename="../../etc/id card.png"
Content-Transfer-Encoding: base64

{b64(png)}
--b23--
""",
        attachments=["contract.pdf", "../../etc/id card.png"],
        stored_attachments=["contract.pdf", "id card.png"],
    )
    mail(
        "24_forwarded_rfc822.eml",
        f"""{COMMON}
From: manager@company.co.kr
Subject: Fwd: {bword("주문 오류")}
Message-ID: <fwd-24@company.co.kr>
Content-Type: multipart/mixed; boundary="b24"
""",
        """--b24
Content-Type: text/plain; charset=utf-8

고객이 보낸 메일을 전달합니다.
--b24
Content-Type: message/rfc822
Content-Disposition: attachment

From: customer@example.com
To: manager@company.co.kr
Subject: order error
Message-ID: <inner-24@example.com>
Content-Type: text/plain; charset=utf-8

The order page shows an error.
--b24--
""",
        subject="Fwd: 주문 오류",
        text_contains=["고객이 보낸 메일을 전달합니다."],
        attachments=["order error.eml"],
    )
    mail(
        "25_outlook_winmail_dat.eml",
        f"""{COMMON}
From: exchange-user@contoso.com
Subject: report
Message-ID: <tnef-25@contoso.com>
Content-Type: multipart/mixed; boundary="b25"
""",
        f"""--b25
Content-Type: text/plain; charset=us-ascii

See attached.
--b25
Content-Type: application/ms-tnef; name="winmail.dat"
Content-Disposition: attachment; filename="winmail.dat"
Content-Transfer-Encoding: base64

{b64(tnef(b"report.txt", b"quarterly numbers."))}
--b25--
""",
        text_contains=["See attached."],
        attachments=["report.txt"],
    )


def tnef(filename: bytes, data: bytes) -> bytes:
    """A minimal winmail.dat with one attached file, in the TNEF layout Outlook writes."""

    def obj(level: int, name: int, kind: int, payload: bytes) -> bytes:
        checksum = sum(payload) & 0xFFFF
        return (
            struct.pack("<BHHI", level, name, kind, len(payload))
            + payload
            + struct.pack("<H", checksum)
        )

    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += obj(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))
    out += obj(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))
    out += obj(2, 0x9002, 0x0006, b"\x01\x00" + b"\xff" * 4 + b"\x00" * 8)
    out += obj(2, 0x8010, 0x0001, filename + b"\x00")
    out += obj(2, 0x800F, 0x0006, data)
    return out
