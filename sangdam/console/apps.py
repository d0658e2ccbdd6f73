from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "sangdam.console"
    label = "console"
