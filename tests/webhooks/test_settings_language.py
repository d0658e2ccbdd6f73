"""A messenger's or phone line's settings page speaks the admin's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from sangdam.connectors.base import WebhookConnector
from sangdam.connectors.registry import get_connector, registered_kinds
from sangdam.connectors.webhooks.forms import LABELS, WebhookChannelForm, label
from tests import factories


def _settings_forms() -> list[tuple[str, WebhookChannelForm]]:
    forms = []
    for kind in registered_kinds():
        connector = get_connector(kind)
        if isinstance(connector, WebhookConnector) and (
            connector.config_class or connector.secrets_class
        ):
            forms.append((kind, WebhookChannelForm(connector=connector)))
    return forms


def test_every_setting_of_every_channel_kind_has_a_korean_label_and_help() -> None:
    assert {kind for kind, _form in _settings_forms()} >= {"phone", "telegram", "line", "kakao"}
    untranslated = []
    for kind, form in _settings_forms():
        for name, model in (
            ("config", form.connector.config_class),
            ("secret", form.connector.secrets_class),
        ):
            for field_name, info in model.model_fields.items() if model else []:
                with translation.override("en"):
                    english = label(field_name, info)
                if english not in LABELS:
                    untranslated.append((kind, name, field_name, "label not marked"))
                with translation.override("ko"):
                    if label(field_name, info) == english:
                        untranslated.append((kind, name, field_name, "label"))
                    if (
                        info.description
                        and translation.gettext(info.description) == info.description
                    ):
                        untranslated.append((kind, name, field_name, "help"))
    assert untranslated == []


@pytest.mark.django_db
def test_a_korean_admin_reads_the_phone_line_settings_in_korean() -> None:
    admin = factories.make_admin()
    admin.language = "ko"
    admin.save(update_fields=["language"])
    client = Client()
    client.force_login(admin)

    page = client.get("/admin/channels/new/phone/").content.decode()

    assert "새 전화 채널" in page
    assert "대기열 이름" in page  # Queue name
    assert "운영 시간이 아니거나 아무도 받지 않으면 음성 메시지를 제안합니다." in page
    assert "Offer voicemail when closed" not in page


@pytest.mark.django_db
def test_a_new_phone_line_s_menu_starts_as_an_empty_list_not_null() -> None:
    client = Client()
    client.force_login(factories.make_admin())

    form = client.get("/admin/channels/new/phone/").context["form"]

    box = str(form["config__menu"])
    assert box.endswith("\n[]</textarea>")
    assert "null" not in box
