from django.apps import AppConfig


class CenterConfig(AppConfig):
    name = "sangdam.center"
    label = "center"
    verbose_name = "Customer center"
