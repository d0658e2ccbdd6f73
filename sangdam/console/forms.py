"""Forms of the agent console: the inbox filters and the ticket page's actions.

Forms only parse and validate input; views hand the cleaned values to the actions.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.conf import settings
from django.forms.renderers import Jinja2
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info, gettext
from django.utils.translation import gettext_lazy as _

from sangdam.accounts.models import Team, User
from sangdam.connectors.models import ChannelKind
from sangdam.core.memo import Memo
from sangdam.tickets.models import Priority, Status, Topic
from sangdam.tickets.selectors import TicketFilters

ANY = [("", _("Any"))]


# ISO 639-1 codes Django's language table only knows with a script (zh-hans, zh-hant).
EXTRA_LANGUAGE_NAMES = {"zh": _("Chinese")}


def language_choices() -> list[tuple[str, str]]:
    """Customer languages the intake can detect, named in the interface language."""
    choices = []
    for code in settings.DETECT_LANGUAGES:
        try:
            name = str(get_language_info(code)["name_translated"])
        except KeyError:
            name = str(EXTRA_LANGUAGE_NAMES.get(code, code))
        choices.append((code, name))
    return choices


# The inbox filters' agents, topics and teams, kept per process for a few seconds
# (core/memo.py): three queries of every inbox page, for rows that rarely change.
_options = Memo(User, Topic, Team)

Options = tuple[list[tuple[int, str]], list[tuple[str, dict[str, str]]], list[tuple[int, str]]]


def _load_options() -> Options:
    agents = [(u.pk, str(u.name)) for u in User.objects.filter(is_active=True)]
    topics = [(t.slug, dict(t.names)) for t in Topic.objects.all()]
    teams = list(Team.objects.values_list("pk", "name"))
    return agents, topics, teams


class InboxFilterForm(forms.Form):
    """The inbox's GET parameters. Unknown values are errors, shown above the list.

    Its selects are written by :meth:`fields_html`; the hidden ``view`` input still by
    Django's Jinja2 form templates (the Django engine's cost ~10 ms a page for them)."""

    default_renderer = Jinja2()

    view = forms.ChoiceField(
        choices=[
            ("mine", _("Mine")),
            ("unassigned", _("Unassigned")),
            ("open", _("All open")),
            ("pending", _("Pending")),
            ("solved", _("Solved")),
            ("all", _("All")),
        ],
        required=False,
        widget=forms.HiddenInput,
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ANY + Status.choices, required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=ANY + Priority.choices, required=False
    )
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), coerce=int, empty_value=None, required=False
    )
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, empty_value=None, required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[("activity", _("Last activity")), ("due", _("Due time"))],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agents, topics, teams = _options.get("options", _load_options)
        language = (get_language() or "en")[:2]
        self.fields["channel"].choices = ANY + ChannelKind.choices  # type: ignore[attr-defined]
        self.fields["topic"].choices = ANY + [  # type: ignore[attr-defined]
            (slug, names.get(language) or names.get("en") or slug) for slug, names in topics
        ]
        self.fields["assignee"].choices = ANY + agents  # type: ignore[attr-defined]
        self.fields["team"].choices = ANY + teams  # type: ignore[attr-defined]
        self.fields["language"].choices = ANY + language_choices()  # type: ignore[attr-defined]

    def fields_html(self) -> SafeString:
        """The visible fields as ``<p class="field">label select</p>``, written in Python.

        The same markup as ``{{ field.label_tag }} {{ field }}`` (tests compare them), at
        a fraction of the cost: Django's widget templates rendered every option through an
        include, ~15 ms of CPU per inbox page for about 70 options; this loop is well under
        1 ms. Every label and value is escaped.
        """
        parts = []
        for field in self.visible_fields():
            if type(field.field.widget) is not forms.Select:
                parts.append(f'<p class="field">{field.label_tag()} {field}</p>')
                continue
            raw = field.value()
            chosen = "" if raw is None else str(raw)
            label = str(field.label)
            if self.label_suffix and label and label[-1] not in gettext(":?.!"):
                label += self.label_suffix
            attrs = f'name="{escape(field.html_name)}"'
            if field.errors:
                attrs += f' aria-invalid="true" aria-describedby="{escape(field.auto_id)}_error"'
            options, found = [], False
            for value, text in field.field.choices:  # type: ignore[attr-defined]
                value = str(value)
                selected = not found and value == chosen
                found = found or selected
                options.append(
                    f'  <option value="{escape(value)}"{" selected" if selected else ""}>'
                    f"{escape(str(text))}</option>"
                )
            field_id = escape(field.auto_id)
            parts.append(
                f'<p class="field"><label for="{field_id}">{escape(label)}</label>'
                f' <select {attrs} id="{field_id}">\n' + "\n".join(options) + "\n</select></p>"
            )
        return mark_safe("\n".join(parts))  # noqa: S308 (every piece escaped above)

    def filters(self) -> TicketFilters:
        # A bad value drops only its own filter; the valid ones still apply.
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        return TicketFilters(
            view=data.get("view") or "open",
            channel=data.get("channel") or "",
            topic=data.get("topic") or "",
            status=data.get("status") or "",
            priority=data.get("priority") or "",
            assignee=data.get("assignee"),
            team=data.get("team"),
            language=data.get("language") or "",
            sort=data.get("sort") or "activity",
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the content checks happen in check_attachments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ReplyForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[("public", _("Public reply")), ("note", _("Internal note"))],
        initial="public",
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}), max_length=50_000
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    status = forms.ChoiceField(
        label=_("And set status"),
        choices=[("", _("(keep)")), *[c for c in Status.choices if c[0] != Status.NEW]],
        required=False,
    )

    def __init__(self, *args: Any, written: bool = True, **kwargs: Any) -> None:
        """``written=False``: the channel takes no written replies (a phone line): notes only."""
        super().__init__(*args, **kwargs)
        if not written:
            kind = self.fields["kind"]
            assert isinstance(kind, forms.ChoiceField)
            kind.choices = [("note", _("Internal note"))]
            kind.initial = "note"
            kind.help_text = _(
                "Customers on this channel cannot get a written reply: call them back, "
                "or add a note for your colleagues."
            )


class AgentWithPresenceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.get_presence_display()}"


class AssignForm(forms.Form):
    assignee = AgentWithPresenceField(
        label=_("Agent"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        empty_label=_("(unassigned)"),
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("(no team)")
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


class TopicForm(forms.Form):
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.filter(active=True),
        required=False,
        empty_label=_("(no topic)"),
    )


class MergeForm(forms.Form):
    reference = forms.CharField(
        label=_("Merge into ticket"),
        max_length=24,
        widget=forms.TextInput(attrs={"placeholder": "SD-100001"}),
    )
