"""Helpers shared by the portal's views: the customer's language and the refusal pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from sangdam.core import ratelimit

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def use_language(request: HttpRequest) -> str:
    """?lang= (or a form's hidden lang) wins over Accept-Language; returns the explicit one."""
    lang = str(request.GET.get("lang") or "")[:5]
    if not lang and request.method == "POST" and not too_large(request):
        lang = str(request.POST.get("lang") or "")[:5]
    if lang in LANGUAGE_CODES:
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        return lang
    return ""


def page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context.setdefault("lang", use_language(request))
    return render(request, template, context, status=status)


def refused(request: HttpRequest, *, status: int, title: str, text: str) -> HttpResponse:
    response = page(request, "portal/refused.html", {"title": title, "text": text}, status=status)
    if status == 429:
        response["Retry-After"] = str(settings.PORTAL_RATE_LIMIT_WINDOW)
    return response


def too_large(request: HttpRequest) -> bool:
    """Whether the request body is over what the form accepts (checked before reading it)."""
    limit = settings.PORTAL_MAX_FILES * settings.ATTACHMENT_MAX_BYTES + 2 * 1024 * 1024
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit
    except ValueError:
        return True


def upload_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse an oversized body before anything reads it, then check CSRF as usual.

    Django's CSRF middleware reads ``request.POST`` (the whole multipart body, spooled
    to disk) before the view runs; on upload views the size check must come first.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            if too_large(request):
                return refused(
                    request,
                    status=413,
                    title=_("Files too large"),
                    text=_(
                        "Together your files are larger than we accept. Attach at most "
                        "%(count)d files of up to %(mb)d MB each."
                    )
                    % {
                        "count": settings.PORTAL_MAX_FILES,
                        "mb": settings.ATTACHMENT_MAX_BYTES // 2**20,
                    },
                )
            rejected = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(
                request, view, args, kwargs
            )
            if rejected is not None:
                return rejected
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)


def within_limits(counted: list[tuple[str, str, int]]) -> bool:
    """``within_limit`` for several (scope, key, limit), counted together (one round trip
    to Redis in scaled mode); False if any is over."""
    verdicts = ratelimit.hit_many(
        [(f"portal:{scope}", key, limit) for scope, key, limit in counted],
        window=settings.PORTAL_RATE_LIMIT_WINDOW,
    )
    return all(verdicts)


def within_limit(scope: str, key: str, limit: int) -> bool:
    """Count one portal submission of ``key`` (an IP, an email); False once over ``limit``."""
    verdict = ratelimit.hit(
        f"portal:{scope}", key, limit=limit, window=settings.PORTAL_RATE_LIMIT_WINDOW
    )
    return verdict.allowed
