"""Every API error is an RFC 9457 problem document with a stable ``code``.

Integrators branch on ``code`` (never on ``title`` or ``detail``, which are translated
prose). Ninja's own errors — failed authentication, request validation, 404 — are
mapped here too, so a client never has to parse two error shapes.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from sangdam.api.bodies import body_refusal
from sangdam.tickets.errors import DomainError, InvalidTransition, PermissionDenied
from sangdam.tickets.selectors import InvalidQuery

log = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:sangdam:problem:"

# Domain refusals that are not plain "your input is wrong".
DOMAIN_STATUS: dict[str, int] = {
    InvalidTransition.code: 409,
    PermissionDenied.code: 403,
    "already_merged": 409,
    "merge_target_closed": 409,
}

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Permission denied",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Unprocessable request",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Internal error",
}


class ApiError(Exception):
    """Raised by endpoints for a refusal that has no domain exception of its own."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def validation_error(field: str, message: str) -> ApiError:
    """A 422 naming the one field that is wrong (checks done outside the schema)."""
    return ApiError(
        422,
        "validation_error",
        _("The request is not valid."),
        errors=[{"field": field, "message": message}],
    )


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", _("%(what)s was not found.") % {"what": what})


def problem(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    body = {
        "type": TYPE_PREFIX + code,
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_name(loc: Sequence[Any], body_params: Iterable[str]) -> str:
    """("body", "payload", "customer", "email") → "customer.email"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form", "file"):
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in body_params:
        parts = parts[1:]
    return ".".join(parts) or "body"


def www_authenticate() -> str:
    schemes = ['Bearer realm="sangdam"']
    if settings.API_ALLOW_BASIC_AUTH:
        schemes.append('Basic realm="sangdam", charset="UTF-8"')
    return ", ".join(schemes)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def nul_field(request: HttpRequest) -> str | None:
    """The first path part, query or form field holding a NUL, if any (JSON: see bodies)."""
    if "\x00" in request.path:
        return "path"
    for name, values in request.GET.lists():
        if _has_nul(name) or _has_nul(values):
            return name.replace("\x00", "")
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # Form fields only: uploaded files may hold any bytes.
        for name, values in request.POST.lists():
            if _has_nul(name) or _has_nul(values):
                return name.replace("\x00", "")
    return None


class ProblemAPI(NinjaAPI):
    """A NinjaAPI whose 405s and unknown paths are problem documents too.

    Ninja answers those outside its exception handlers (a bare 405, Django's 404 page),
    so the URL patterns are wrapped instead.
    """

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._check_body(
                    self._refuse_nul(self._problem_405(pattern.callback))
                )
        patterns.append(re_path(r"^.*$", self._unknown_path))
        return patterns

    def _problem_405(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code != 405 or not isinstance(response, HttpResponseNotAllowed):
                return response
            return problem(
                self,
                request,
                status=405,
                code="method_not_allowed",
                detail=_("This path does not accept %(method)s.") % {"method": request.method},
                headers={"Allow": response["Allow"]},
            )

        return wrapped

    def _refuse_nul(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """NUL characters are refused up front (422 naming the field).

        PostgreSQL cannot store or even compare text containing NUL, so such input would
        otherwise surface as a 500 from deep inside a query (found by schemathesis).
        """

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            field = nul_field(request)
            if field is None:
                return view(request, *args, **kwargs)
            return problem(
                self,
                request,
                status=422,
                code="validation_error",
                detail=_("The request is not valid."),
                errors=[{"field": field, "message": "must not contain NUL characters"}],
            )

        return wrapped

    def _check_body(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """Bodies the API never parses (see :mod:`sangdam.api.bodies`), before authentication."""

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refusal = body_refusal(request)
            if refusal is None:
                return view(request, *args, **kwargs)
            return problem(
                self,
                request,
                status=refusal.status,
                code=refusal.code,
                detail=refusal.detail,
                **refusal.extra,
            )

        return wrapped

    def _unknown_path(self, request: HttpRequest) -> HttpResponse:
        return problem(
            self, request, status=404, code="not_found", detail=_("No API endpoint has this path.")
        )


def install_problem_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers; the most specific class wins (MRO lookup)."""

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return problem(
            api,
            request,
            status=exc.status,
            code=exc.code,
            detail=exc.detail,
            headers=exc.headers,
            **exc.extra,
        )

    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        status = DOMAIN_STATUS.get(exc.code, 422)
        return problem(api, request, status=status, code=exc.code, detail=exc.message)

    def on_invalid_query(request: HttpRequest, exc: InvalidQuery) -> HttpResponse:
        return problem(api, request, status=422, code="invalid_query", detail=str(exc))

    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {
                "field": _field_name(e.get("loc", ()), ("payload",)),
                "message": str(e.get("msg", "")).removeprefix("Value error, "),
            }
            for e in exc.errors
        ]
        return problem(
            api,
            request,
            status=422,
            code="validation_error",
            detail=_("The request is not valid."),
            errors=errors,
        )

    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(
            api,
            request,
            status=401,
            code="unauthenticated",
            detail=_("Send a valid API token as 'Authorization: Bearer <token>'."),
            headers={"WWW-Authenticate": www_authenticate()},
        )

    def on_forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return problem(api, request, status=403, code="permission_denied", detail=str(exc))

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        headers = {"Retry-After": str(exc.wait)} if exc.wait else {}
        return problem(
            api,
            request,
            status=429,
            code="rate_limited",
            detail=_("Too many requests; slow down."),
            headers=headers,
        )

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        return problem(api, request, status=exc.status_code, code=code, detail=str(exc))

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(api, request, status=404, code="not_found", detail=_("Not found."))

    def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # SQLite cannot bind integers beyond 64 bits; such a number cannot name anything.
        return problem(
            api,
            request,
            status=422,
            code="validation_error",
            detail=_("The request is not valid."),
            errors=[{"field": "query", "message": "a number is out of range"}],
        )

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("API error on %s %s", request.method, request.path)
        return problem(
            api,
            request,
            status=500,
            code="internal_error",
            detail=_("Something went wrong on our side; the request may be retried."),
        )

    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (ApiError, on_api_error),
        (DomainError, on_domain_error),
        (InvalidQuery, on_invalid_query),
        (NinjaValidationError, on_validation),
        (AuthenticationError, on_unauthenticated),
        (AuthorizationError, on_forbidden),
        (Throttled, on_throttled),
        (HttpError, on_http_error),
        (Http404, on_404),
        (OverflowError, on_overflow),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
