from django.apps import AppConfig


class AutomationsConfig(AppConfig):
    name = "sangdam.automations"
    label = "automations"
    verbose_name = "Automations"

    def ready(self) -> None:
        # Listeners register themselves on import; the events module registers its kinds.
        from sangdam.automations import events, listeners  # noqa: F401
