from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "sangdam.routing"
    label = "routing"
    verbose_name = "Routing"

    def ready(self) -> None:
        # Listeners register themselves on import; the events module registers its kinds.
        from sangdam.routing import events, listeners  # noqa: F401
