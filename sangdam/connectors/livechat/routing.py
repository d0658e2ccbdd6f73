from django.urls import path

from sangdam.connectors.livechat.consumer import ChatConsumer

websocket_urlpatterns = [path("ws/chat/<str:key>/", ChatConsumer.as_asgi())]
