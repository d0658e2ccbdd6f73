"""Small multipart/form-data bodies read by the ``multipart`` library, not Django's parser.

Browsers send every form with a file input as multipart, files or not: the homepage form,
its reply form, the console's reply box; the app sends its screenshots so. Django's
``MultiPartParser`` takes ~0.9 ms for a form of a dozen fields (its generator layers, per
part); ``multipart``'s push parser ~0.1 ms. This middleware reads a small body (≤ 1 MB)
that way and leaves ``request.POST`` and ``request.FILES`` as Django would have left them
(files in memory, as Django keeps any file under 2.5 MB). Anything unusual (a transfer
encoding, ``_charset_``, a file name Django would rewrite, Content-Type parameters on a
file, more parts than Django allows, a body the library refuses) is left to Django's
parser, which then reads the same bytes from ``request.body`` and answers as it always
did, errors included.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import multipart
from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict

SMALL = 1024 * 1024
UTF8 = {"utf-8", "utf8"}


class SmallFormMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            read_small_form(request)
        return self.get_response(request)


def read_small_form(request: HttpRequest) -> None:
    """Fill ``request.POST`` and ``request.FILES`` when the body is a small form."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    boundary = (request.content_params or {}).get("boundary", "")
    encoding = (request.encoding or settings.DEFAULT_CHARSET).lower()
    if not boundary or not 0 < length <= SMALL or encoding not in UTF8:
        return
    parsed = parse(request.body, boundary)
    if parsed is not None:
        # Where Django keeps what it parsed (HttpRequest._load_post_and_files).
        request._post, request._files = parsed  # type: ignore[attr-defined]


def parse(body: bytes, boundary: str) -> tuple[QueryDict, MultiValueDict] | None:
    """A multipart body's fields and files as Django would read them, or None to let
    Django read it."""
    post = QueryDict(mutable=True)
    files: MultiValueDict = MultiValueDict()
    parts = uploads = 0
    segment: multipart.MultipartSegment | None = None
    value = bytearray()
    try:
        with multipart.PushMultipartParser(boundary, content_length=len(body)) as parser:
            for event in parser.parse(body):
                if isinstance(event, multipart.MultipartSegment):
                    parts += 1
                    uploads += bool(event.filename)
                    if not _as_django_would(event, parts, uploads):
                        return None
                    segment, value = event, bytearray()
                elif event is not None:
                    value += event
                elif segment is not None and segment.name is not None:
                    # No Content-Disposition (no name): Django skips the part. An empty
                    # file input (filename="") is a field to Django, and so here.
                    name = segment.name.strip()
                    if segment.filename:
                        files.appendlist(name, _upload(name, segment, bytes(value)))
                    else:
                        post.appendlist(name, value.decode("utf-8", errors="replace"))
    except (multipart.MultipartError, ValueError):
        return None
    post._mutable = False
    return post, files


def _as_django_would(segment: multipart.MultipartSegment, parts: int, uploads: int) -> bool:
    """Whether this part reads here exactly as Django reads it."""
    max_fields, max_files = (
        settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        settings.DATA_UPLOAD_MAX_NUMBER_FILES,
    )
    disposition = segment.header("Content-Disposition") or ""
    if segment.header("Content-Transfer-Encoding") or segment.name in ("_charset_", ""):
        return False  # a name of "" may have been no name, which Django skips
    if not _quoted(disposition, " name", segment.name or ""):
        return False
    if (max_fields is not None and parts > max_fields) or (
        max_files is not None and uploads > max_files
    ):
        return False  # Django refuses it, in its words
    # Django decodes RFC 2231 names (filename*=), unescapes HTML entities, keeps the last
    # path segment and passes Content-Type parameters on; the library decodes %22 and
    # backslash escapes, which Django keeps. Such parts are left to Django.
    if "filename*" in disposition:
        return False
    if not segment.filename:
        return True
    name = segment.filename
    return (
        _quoted(disposition, "filename", name)
        and ";" not in (segment.header("Content-Type") or "")
        and not any(ch in name for ch in "&/\\%")
        and name.isprintable()
        and name not in (".", "..")
    )


def _quoted(header: str, param: str, value: str) -> bool:
    """Whether the header has ``param="value"`` as is: nothing unescaped or cut."""
    token = f'{param}="{value}"'
    return header.endswith(token) or f"{token};" in header


def _upload(
    field_name: str, segment: multipart.MultipartSegment, content: bytes
) -> InMemoryUploadedFile:
    return InMemoryUploadedFile(
        file=io.BytesIO(content),
        field_name=field_name,
        name=segment.filename,
        content_type=(segment.header("Content-Type") or "").strip(),
        size=len(content),
        charset=None,
        content_type_extra={},
    )
