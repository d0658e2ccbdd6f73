from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sangdam.api"
    label = "api"

    def ready(self) -> None:
        # Before any router module builds its endpoints (they load with the URLs).
        from sangdam.api.ninja_models import share_response_models

        share_response_models()
