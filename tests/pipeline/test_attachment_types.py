"""An attachment's type comes from its content: the common images by their signatures,
everything else by puremagic, and the two agree."""

from __future__ import annotations

import os

import puremagic
import pytest

from sangdam.tickets.attachments import AttachmentRejected, check_attachment

IMAGES = {
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "jpeg (JFIF)": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "jpeg (Exif)": b"\xff\xd8\xff\xe1\x10\x00Exif\x00\x00",
    "jpeg (raw)": b"\xff\xd8\xff\xdb\x00\x43",
    "gif 87a": b"GIF87a",
    "gif 89a": b"GIF89a",
    "webp": b"RIFF\x10\x00\x00\x00WEBPVP8 ",
    "webp (lossless)": b"RIFF\x10\x00\x00\x00WEBPVP8L",
}


@pytest.mark.parametrize("start", IMAGES.values(), ids=IMAGES.keys())
def test_a_common_image_gets_the_type_puremagic_gives(start: bytes) -> None:
    content = start + os.urandom(600)
    expected = next(m.mime_type for m in puremagic.magic_string(content) if m.mime_type)
    assert check_attachment("photo.bin", content).content_type == expected


def test_a_gif_that_is_also_a_page_is_a_gif() -> None:
    content = b"GIF89a<html><script>alert(1)</script></html>"
    assert check_attachment("invoice.html", content).content_type == "image/gif"


def test_other_types_are_told_by_puremagic() -> None:
    assert check_attachment("a.pdf", b"%PDF-1.7\n" + os.urandom(600)).content_type == (
        "application/pdf"
    )
    with pytest.raises(AttachmentRejected):
        check_attachment("a.exe", b"MZ\x90\x00" + os.urandom(600))
