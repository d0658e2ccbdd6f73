"""Calls from machines skip the middleware that only browsers need.

A provider's webhook call, a mobile app's API call or an integrator's token call carries
no session, no CSRF token and renders no page: sessions, CSRF, authentication, OTP,
messages, frame options, CSP, static files and the login lockout do nothing for it but
cost time on every call (about a tenth of the server's CPU per webhook ack in
``bench/webhooks.py``'s profile, of an in-app inquiry's request in
``bench/profile_inapp.py``'s and of an agent's API answer in
``bench/profile_livechat.py``'s). Placed right after Django's SecurityMiddleware (HTTPS
redirect, HSTS, nosniff still apply), this calls the view directly when the path resolves
to one of:

- the webhook door, ``/hooks/<kind>/<key>[/<subpath>]``, in the site's default language (a
  connector that answers in the customer's language, as Kakao's skill server does, says
  so itself);
- the app API, ``/api/app/v1/…`` (authenticated by its own headers, never by a cookie),
  and the REST API, ``/api/v1/…``, when the call carries a bearer token (HTTP Basic goes
  down the whole chain: the login lockout's answer is AxesMiddleware's; so do the API's
  docs page and anything else a browser opens there): in the caller's ``Accept-Language``
  as LocaleMiddleware would choose it, with the headers LocaleMiddleware and
  CommonMiddleware add, and a small multipart body read as SmallFormMiddleware reads it.

Every other path, and a path under these prefixes that resolves to nothing (a 404, or
CommonMiddleware's redirect to the slashed URL), goes down the whole chain.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers

from sangdam.core.small_forms import read_small_form

HOOKS = "/hooks/"
HOOK_VIEWS = frozenset({"hooks:hook", "hooks:hook_subpath"})
APP_API = "/api/app/v1/"
APP_NAMESPACE = "api-app-v1"
REST_API = "/api/v1/"
REST_NAMESPACE = "api-v1"


class MachineCallsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(HOOKS):
            match = _resolve(path)
            if match is not None and match.view_name in HOOK_VIEWS:
                return _webhook(request, match)
        elif path.startswith(APP_API):
            match = _resolve(path)
            if match is not None and match.namespace == APP_NAMESPACE:
                return _api_call(request, match)
        elif path.startswith(REST_API) and _bearer(request):
            match = _resolve(path)
            if match is not None and match.namespace == REST_NAMESPACE:
                return _api_call(request, match)
        return self.get_response(request)


def _bearer(request: HttpRequest) -> bool:
    return request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "


def _resolve(path: str) -> ResolverMatch | None:
    try:
        return resolve(path)
    except Resolver404:
        return None


def _call(request: HttpRequest, match: ResolverMatch) -> HttpResponse:
    request.resolver_match = match
    return match.func(request, *match.args, **match.kwargs)


def _webhook(request: HttpRequest, match: ResolverMatch) -> HttpResponse:
    # The site's language, not whatever a browser's request left on this thread
    # (LocaleMiddleware, skipped here, would otherwise have set it).
    with translation.override(settings.LANGUAGE_CODE):
        return _call(request, match)


def _api_call(request: HttpRequest, match: ResolverMatch) -> HttpResponse:
    if request.method == "POST" and request.content_type == "multipart/form-data":
        read_small_form(request)
    language = translation.get_language_from_request(request)
    with translation.override(language):
        request.LANGUAGE_CODE = translation.get_language()
        response = _call(request, match)
    # What LocaleMiddleware and CommonMiddleware add to a response.
    patch_vary_headers(response, ("Accept-Language",))
    response.headers.setdefault("Content-Language", language)
    if not response.streaming and not response.has_header("Content-Length"):
        response.headers["Content-Length"] = str(len(response.content))
    return response
