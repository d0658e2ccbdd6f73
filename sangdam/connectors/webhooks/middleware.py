"""Provider calls skip the middleware that only browsers need.

A webhook call carries no session, no CSRF token, no language preference and renders no
page: sessions, locale, CSRF, authentication, OTP, messages, frame options, CSP and the
login lockout do nothing for it but cost time on every acknowledgement (about a tenth of
the server's CPU per ack in ``bench/webhooks.py``'s profile). Placed right after Django's
SecurityMiddleware (HTTPS redirect, HSTS still apply), this calls the door's view directly
for ``/hooks/<kind>/<key>`` in the site's default language (a connector that answers in
the customer's language, as Kakao's skill server does, says so itself); every other path
goes down the whole chain.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation

PREFIX = "/hooks/"
VIEWS = frozenset({"hooks:hook", "hooks:hook_subpath"})


class WebhooksBypassBrowserMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(PREFIX):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return self.get_response(request)
            if match.view_name in VIEWS:
                request.resolver_match = match
                # The site's language, not whatever a browser's request left on this thread
                # (LocaleMiddleware, skipped here, would otherwise have set it).
                with translation.override(settings.LANGUAGE_CODE):
                    return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)
