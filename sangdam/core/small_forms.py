"""Small multipart/form-data bodies read by the ``multipart`` library, not Django's parser.

Browsers send every form with a file input as multipart, files or not: the homepage form,
its reply form, the console's reply box. Django's ``MultiPartParser`` takes ~0.9 ms for
such a form of a dozen fields (its generator layers, per part); ``multipart``'s push
parser ~0.1 ms. This middleware reads a small body (≤ 64 KB, no file in it) that way and
leaves ``request.POST`` and ``request.FILES`` as Django would have left them. Anything
else (a file, a transfer encoding, ``_charset_``, too many fields, a body the library
refuses) is left to Django's parser, which then reads the same bytes from
``request.body`` and answers as it always did, errors included.
"""

from __future__ import annotations

from collections.abc import Callable

import multipart
from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict

SMALL = 64 * 1024
UTF8 = {"utf-8", "utf8"}


class SmallFormMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            read_small_form(request)
        return self.get_response(request)


def read_small_form(request: HttpRequest) -> None:
    """Fill ``request.POST`` (and an empty ``FILES``) when the body is a small form."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    boundary = (request.content_params or {}).get("boundary", "")
    encoding = (request.encoding or settings.DEFAULT_CHARSET).lower()
    if not boundary or not 0 < length <= SMALL or encoding not in UTF8:
        return
    post = parse(request.body, boundary)
    if post is not None:
        # Where Django keeps what it parsed (HttpRequest._load_post_and_files).
        request._post = post  # type: ignore[attr-defined]
        request._files = MultiValueDict()  # type: ignore[attr-defined]


def parse(body: bytes, boundary: str) -> QueryDict | None:
    """The fields of a multipart body as Django would read them, or None to let Django."""
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    post = QueryDict(mutable=True)
    parts = 0
    name: str | None = None
    value = bytearray()
    try:
        with multipart.PushMultipartParser(boundary, content_length=len(body)) as parser:
            for event in parser.parse(body):
                if isinstance(event, multipart.MultipartSegment):
                    parts += 1
                    if event.filename or event.header("Content-Transfer-Encoding"):
                        return None  # a file, or encoded: Django's own handling
                    if limit is not None and parts > limit:
                        return None  # Django refuses it, in its words
                    # No Content-Disposition: Django skips the part. An empty file
                    # input (filename="") is a field to Django, and so here.
                    name = None if event.name is None else event.name.strip()
                    if name == "_charset_":
                        return None
                    value = bytearray()
                elif event is None:
                    if name is not None:
                        post.appendlist(name, value.decode("utf-8", errors="replace"))
                else:
                    value += event
    except (multipart.MultipartError, ValueError):
        return None
    post._mutable = False
    return post
