"""Request plumbing of the app API: strict multipart parsing, files, metadata, idempotency.

Kept apart from the endpoints so :mod:`.api` reads as what each endpoint does.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from sangdam.api.errors import ApiError, validation_error
from sangdam.api.idempotency import (
    Keep,
    Outcome,
    StoredAnswer,
    idempotency_key,
    respond,
    run_idempotent_in,
    run_idempotent_inside,
)
from sangdam.appapi.schemas import MAX_FILES, METADATA_MAX_ITEMS
from sangdam.connectors.app.auth import AppCaller
from sangdam.connectors.app.models import AppIdempotencyKey
from sangdam.connectors.base import InboundAttachment
from sangdam.core.compiled import MARKER, CompiledQuery
from sangdam.core.inserts import insert
from sangdam.tickets.attachments import AttachmentRejected, CheckedAttachment, check_attachments

# Every keyed request looks its key up: compiled once (core/compiled.py); the markers are
# values no app id, principal or key has.
_PRINCIPAL, _KEY = "\x00principal", "\x00key"
_ONE_KEY = CompiledQuery(
    AppIdempotencyKey,
    lambda app_id, principal, key: AppIdempotencyKey.objects.filter(
        app_id=app_id, principal=principal, key=key
    ).order_by("pk")[:1],
    MARKER,
    _PRINCIPAL,
    _KEY,
)


def _key_table(
    request: HttpRequest, caller: AppCaller
) -> tuple[str, Callable[[], StoredAnswer | None], Callable[[str, int, dict[str, Any]], None]]:
    """The request's key, and how to look up and store its answer (per app and user)."""
    key = idempotency_key(request)

    def lookup() -> StoredAnswer | None:
        return next(iter(_ONE_KEY.objects(caller.app.pk, caller.principal, key)), None)

    def store(digest: str, status: int, body: dict[str, Any]) -> None:
        insert(
            AppIdempotencyKey(
                app=caller.app,
                principal=caller.principal,
                key=key,
                request_hash=digest,
                response_status=status,
                response_body=body,
            )
        )

    return key, lookup, store


def idempotent(
    request: HttpRequest, caller: AppCaller, payload: dict[str, Any], action: Any
) -> HttpResponse:
    """The action and its stored answer in one transaction (run_idempotent_in, atomic)."""
    key, lookup, store = _key_table(request, caller)
    result = run_idempotent_in(
        request, lookup=lookup, store=store, key=key, payload=payload, action=action, atomic=True
    )
    return respond(result)


def idempotent_intake(
    request: HttpRequest,
    caller: AppCaller,
    payload: dict[str, Any],
    action: Callable[[Keep], Outcome],
) -> HttpResponse:
    """An intake, which stores its answer inside its own transaction (``keep``)."""
    key, lookup, store = _key_table(request, caller)
    result = run_idempotent_inside(
        request, lookup=lookup, store=store, key=key, payload=payload, action=action
    )
    return respond(result)


def only_fields(request: HttpRequest, allowed: set[str]) -> None:
    """Multipart forms are strict too: an unknown field is a 422 naming it."""
    for name in [*request.POST.keys(), *request.FILES.keys()]:
        if name not in allowed:
            raise validation_error(name, "unknown field")


def files(request: HttpRequest) -> list[CheckedAttachment]:
    uploads = request.FILES.getlist("files")
    if len(uploads) > MAX_FILES:
        raise ApiError(
            422,
            "too_many_attachments",
            _("At most %(count)d files can be attached.") % {"count": MAX_FILES},
            errors=[{"field": "files", "message": f"at most {MAX_FILES} files"}],
        )
    files = [(u.name or "attachment", u.read()) for u in uploads]
    try:
        # Type by content, size limits: refused before anything is stored.
        return check_attachments(files)
    except AttachmentRejected as exc:
        raise ApiError(
            422, exc.code, exc.message, errors=[{"field": "files", "message": exc.message}]
        ) from exc


def metadata(raw: str) -> dict[str, str]:
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise validation_error("metadata", "not valid JSON") from exc
    if not isinstance(value, dict):
        raise validation_error("metadata", "must be a JSON object")
    if len(value) > METADATA_MAX_ITEMS:
        raise validation_error("metadata", f"at most {METADATA_MAX_ITEMS} entries")
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(item, str | int | float | bool) or item is None:
            raise validation_error(f"metadata.{key}", "must be a string, number or boolean")
        if "\x00" in key or "\x00" in str(item):
            raise validation_error(f"metadata.{key}", "must not contain NUL characters")
        if len(key) > 100 or len(str(item)) > 1000:
            raise validation_error(f"metadata.{key}", "keys up to 100, values up to 1000 chars")
        out[str(key)] = str(item)
    return out


def payload(form: dict[str, Any], files: list[CheckedAttachment]) -> dict[str, Any]:
    """What the Idempotency-Key hash covers: the fields and each file's content hash."""
    return {"form": form, "files": [[f.filename, f.sha256] for f in files]}


def external_id(caller: AppCaller, key: str) -> str:
    # Keys are per app and user: two users reusing a key get two inquiries.
    if not key:
        return f"app:{uuid.uuid4().hex}"
    digest = hashlib.sha256(f"{caller.app.pk}:{caller.principal}:{key}".encode()).hexdigest()
    return f"app:{digest}"


def attachments(files: list[CheckedAttachment]) -> tuple[InboundAttachment, ...]:
    """Checked once here: the intake takes the sniffed type and hash as they are."""
    return tuple(
        InboundAttachment(f.filename, f.content_type, f.content, sha256=f.sha256) for f in files
    )
