"""Cookies marked ``Secure`` whenever the page itself came over HTTPS.

Django's ``SESSION_COOKIE_SECURE`` / ``CSRF_COOKIE_SECURE`` are all-or-nothing settings:
on, the plain-HTTP demo cannot log in; off, a site behind TLS sends its session cookie
without ``Secure`` and a network attacker can have it sent over plain HTTP. This middleware
decides per request: over HTTPS (directly, or as the trusted proxy says through
``SECURE_PROXY_SSL_HEADER``) the cookies are ``Secure``; HSTS follows the same rule in
Django's SecurityMiddleware (``SECURE_HSTS_SECONDS``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SecureCookiesOverHttps:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.is_secure():
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                if name in response.cookies:
                    response.cookies[name]["secure"] = True
        return response
