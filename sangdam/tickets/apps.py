from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "sangdam.tickets"
    label = "tickets"

    def ready(self) -> None:
        # Listeners register themselves on import (sangdam.tickets.dispatch.listener).
        from sangdam.tickets import listeners  # noqa: F401
