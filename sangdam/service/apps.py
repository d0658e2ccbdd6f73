from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "sangdam.service"
    label = "service"
    verbose_name = "Service levels"

    def ready(self) -> None:
        # The SLA listeners register themselves on import.
        from sangdam.service import listeners  # noqa: F401
