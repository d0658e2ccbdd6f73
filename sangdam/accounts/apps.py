from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sangdam.accounts"
    label = "accounts"
