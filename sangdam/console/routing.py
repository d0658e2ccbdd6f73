from django.urls import path

from sangdam.console.consumers import LiveConsumer

websocket_urlpatterns = [
    path("ws/live/", LiveConsumer.as_asgi()),
    path("ws/live/ticket/<int:ticket_id>/", LiveConsumer.as_asgi()),
]
