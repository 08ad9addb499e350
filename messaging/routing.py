from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/", consumers.EventsConsumer.as_asgi()),
]
