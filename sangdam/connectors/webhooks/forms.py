"""The admin form of a webhook channel, built from its connector's pydantic classes.

Config fields are shown back; secret fields never are: left blank on edit, the stored
value stays (the page shows only that one is set and its last characters).
"""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sangdam.connectors.base import WebhookConnector
from sangdam.connectors.models import Channel

CONFIG_PREFIX = "config__"
SECRET_PREFIX = "secret__"  # noqa: S105 (a form field prefix)


# The labels of the connectors' settings, made from their names (or their pydantic
# ``title``) and marked here for translation; tests/webhooks check that each has one.
LABELS = (
    gettext_noop("Account sid"),
    gettext_noop("Agent lines"),
    gettext_noop("Alimtalk path"),
    gettext_noop("Allowed origins"),
    gettext_noop("Api version"),
    gettext_noop("App secret"),
    gettext_noop("Auth token"),
    gettext_noop("Basic ID"),
    gettext_noop("Blocked numbers"),
    gettext_noop("Bot ids"),
    gettext_noop("Bot token"),
    gettext_noop("Bot username"),
    gettext_noop("Callback"),
    gettext_noop("Card image url"),
    gettext_noop("Channel access token"),
    gettext_noop("Channel public id"),
    gettext_noop("Channel secret"),
    gettext_noop("Color"),
    gettext_noop("Dealer"),
    gettext_noop("Dealer client id"),
    gettext_noop("Dealer client secret"),
    gettext_noop("Dial"),
    gettext_noop("Greeting"),
    gettext_noop("Greeting en"),
    gettext_noop("Greeting ko"),
    gettext_noop("Handover seconds"),
    gettext_noop("Hold music url"),
    gettext_noop("Human agent"),
    gettext_noop("Language"),
    gettext_noop("Language key"),
    gettext_noop("Launcher position"),
    gettext_noop("Max wait seconds"),
    gettext_noop("Menu"),
    gettext_noop("Number"),
    gettext_noop("Offer topics"),
    gettext_noop("Page access token"),
    gettext_noop("Page id"),
    gettext_noop("Queue name"),
    gettext_noop("Record calls"),
    gettext_noop("Ring"),
    gettext_noop("Send images"),
    gettext_noop("Sender key"),
    gettext_noop("Status button"),
    gettext_noop("Team"),
    gettext_noop("Transcribe"),
    gettext_noop("Username"),
    gettext_noop("Verify token"),
    gettext_noop("Voice en"),
    gettext_noop("Voice ko"),
    gettext_noop("Voicemail"),
    gettext_noop("Webhook secret"),
    gettext_noop("Welcome text"),
)


def label(name: str, info: FieldInfo) -> str:
    """The setting's label in the page's language."""
    return _(info.title or name.replace("_", " ").capitalize())


def _field(info: FieldInfo, *, secret: bool, required: bool) -> forms.Field:
    annotation = info.annotation
    # The connectors mark their descriptions with gettext_noop: translated here.
    help_text = _(info.description) if info.description else ""
    if annotation is bool:
        return forms.BooleanField(required=False, help_text=help_text)
    if annotation is int:
        return forms.IntegerField(required=required, help_text=help_text)
    if get_origin(annotation) is Literal:
        choices = [(str(value), str(value)) for value in get_args(annotation)]
        return forms.ChoiceField(required=required, help_text=help_text, choices=choices)
    if get_origin(annotation) in (list, dict):
        # Lists and tables (a phone menu, numbers to ring) are edited as JSON; the
        # connector's pydantic class then checks their shape.
        return forms.JSONField(
            required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": 4})
        )
    if secret:
        return forms.CharField(
            required=required,
            help_text=help_text,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        )
    widget = forms.Textarea(attrs={"rows": 3}) if "text" in (info.title or "") else None
    return forms.CharField(required=required, help_text=help_text, widget=widget)


def mask(value: str) -> str:
    """Enough of a secret to recognise it, never enough to use it."""
    return f"••••{value[-4:]}" if len(value) > 8 else "••••"


class WebhookChannelForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False, initial=True)

    def __init__(
        self,
        data: Any = None,
        *,
        connector: WebhookConnector,
        channel: Channel | None = None,
    ) -> None:
        self.connector = connector
        self.channel = channel
        initial: dict[str, Any] = {}
        if channel is not None:
            initial = {"name": channel.name, "enabled": channel.enabled}
            for key, value in (channel.config or {}).items():
                initial[CONFIG_PREFIX + key] = value
        super().__init__(data, initial=initial)
        stored = (channel.secrets or {}) if channel is not None else {}
        if connector.config_class is not None:
            for name, info in connector.config_class.model_fields.items():
                field = _field(info, secret=False, required=info.is_required())
                field.label = label(name, info)
                # A setting the channel never stored shows its default (a checkbox that is on
                # by default must not show off, or saving the page would turn it off).
                if not info.is_required():
                    # A list or table starts empty ("[]"), not as "null" the form refuses.
                    field.initial = (
                        info.default if info.default_factory is None else info.default_factory()  # type: ignore[call-arg]
                    )
                self.fields[CONFIG_PREFIX + name] = field
        if connector.secrets_class is not None:
            for name, info in connector.secrets_class.model_fields.items():
                has_value = bool(stored.get(name))
                generated = info.default_factory is not None
                field = _field(info, secret=True, required=info.is_required() and not has_value)
                field.label = label(name, info)
                if has_value:
                    field.help_text = _("Set (%(masked)s). Leave blank to keep it.") % {
                        "masked": mask(str(stored[name]))
                    }
                elif generated:
                    field.help_text = _("Leave blank to have one generated.")
                self.fields[SECRET_PREFIX + name] = field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        config = {
            key: value
            for key, value in ((self.channel.config or {}) if self.channel else {}).items()
        }
        secrets_: dict[str, Any] = dict((self.channel.secrets or {}) if self.channel else {})
        for name, value in cleaned.items():
            if name.startswith(CONFIG_PREFIX):
                config[name.removeprefix(CONFIG_PREFIX)] = value
            elif name.startswith(SECRET_PREFIX) and value not in ("", None):
                secrets_[name.removeprefix(SECRET_PREFIX)] = value
        for model, values, prefix in (
            (self.connector.config_class, config, CONFIG_PREFIX),
            (self.connector.secrets_class, secrets_, SECRET_PREFIX),
        ):
            if model is None:
                continue
            validated = self._validate(model, values, prefix)
            if validated is not None:
                values.update(validated)
        self.config, self.secrets = config, secrets_
        return cleaned

    def _validate(
        self, model: type[BaseModel], values: dict[str, Any], prefix: str
    ) -> dict[str, Any] | None:
        known = {k: v for k, v in values.items() if k in model.model_fields}
        try:
            return model.model_validate(known).model_dump()
        except ValidationError as exc:
            for error in exc.errors():
                loc = error["loc"][0] if error["loc"] else ""
                field = prefix + str(loc)
                self.add_error(field if field in self.fields else None, error["msg"])
            return None

    def save(self) -> Channel:
        channel = self.channel or Channel(kind=self.connector.kind)
        channel.name = self.cleaned_data["name"]
        channel.enabled = self.cleaned_data["enabled"]
        channel.config = self.config
        channel.secrets = self.secrets
        channel.save()
        return channel
