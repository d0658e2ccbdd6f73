from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sangdam.api"
    label = "api"
