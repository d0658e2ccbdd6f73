from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "sangdam.customers"
    label = "customers"
