from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "sangdam.core"
    label = "core"

    def ready(self) -> None:
        from sangdam.core.pgtypes import use_fast_timestamps

        connection_created.connect(use_fast_timestamps, dispatch_uid="sangdam-fast-timestamps")
