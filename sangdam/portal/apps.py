from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sangdam.portal"
    label = "portal"
