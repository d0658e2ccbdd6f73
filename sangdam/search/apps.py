from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "sangdam.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from django.conf import settings

        # The index follows the tickets' domain events (sangdam.tickets.dispatch.listener).
        # Off, no listener is registered at all, so the intake writes no task row for it.
        if getattr(settings, "SEARCH_INDEX", True):
            from sangdam.search import listeners  # noqa: F401
