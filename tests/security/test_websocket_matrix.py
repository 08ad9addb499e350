"""Every WebSocket message type × persona gives the outcome of its row in matrix.WS_ROWS; a
message type the consumer handles without a row fails."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from bourse.asgi import application
from messaging.consumers import EventsConsumer
from tests.messaging.communicator import WebsocketCommunicator

from . import world as world_module
from .matrix import WS_ROWS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def handled_types() -> set[str]:
    source = inspect.getsource(EventsConsumer.receive_json)
    return set(re.findall(r'"([a-z_.]+)": self\._on_', source))


def test_every_message_type_has_a_row():
    assert handled_types() == set(WS_ROWS)


def _cookie(user) -> str | None:
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _outcome(persona_cookie, frame, expect_type) -> str:
    headers = [(b"origin", b"http://testserver")]
    if persona_cookie is not None:
        headers.append((b"cookie", f"sessionid={persona_cookie}".encode()))
    socket = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await socket.connect(timeout=3)
    if not connected:
        return "auth"
    if persona_cookie is None:  # accepted, then closed with 4401 (the contract's code)
        output = await socket.receive_output(timeout=3)
        await socket.disconnect()
        return "auth" if output == {"type": "websocket.close", "code": 4401} else str(output)
    try:
        await socket.send_json_to(frame)
        # typing (and a read that moves nothing): no answer to the sender when it is allowed
        if expect_type is None and await socket.receive_nothing(timeout=1):
            return "ok"
        try:
            event = await socket.receive_json_from(timeout=3)
            while expect_type is not None and event["type"] not in ("error", expect_type):
                event = await socket.receive_json_from(timeout=3)
        except TimeoutError:
            return "timeout"
        return "error" if event["type"] == "error" else "ok"
    finally:
        # After a receive timeout the communicator has already cancelled the application.
        with contextlib.suppress(asyncio.CancelledError):
            await socket.disconnect(timeout=3)


async def test_websocket_matrix():
    world = await database_sync_to_async(world_module.build)()
    cookies = {}
    for persona, user in world.users.items():
        cookies[persona] = await database_sync_to_async(_cookie)(user)
    conversation = world.ids["conversation"]
    last = await database_sync_to_async(
        lambda: (
            __import__("messaging.models", fromlist=["Message"])
            .Message.objects.filter(conversation_id=conversation)
            .latest("pk")
            .pk
        )
    )()
    frames = {
        "message.send": (
            {
                "type": "message.send",
                "conversation": conversation,
                "body": "Bonjour",
                "client_id": "m",
            },
            "message.new",
        ),
        "typing": ({"type": "typing", "conversation": conversation}, None),
        # read: the read event, or nothing when a colleague already moved the company's mark
        "read": ({"type": "read", "conversation": conversation, "up_to": last}, None),
    }
    mismatches = []
    for message_type, row in WS_ROWS.items():
        frame, expect_type = frames[message_type]
        got = [
            await _outcome(cookies[persona], frame, expect_type)
            for persona in world_module.PERSONAS
        ]
        if got != row.split():
            mismatches.append(f"{message_type:13} expected {row}\n{'':13} got      {' '.join(got)}")
    header = "columns: " + " ".join(world_module.PERSONAS)
    assert not mismatches, header + "\n" + "\n".join(mismatches)
