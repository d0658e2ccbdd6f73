"""The first-run page: the first admin of a fresh install sets up the center in one form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sangdam.center.actions import do_complete_setup, setup_pending
from sangdam.center.topics import DEFAULT_TOPICS, topic_name
from sangdam.console.firstrun_forms import FirstRunForm
from sangdam.console.permissions import admin_required, agent_of
from sangdam.tickets.models import Topic


class LoginView(auth_views.LoginView):
    """Logs in; an admin of a center not set up yet lands on the first-run page."""

    template_name = "console/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        # Opening the site sends people to /login/?next=/ : that is "the inbox" too.
        admin = getattr(self.request.user, "is_admin", False)
        if url == reverse("console:inbox") and admin and setup_pending():
            return reverse("console:first_run")
        return url


@admin_required
def first_run(request: HttpRequest) -> HttpResponse:
    topics_exist = Topic.objects.exists()
    form = FirstRunForm(request.POST or None, topics_exist=topics_exist)
    if request.method == "POST" and form.is_valid():
        do_complete_setup(actor=agent_of(request), choices=form.choices())
        messages.success(request, _("Your customer center is ready."))
        return redirect("console:inbox")
    language = get_language() or "ko"
    return render(
        request,
        "console/firstrun.html",
        {
            "form": form,
            "section": "setup",
            "default_topics": [topic_name(t, language) for t in DEFAULT_TOPICS],
            "pending": setup_pending(),
        },
    )
