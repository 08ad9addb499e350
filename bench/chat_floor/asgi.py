"""The floor of bench/chat.py: a bare Channels consumer, nothing of the product.

Each socket joins the group named in its query string (`/ws/?group=room.7`); whatever JSON it
sends is relayed to that group as `{"type": "message.new", "message": <what was sent>}`. No
authentication, no database: what is left is uvicorn, Channels and the channel layer, which
are shared with the real server (same settings, same Redis).

    uvicorn --app-dir bench chat_floor.asgi:application
"""

import os
import sys
from pathlib import Path
from urllib.parse import parse_qs

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project, for its settings
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bourse.settings")
django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402


class EchoToGroupConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.group = query.get("group", ["room.0"])[0]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.channel_layer.group_send(
            self.group, {"type": "relay", "event": {"type": "message.new", "message": content}}
        )

    async def relay(self, message):
        await self.send_json(message["event"])


application = ProtocolTypeRouter(
    {"websocket": URLRouter([path("ws/", EchoToGroupConsumer.as_asgi())])}
)
