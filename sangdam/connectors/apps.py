from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "sangdam.connectors"
    label = "connectors"

    def ready(self) -> None:
        # Each connector kind registers itself in the registry when imported.
        from sangdam.connectors import kinds  # noqa: F401
