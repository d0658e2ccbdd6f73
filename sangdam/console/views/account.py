"""The agent's own settings: the interface language, kept on their profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from sangdam.console.permissions import agent_of


@require_POST
@login_required
def set_language(request: HttpRequest) -> HttpResponse:
    """Store the chosen language on the profile, so it follows the agent to any browser.

    Read-only users may change this too: it is their own preference, not a ticket.
    """
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest()
    user = agent_of(request)
    user.language = language
    user.save(update_fields=["language"])
    translation.activate(language)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)
