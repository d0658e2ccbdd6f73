from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "sangdam.service"
    label = "service"
    verbose_name = "Service levels"
