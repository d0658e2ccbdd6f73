"""What the APIs accept as a request body, checked before authentication and parsing.

- JSON comes as ``application/json`` (or a ``+json`` type). A JSON body sent as
  ``text/plain`` is what a cross-site HTML form can post without a CORS preflight, so any
  other type is refused (415) instead of being parsed as JSON anyway.
- JSON nested deeper than :data:`MAX_JSON_DEPTH` is refused (400): 100,000 levels make
  Python's parser raise ``RecursionError`` (a 500), and a few hundred would still reach
  recursive code further in. No request we document nests more than a few levels.
- Text holding NUL is refused (422): PostgreSQL cannot store or compare it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

MAX_JSON_DEPTH = 32
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)


def is_json_type(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


def _has_body(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return length > 0 or "chunked" in str(request.META.get("HTTP_TRANSFER_ENCODING", ""))


def _depth_and_nul(value: Any) -> tuple[int, bool]:
    """The nesting depth of a parsed JSON value and whether any string holds NUL.

    Iterative, so it cannot itself run out of stack on the values it is there to refuse.
    """
    deepest, nul = 0, False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            for key, inner in item.items():
                nul = nul or "\x00" in key
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, str):
            nul = nul or "\x00" in item
    return deepest, nul


def _too_deep() -> Refusal:
    return Refusal(
        400,
        "json_too_deep",
        _("The JSON body is nested more than %(levels)d levels deep.") % {"levels": MAX_JSON_DEPTH},
    )


def body_refusal(request: HttpRequest) -> Refusal | None:
    """Why the body of ``request`` is refused before anything else reads it, if it is."""
    if request.method not in BODY_METHODS or not _has_body(request):
        return None
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        return None  # form fields are checked for NUL by the caller; files may hold any bytes
    if not is_json_type(content_type):
        return Refusal(
            415,
            "unsupported_media_type",
            _("Send the request body as application/json (it was %(type)s).")
            % {"type": content_type or "untyped"},
        )
    try:
        parsed = json.loads(request.body)
    except RecursionError:
        return _too_deep()
    except ValueError:
        return None  # not JSON at all: the endpoint's own validation answers
    depth, nul = _depth_and_nul(parsed)
    if depth > MAX_JSON_DEPTH:
        return _too_deep()
    if nul:
        return Refusal(
            422,
            "validation_error",
            _("The request is not valid."),
            {"errors": [{"field": "body", "message": "must not contain NUL characters"}]},
        )
    return None
