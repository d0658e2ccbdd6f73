"""Small multipart forms read by the `multipart` library read exactly as Django reads them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory
from django.test.client import BOUNDARY, encode_multipart

from sangdam.core.small_forms import SmallFormMiddleware, parse, read_small_form

B = "----form-boundary"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def part(name: str, value: str, extra: str = "") -> bytes:
    head = f'--{B}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'
    return head.encode() + value.encode() + b"\r\n"


def file_part(name: str, filename: str, content: bytes, content_type: str = "image/png") -> bytes:
    head = (
        f'--{B}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    )
    return head.encode() + content + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{B}--\r\n".encode()


def read(post: Any, files: Any) -> tuple[dict[str, list[str]], dict[str, list[tuple[Any, ...]]]]:
    """What a view sees: the fields, and each file's name, type, size and content."""
    uploads = {
        name: [(f.name, f.content_type, f.size, f.charset, f.read()) for f in files.getlist(name)]
        for name in files
    }
    return dict(post.lists()), uploads


def django_reads(raw: bytes, boundary: str = B) -> tuple[Any, Any]:
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(len(raw)),
    }
    return read(*MultiPartParser(meta, io.BytesIO(raw), [MemoryFileUploadHandler()]).parse())


@pytest.mark.parametrize(
    "raw",
    [
        body(part("name", "고객 1"), part("email", "c@example.com"), part("lang", "ko")),
        body(part("tag", "a"), part("tag", "b"), part("empty", "")),
        body(part("description", "결제가\r\n두 번 되었어요.\r\n\r\n")),
        # A browser's empty file input: a field with an empty value to Django.
        body(part("a", "1"), file_part("file", "", b"", "application/octet-stream")),
        body(part("text", "앱이 멈춰요"), file_part("files", "스크린샷 1.png", PNG)),
        body(file_part("f", "semi;colon=it's.png", PNG)),
        body(file_part("files", "a.png", PNG), file_part("files", "b.txt", b"hi", "text/plain")),
        body(),
    ],
)
def test_a_small_form_reads_as_django_reads_it(raw: bytes) -> None:
    ours = parse(raw, B)
    assert ours is not None
    assert read(*ours) == django_reads(raw)
    assert not ours[0]._mutable


def test_the_test_clients_encoding_reads_the_same() -> None:
    upload = SimpleUploadedFile("메모.txt", b"file body", content_type="text/plain")
    data = {"name": "김민수", "consent": "on", "topic": ["a", "b"], "file": upload}
    raw = encode_multipart(BOUNDARY, data)
    ours = parse(raw, BOUNDARY)
    assert ours is not None
    assert read(*ours) == django_reads(raw, BOUNDARY)


@pytest.mark.parametrize(
    "raw",
    [
        body(part("a", "MQ==", "\r\nContent-Transfer-Encoding: base64")),
        body(part("_charset_", "euc-kr"), part("a", "1")),
        body(part("", "no name")),
        body(b"--" + B.encode() + b"\r\nContent-Type: text/plain\r\n\r\nno disposition\r\n"),
        body(file_part("f", "../../etc/passwd", b"x", "text/plain")),
        body(file_part("f", "a&amp;b.png", PNG)),
        body(file_part("f", "a%22b.png", PNG)),  # Django keeps %22, the library decodes it
        body(file_part("f", 'a"b.png', PNG)),
        body(part('a"b', "1")),
        body(file_part("f", "a.txt", b"x", "text/plain; charset=utf-8")),
        body(part("a", "1", "; filename*=UTF-8''%ED%95%9C.txt")),
        body(part("a", "1"))[:-12],  # cut off before the closing boundary
    ],
)
def test_unusual_parts_and_broken_bodies_are_left_to_django(raw: bytes) -> None:
    assert parse(raw, B) is None


def respond_with_post(request: HttpRequest) -> HttpResponse:
    return HttpResponse(repr(read(request.POST, request.FILES)))


def test_the_middleware_reads_a_small_form_with_a_file() -> None:
    upload = SimpleUploadedFile("note.txt", b"file body", content_type="text/plain")
    request = RequestFactory().post("/contact/new", {"name": "고객", "file": upload})
    answer = SmallFormMiddleware(respond_with_post)(request)
    expected = ({"name": ["고객"]}, {"file": [("note.txt", "text/plain", 9, None, b"file body")]})
    assert answer.content.decode() == repr(expected)
    assert hasattr(request, "_post")  # read by the middleware, not by Django on first use


def test_a_large_body_is_left_to_django() -> None:
    upload = SimpleUploadedFile("big.bin", b"x" * (1024 * 1024 + 1), content_type="image/png")
    request = RequestFactory().post("/contact/new", {"name": "고객", "file": upload})
    read_small_form(request)
    assert not hasattr(request, "_post")
    assert request.POST["name"] == "고객"
    assert [f.size for f in request.FILES.getlist("file")] == [1024 * 1024 + 1]
