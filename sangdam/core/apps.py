from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sangdam.core"
    label = "core"
