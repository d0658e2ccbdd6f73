from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "sangdam.core"
    label = "core"

    def ready(self) -> None:
        if not any("postgresql" in database["ENGINE"] for database in settings.DATABASES.values()):
            return  # on SQLite, not even psycopg is imported (a tenth of a second at start)
        from sangdam.core.pgtypes import use_fast_timestamps

        connection_created.connect(use_fast_timestamps, dispatch_uid="sangdam-fast-timestamps")
