"""Small multipart forms read by the `multipart` library read exactly as Django reads them."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory
from django.test.client import BOUNDARY, encode_multipart

from sangdam.core.small_forms import SmallFormMiddleware, parse

B = "----form-boundary"


def part(name: str, value: str, extra: str = "") -> str:
    return f'--{B}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n{value}\r\n'


def body(*parts: str) -> bytes:
    return ("".join(parts) + f"--{B}--\r\n").encode()


def django_reads(raw: bytes, boundary: str = B) -> QueryDict:
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(len(raw)),
    }
    post, _files = MultiPartParser(meta, io.BytesIO(raw), [MemoryFileUploadHandler()]).parse()
    return post


@pytest.mark.parametrize(
    "raw",
    [
        body(part("name", "고객 1"), part("email", "c@example.com"), part("lang", "ko")),
        body(part("tag", "a"), part("tag", "b"), part("empty", "")),
        body(part("description", "결제가\r\n두 번 되었어요.\r\n\r\n")),
        # A browser's empty file input: a field with an empty value to Django.
        body(
            part("a", "1"),
            part("file", "", '; filename=""\r\nContent-Type: application/octet-stream'),
        ),
        body(),
    ],
)
def test_a_small_form_reads_as_django_reads_it(raw: bytes) -> None:
    ours = parse(raw, B)
    assert ours is not None
    assert dict(ours.lists()) == dict(django_reads(raw).lists())
    assert not ours._mutable


def test_the_test_clients_encoding_reads_the_same() -> None:
    raw = encode_multipart(BOUNDARY, {"name": "김민수", "consent": "on", "topic": ["a", "b"]})
    ours = parse(raw, BOUNDARY)
    assert ours is not None
    assert dict(ours.lists()) == dict(django_reads(raw, BOUNDARY).lists())


@pytest.mark.parametrize(
    "raw",
    [
        body(part("file", "hello", '; filename="a.txt"\r\nContent-Type: text/plain')),
        body(part("a", "MQ==", "\r\nContent-Transfer-Encoding: base64")),
        body(part("_charset_", "euc-kr"), part("a", "1")),
        body(f"--{B}\r\nContent-Type: text/plain\r\n\r\nno disposition\r\n", part("a", "1")),
        body(part("a", "1"))[:-12],  # cut off before the closing boundary
    ],
)
def test_files_encodings_and_broken_bodies_are_left_to_django(raw: bytes) -> None:
    assert parse(raw, B) is None


def respond_with_post(request: HttpRequest) -> HttpResponse:
    files = {
        name: upload.read().decode()
        for name in request.FILES
        for upload in request.FILES.getlist(name)
    }
    return HttpResponse(repr((sorted(request.POST.lists()), files)))


def test_the_middleware_leaves_a_form_with_a_file_to_django() -> None:
    upload = SimpleUploadedFile("note.txt", b"file body", content_type="text/plain")
    request = RequestFactory().post("/contact/new", {"name": "고객", "file": upload})
    answer = SmallFormMiddleware(respond_with_post)(request)
    assert answer.content.decode() == repr(([("name", ["고객"])], {"file": "file body"}))


def test_the_middleware_reads_a_small_form() -> None:
    request = RequestFactory().post("/contact/new", {"name": "고객", "tag": ["a", "b"]})
    answer = SmallFormMiddleware(respond_with_post)(request)
    assert answer.content.decode() == repr(([("name", ["고객"]), ("tag", ["a", "b"])], {}))
    assert hasattr(request, "_post")  # read by the middleware, not on first use
