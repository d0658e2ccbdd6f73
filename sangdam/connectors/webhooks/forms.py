"""The admin form of a webhook channel, built from its connector's pydantic classes.

Config fields are shown back; secret fields never are: left blank on edit, the stored
value stays (the page shows only that one is set and its last characters).
"""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sangdam.connectors.base import WebhookConnector
from sangdam.connectors.models import Channel

CONFIG_PREFIX = "config__"
SECRET_PREFIX = "secret__"  # noqa: S105 (a form field prefix)


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _field(info: FieldInfo, *, secret: bool, required: bool) -> forms.Field:
    annotation = info.annotation
    help_text = info.description or ""
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
                field.label = _label(name)
                # A setting the channel never stored shows its default (a checkbox that is on
                # by default must not show off, or saving the page would turn it off).
                if not info.is_required() and info.default_factory is None:
                    field.initial = info.default
                self.fields[CONFIG_PREFIX + name] = field
        if connector.secrets_class is not None:
            for name, info in connector.secrets_class.model_fields.items():
                has_value = bool(stored.get(name))
                generated = info.default_factory is not None
                field = _field(info, secret=True, required=info.is_required() and not has_value)
                field.label = _label(name)
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
