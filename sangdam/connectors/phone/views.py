"""Console pages for calls: the screen pop's caller card, the call page (a call logged by
hand, a call back through the provider).

They live with the phone channel (templates and translations with it), like the email
channel's console pages, and call only its services and the domain's actions.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sangdam.connectors.http import ProviderError
from sangdam.connectors.phone import services
from sangdam.connectors.phone.callbacks import callback_queue
from sangdam.console.permissions import agent_of, agent_required
from sangdam.tickets.actor import Actor
from sangdam.tickets.errors import DomainError
from sangdam.tickets.models import Ticket


class CallLogForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Phone number"), max_length=32)
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"),
        choices=[("in", gettext_lazy("Inbound")), ("out", gettext_lazy("Outbound"))],
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"), min_value=0, max_value=600
    )
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=())
    notes = forms.CharField(
        label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    ticket = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["outcome"].choices = services.outcome_choices()  # type: ignore[attr-defined]


class CallBackForm(forms.Form):
    number = forms.CharField(widget=forms.HiddenInput, max_length=32)
    agent_number = forms.CharField(
        label=gettext_lazy("Your phone (rung first)"),
        max_length=32,
        help_text=gettext_lazy("The provider calls you, then connects the customer."),
    )
    ticket = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _calls_page(number: str) -> HttpResponse:
    return redirect(f"{reverse('console:calls')}?{urlencode({'number': number})}")


AGENT_NUMBER = "phone.agent_number"  # remembered in the session for the next call back


@agent_required
def call_pop(request: HttpRequest) -> HttpResponse:
    """The screen pop's content for an incoming call (fetched by the console on the push)."""
    card = services.caller_card(number=request.GET.get("number", ""))
    return render(request, "phone_channel/screen_pop.html", {"card": card})


@agent_required
def calls(request: HttpRequest) -> HttpResponse:
    """A caller's card with the call log and call back forms (``?number=``, ``?ticket=``)."""
    ticket = None
    if request.GET.get("ticket", "").isdigit():
        ticket = get_object_or_404(
            Ticket.objects.select_related("customer"), pk=int(request.GET["ticket"])
        )
    number = request.GET.get("number", "")
    if not number and ticket is not None:
        phone = ticket.customer.identities.filter(kind="phone").first()
        number = phone.value if phone else ""
    card = services.caller_card(number=number) if number else None
    initial = {"number": number, "ticket": ticket.pk if ticket else None, "minutes": 0}
    return render(
        request,
        "phone_channel/calls.html",
        {
            "card": card,
            "ticket": ticket,
            # Two forms on one page: their own id prefixes, so no id is used twice.
            "log_form": CallLogForm(
                initial={**initial, "direction": "in", "outcome": "answered"}, auto_id="log-%s"
            ),
            "callback_form": CallBackForm(
                initial={**initial, "agent_number": request.session.get(AGENT_NUMBER, "")},
                auto_id="callback-%s",
            ),
            "channel": services.phone_channel(),
        },
    )


@agent_required
def callbacks(request: HttpRequest) -> HttpResponse:
    """The call back queue: requests and missed calls, the earliest promise first."""
    return render(request, "phone_channel/callbacks.html", {"queue": callback_queue()})


@require_POST
@agent_required
def log_call(request: HttpRequest) -> HttpResponse:
    form = CallLogForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The call was not logged: check the fields."))
        return _calls_page(request.POST.get("number", ""))
    data = form.cleaned_data
    ticket = Ticket.objects.filter(pk=data["ticket"]).first() if data.get("ticket") else None
    try:
        ticket = services.log_call(
            agent=Actor.agent(agent_of(request)),
            number=data["number"],
            direction=data["direction"],
            minutes=data["minutes"],
            outcome=data["outcome"],
            notes=data["notes"],
            ticket=ticket,
            channel=services.phone_channel(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("console:calls")
    messages.success(
        request, _("The call was logged on %(reference)s.") % {"reference": ticket.reference}
    )
    return redirect("console:ticket", ticket.pk)


@require_POST
@agent_required
def call_back(request: HttpRequest) -> HttpResponse:
    form = CallBackForm(request.POST)
    channel = services.phone_channel()
    if not form.is_valid() or channel is None:
        messages.error(
            request, _("No call was placed: a phone channel and both numbers are needed.")
        )
        return redirect("console:calls")
    data = form.cleaned_data
    request.session[AGENT_NUMBER] = data["agent_number"]
    try:
        services.start_callback(
            channel=channel, agent_number=data["agent_number"], customer_number=data["number"]
        )
    except (DomainError, ProviderError) as exc:
        messages.error(request, _("No call was placed: %(error)s") % {"error": exc})
    else:
        messages.success(
            request,
            _("Calling you at %(agent)s now; when you answer, %(customer)s is dialled.")
            % {"agent": data["agent_number"], "customer": data["number"]},
        )
    if data.get("ticket"):
        return redirect("console:ticket", data["ticket"])
    return _calls_page(data["number"])
