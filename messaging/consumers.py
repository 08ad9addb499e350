"""The one WebSocket per tab: every event of the user's company arrives here.

Thin on purpose: authenticate, join the company group, relay pushed events. Message sending,
typing and read marks are added by the messaging feature (services do the work).
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from bourse.notifications.services import company_group


@database_sync_to_async
def _company_id(user) -> int | None:
    membership = user.membership_or_none
    return membership.company_id if membership else None


class EventsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.company_id = await _company_id(user)
        self.groups_joined = []
        if self.company_id is not None:
            group = company_group(self.company_id)
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.send_json({"type": "error", "code": "unknown_type", "detail": "Not supported"})

    async def push(self, message):
        """A server-side event for this company (see bourse.notifications.services)."""
        await self.send_json(message["event"])
