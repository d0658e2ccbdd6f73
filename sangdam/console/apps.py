from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "sangdam.console"
    label = "console"

    def ready(self) -> None:
        # Notifications follow the tickets' domain events (sangdam.tickets.dispatch).
        from sangdam.console import notifications  # noqa: F401
