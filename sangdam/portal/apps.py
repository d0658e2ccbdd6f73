from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sangdam.portal"
    label = "portal"

    def ready(self) -> None:
        # Listeners register themselves on import; the events module registers its kinds.
        from sangdam.portal import events, tasks  # noqa: F401
