"""An HTML mail shows its inline images in place; remote ones only when the agent allows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sangdam.connectors.email.htmlbody import render_html
from sangdam.connectors.email.parse import parse_email

CORPUS = Path(__file__).parent / "corpus"


def stored(name: str) -> tuple[str, dict[str, Any]]:
    parsed = parse_email((CORPUS / name).read_bytes(), channel_id=1)
    assert parsed.inbound is not None
    return parsed.inbound.html, parsed.inbound.message_metadata["email"]


def no_inline(content_id: str) -> str | None:
    return None


def test_remote_images_stay_unloaded_until_the_agent_allows():
    html, meta = stored("20_naver_html_only.eml")

    shown = render_html(html, remote_images=meta["remote_images"], inline_url=no_inline)

    assert "track.gif" not in shown
    assert "<img" in shown and "src=" not in shown


def test_allowed_remote_images_appear_where_the_sender_put_them():
    html, meta = stored("20_naver_html_only.eml")

    shown = render_html(
        html, remote_images=meta["remote_images"], inline_url=no_inline, allow_remote=True
    )

    assert '<img src="https://mail.naver.com/readReceipt/track.gif"' in shown
    assert shown.index("확인 부탁드려요") < shown.index("track.gif")


def test_inline_images_point_at_their_stored_attachment():
    html, meta = stored("21_apple_mail_cid_inline.eml")
    inline = meta["inline_images"]

    shown = render_html(
        html,
        remote_images=[],
        inline_url=lambda cid: f"/console/attachments/by-name/{inline[cid]}",
    )

    assert 'src="/console/attachments/by-name/error.png"' in shown


def test_a_sender_cannot_plant_our_remote_image_placeholder():
    raw = (
        b"From: a@example.com\r\nMessage-ID: <plant@example.com>\r\n"
        b"Content-Type: text/html\r\n\r\n"
        b'<p>hi</p><img src="cid:sangdam-remote-0"><img src="https://evil.example/x.gif">'
    )
    parsed = parse_email(raw, channel_id=1)
    assert parsed.inbound is not None

    shown = render_html(
        parsed.inbound.html,
        remote_images=parsed.inbound.message_metadata["email"]["remote_images"],
        inline_url=no_inline,
        allow_remote=True,
    )

    assert shown.count("<img") == 2
    assert shown.count("evil.example") == 1


def test_a_script_address_in_the_metadata_is_never_rendered():
    shown = render_html(
        '<img src="cid:sangdam-remote-0">',
        remote_images=["javascript:alert(1)"],
        inline_url=no_inline,
        allow_remote=True,
    )

    assert "javascript" not in shown
