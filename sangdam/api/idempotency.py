"""``Idempotency-Key``: a client may retry a POST without fear of acting twice.

The first answer is stored per (agent, key) with a hash of the request. A replay with the
same body gets the stored answer; the same key with another body is refused (422
``idempotency_conflict``): the client has a bug, and guessing which body it meant would
hide it.

Two modes, because the work differs:

- ``atomic=True`` runs the action and stores the key in one transaction. Two concurrent
  requests with one key then serialize on the key's unique index: the loser rolls back
  its action and answers with the winner's stored result. Used for replies.
- ``atomic=False`` stores the key after the action committed. Used for ticket creation,
  which dedupes on its own (the intake's unique (channel, external id), with the key in
  the external id) and does CPU-heavy language detection we must not run while holding
  SQLite's write lock.

``run_idempotent_inside`` is the second mode with one transaction instead of two: the
action stores the answer itself, inside its own transaction (the intake's ``then``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from sangdam.accounts.models import User
from sangdam.api.errors import ApiError, validation_error
from sangdam.api.models import IdempotencyKey
from sangdam.core.compiled import MARKER, CompiledQuery
from sangdam.core.inserts import insert

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200

Outcome = tuple[int, dict[str, Any]]
# Stores the answer (status, body): given to an action that does so in its own transaction.
Keep = Callable[[int, dict[str, Any]], None]


@dataclass(frozen=True)
class Result:
    status: int
    body: dict[str, Any]
    replayed: bool = False


def respond(result: Result) -> HttpResponse:
    """Send the stored (or just stored) JSON as is: a replay is byte-for-byte the same."""
    response = HttpResponse(
        json.dumps(result.body, ensure_ascii=False),
        status=result.status,
        content_type="application/json; charset=utf-8",
    )
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def idempotency_key(request: HttpRequest) -> str:
    """The request's key ('' when none), checked for a sane length and alphabet."""
    key = request.headers.get(HEADER, "").strip()
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise validation_error(
            HEADER, _("Use at most %(n)d printable characters.") % {"n": MAX_KEY_LENGTH}
        )
    return key


def request_hash(request: HttpRequest, payload: dict[str, Any]) -> str:
    # The parsed body, not the raw bytes: whitespace or key order is not a different request.
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def _replay(stored: StoredAnswer, digest: str) -> Result:
    if stored.request_hash != digest:
        raise ApiError(
            422,
            "idempotency_conflict",
            _("This Idempotency-Key was already used for a different request."),
        )
    return Result(stored.response_status, stored.response_body, replayed=True)


# Every keyed POST looks its key up: compiled once (core/compiled.py); the markers are
# values no user id or key has.
_KEY = "\x00key"
_ONE_KEY = CompiledQuery(
    IdempotencyKey,
    lambda user_id, key: IdempotencyKey.objects.filter(user_id=user_id, key=key).order_by("pk")[:1],
    MARKER,
    _KEY,
)


def _lookup(user: User, key: str) -> IdempotencyKey | None:
    return next(iter(_ONE_KEY.objects(user.pk, key)), None)


def run_idempotent(
    request: HttpRequest,
    *,
    user: User,
    key: str,
    payload: dict[str, Any],
    action: Callable[[], Outcome],
    atomic: bool,
) -> Result:
    """Run ``action`` once per key; return its (status, body) or the stored one."""
    return run_idempotent_in(
        request,
        lookup=lambda: _lookup(user, key),
        store=lambda digest, status, body: _store(user, key, digest, status, body),
        key=key,
        payload=payload,
        action=action,
        atomic=atomic,
    )


class StoredAnswer(Protocol):
    @property
    def request_hash(self) -> str: ...
    @property
    def response_status(self) -> int: ...
    @property
    def response_body(self) -> Any: ...


def run_idempotent_in(
    request: HttpRequest,
    *,
    lookup: Callable[[], StoredAnswer | None],
    store: Callable[[str, int, dict[str, Any]], None],
    key: str,
    payload: dict[str, Any],
    action: Callable[[], Outcome],
    atomic: bool,
) -> Result:
    """:func:`run_idempotent` for callers that keep keys in their own table.

    The app API's callers are app users, not agents, so it scopes keys by app and user
    in a table of its own; ``lookup`` finds the stored answer for this key, ``store``
    saves one (and must raise IntegrityError when a concurrent request saved it first).
    """
    if not key:
        return Result(*action())

    def together(keep: Keep) -> Outcome:
        with transaction.atomic():
            status, body = action()
            keep(status, body)
        return status, body

    return run_idempotent_inside(
        request,
        lookup=lookup,
        store=store,
        key=key,
        payload=payload,
        # Not kept by the action: stored after it, in a transaction of its own.
        action=together if atomic else lambda keep: action(),
    )


def run_idempotent_inside(
    request: HttpRequest,
    *,
    lookup: Callable[[], StoredAnswer | None],
    store: Callable[[str, int, dict[str, Any]], None],
    key: str,
    payload: dict[str, Any],
    action: Callable[[Keep], Outcome],
) -> Result:
    """:func:`run_idempotent_in` with ``atomic=False``, for an action that commits its own
    transaction and calls ``keep(status, body)`` inside it: the answer is stored with the
    work, one commit instead of two. An action that did not call it (it found its work
    done already: a repeat whose answer was never stored) has the answer stored after."""
    if not key:
        return Result(*action(lambda status, body: None))
    digest = request_hash(request, payload)
    stored = lookup()
    if stored is not None:
        return _replay(stored, digest)
    kept = False

    def keep(status: int, body: dict[str, Any]) -> None:
        nonlocal kept
        store(digest, status, body)
        kept = True

    try:
        status, body = action(keep)
        if not kept:
            with transaction.atomic():
                store(digest, status, body)
    except IntegrityError:
        # A concurrent request with the same key won; answer as it did.
        stored = lookup()
        if stored is None:
            raise
        return _replay(stored, digest)
    return Result(status, body)


def _store(user: User, key: str, digest: str, status: int, body: dict[str, Any]) -> None:
    insert(
        IdempotencyKey(
            user=user, key=key, request_hash=digest, response_status=status, response_body=body
        )
    )
