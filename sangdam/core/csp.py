"""django-csp's middleware, minus the policy on redirects.

A redirect has no document for a browser to apply a Content-Security-Policy to: it
follows the Location, and the page it lands on brings its own policy. django-csp builds
the policy string on every response (2.5 % of a homepage inquiry's request CPU in
``bench/profile_form.py``, whose answer is a 302); an empty-bodied redirect now goes out
without it. Every page, error and JSON answer still gets it as before.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class PageCSPMiddleware(CSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if 300 <= response.status_code < 400 and _empty(response):
            return response
        return super().process_response(request, response)


def _empty(response: HttpResponseBase) -> bool:
    return not response.streaming and not getattr(response, "content", b"")
