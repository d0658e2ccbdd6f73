from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "sangdam.tickets"
    label = "tickets"
