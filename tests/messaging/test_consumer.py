"""The WebSocket consumer, through the whole ASGI stack (Origin check, authentication)."""

import json

import psycopg
import pytest
from channels.db import database_sync_to_async
from django.test import Client

from accounts.models import Company
from bourse.asgi import application
from bourse.notifications.services import notify
from messaging import pgasync, services
from messaging.models import Message, ReadMark
from tests import factories
from tests.messaging.communicator import WebsocketCommunicator

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ORIGIN = b"http://testserver"


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def open_socket(*, cookie=None, token=None, origin=ORIGIN):
    headers = []
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie is not None:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    if token is not None:
        headers.append((b"x-session-token", token.encode()))
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect(timeout=3)
    return communicator, connected


@pytest.fixture
def cookies(owner, writer):
    return {"owner": session_cookie(owner), "writer": session_cookie(writer)}


async def expect_error(communicator, code, client_id=None):
    event = await communicator.receive_json_from(timeout=3)
    assert event["type"] == "error", event
    assert event["code"] == code
    assert event["detail"]
    if client_id is not None:
        assert event["client_id"] == client_id
    return event


async def expect_closed(communicator, code):
    output = await communicator.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": code}, output


def without_seq(event: dict) -> dict:
    return {k: v for k, v in event.items() if k != "seq"}


async def test_unauthenticated_socket_is_closed_with_4401():
    communicator, connected = await open_socket()
    assert connected  # accepted, so that a browser sees the code
    await expect_closed(communicator, 4401)
    await communicator.disconnect()


async def test_foreign_origin_is_refused_even_with_a_session(cookies):
    communicator, connected = await open_socket(
        cookie=cookies["owner"], origin=b"https://evil.example"
    )
    assert not connected
    await communicator.disconnect()


async def test_no_origin_without_session_token_is_refused(cookies):
    communicator, connected = await open_socket(cookie=cookies["owner"], origin=None)
    assert not connected
    await communicator.disconnect()


async def test_session_token_from_app_login_is_accepted(conversation, owner, cookies):
    def app_login():
        response = Client().post(
            "/_allauth/app/v1/auth/login",
            {"email": owner.email, "password": factories.PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return response.json()["meta"]["session_token"]

    token = await database_sync_to_async(app_login)()
    communicator, connected = await open_socket(token=token, origin=None)
    assert connected
    partner, _ = await open_socket(cookie=cookies["writer"])
    await communicator.send_json_to(
        {"type": "message.send", "conversation": conversation.pk, "body": "Par l'app"}
    )
    assert (await partner.receive_json_from(timeout=3))["message"]["body"] == "Par l'app"
    await communicator.disconnect()
    await partner.disconnect()


async def test_bad_session_token_is_closed_with_4401():
    communicator, connected = await open_socket(token="not-a-token", origin=None)
    assert connected
    await expect_closed(communicator, 4401)
    await communicator.disconnect()


@pytest.fixture(params=[4, 0], ids=["event-loop connections", "database threads only"])
def chat_path(request, settings):
    """On PostgreSQL, a chat line is stored from the event loop (messaging.pgasync), or from a
    database thread when those connections are off; elsewhere both are the general path."""
    settings.MESSAGING_ASYNC_CONNECTIONS = request.param
    return request.param


async def test_message_reaches_both_sides_and_is_stored_first(
    conversation, owner, cookies, chat_path
):
    sender, _ = await open_socket(cookie=cookies["owner"])
    partner, _ = await open_socket(cookie=cookies["writer"])
    await sender.send_json_to(
        {"type": "message.send", "conversation": conversation.pk, "body": "Oui", "client_id": "k1"}
    )
    echo = await sender.receive_json_from(timeout=3)
    delivered = await partner.receive_json_from(timeout=3)
    assert echo["message"] == delivered["message"]
    assert echo["type"] == delivered["type"] == "message.new"
    assert isinstance(echo["seq"], int) and isinstance(delivered["seq"], int)
    message = echo["message"]
    assert message["client_id"] == "k1"
    assert message["sender"] == {"id": owner.pk, "name": owner.display_name}
    stored = await database_sync_to_async(Message.objects.get)(pk=message["id"])
    assert stored.body == "Oui"
    await sender.disconnect()
    await partner.disconnect()


@pytest.mark.postgres
async def test_when_the_event_loops_connections_fail_the_threads_store_the_line(
    conversation, owner, cookies, monkeypatch
):
    """PostgreSQL unreachable from the event loop (a connection refused): the chat line still
    goes through, stored by the database threads' path."""

    async def refused(self):
        raise psycopg.OperationalError("connection refused (test)")

    monkeypatch.setattr(pgasync.LoopConnections, "_connect", refused)
    sender, _ = await open_socket(cookie=cookies["owner"])
    partner, _ = await open_socket(cookie=cookies["writer"])
    await sender.send_json_to(
        {"type": "message.send", "conversation": conversation.pk, "body": "Malgré tout"}
    )
    delivered = await partner.receive_json_from(timeout=3)
    assert delivered["message"]["body"] == "Malgré tout"
    assert await database_sync_to_async(Message.objects.filter(body="Malgré tout").count)() == 1
    await sender.disconnect()
    await partner.disconnect()


async def test_repeated_client_id_over_the_socket_is_not_stored_twice(
    conversation, cookies, chat_path
):
    sender, _ = await open_socket(cookie=cookies["owner"])
    partner, _ = await open_socket(cookie=cookies["writer"])
    frame = {
        "type": "message.send",
        "conversation": conversation.pk,
        "body": "Une",
        "client_id": "r",
    }
    await sender.send_json_to(frame)
    first = await sender.receive_json_from(timeout=3)
    await partner.receive_json_from(timeout=3)
    await sender.send_json_to(frame)
    again = await sender.receive_json_from(timeout=3)
    assert again["message"]["id"] == first["message"]["id"]
    assert await partner.receive_nothing(timeout=0.3)
    count = await database_sync_to_async(Message.objects.filter(client_id="r").count)()
    assert count == 1
    await sender.disconnect()
    await partner.disconnect()


async def test_bad_json_is_an_error_and_the_socket_stays_open(conversation, cookies):
    communicator, _ = await open_socket(cookie=cookies["owner"])
    await communicator.send_to(text_data="{not json")
    await expect_error(communicator, "bad_json")
    await communicator.send_to(bytes_data=b"\x00\x01")
    await expect_error(communicator, "bad_json")
    await communicator.send_to(text_data="[1, 2]")
    await expect_error(communicator, "bad_json")
    await communicator.send_json_to(
        {"type": "message.send", "conversation": conversation.pk, "body": "Toujours là"}
    )
    assert (await communicator.receive_json_from(timeout=3))["type"] == "message.new"
    await communicator.disconnect()


async def test_unknown_type_is_an_error(cookies):
    communicator, _ = await open_socket(cookie=cookies["owner"])
    await communicator.send_json_to({"type": "delete.everything", "client_id": "z"})
    await expect_error(communicator, "unknown_type", client_id="z")
    await communicator.send_json_to({"no": "type"})
    await expect_error(communicator, "unknown_type")
    await communicator.disconnect()


async def test_a_conversation_the_user_is_not_part_of_is_not_found(conversation, outsider):
    cookie = await database_sync_to_async(session_cookie)(outsider)
    communicator, _ = await open_socket(cookie=cookie)
    for conversation_id in (conversation.pk, 987654):
        # Whatever the body: the answer says nothing about the conversation (same on every
        # backend, the single statement of PostgreSQL included).
        for body in ("X", ""):
            await communicator.send_json_to(
                {
                    "type": "message.send",
                    "conversation": conversation_id,
                    "body": body,
                    "client_id": "o",
                }
            )
            await expect_error(communicator, "not_found", client_id="o")
    await communicator.send_json_to({"type": "typing", "conversation": conversation.pk})
    await expect_error(communicator, "not_found")
    first = await database_sync_to_async(lambda: conversation.messages.get().pk)()
    await communicator.send_json_to(
        {"type": "read", "conversation": conversation.pk, "up_to": first}
    )
    await expect_error(communicator, "not_found")
    await communicator.send_json_to({"type": "message.send", "conversation": "1", "body": "X"})
    await expect_error(communicator, "invalid")
    assert await database_sync_to_async(Message.objects.count)() == 1
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "empty_body"),
        ("  ", "empty_body"),
        ("x" * 5001, "body_too_long"),
        (None, "invalid_body"),
        ("nul\x00", "invalid_body"),  # PostgreSQL's text cannot store it
    ],
)
async def test_empty_or_too_long_body_is_an_error(conversation, cookies, body, code):
    communicator, _ = await open_socket(cookie=cookies["owner"])
    await communicator.send_json_to(
        {"type": "message.send", "conversation": conversation.pk, "body": body, "client_id": "b"}
    )
    await expect_error(communicator, code, client_id="b")
    assert await database_sync_to_async(Message.objects.count)() == 1  # the first one only
    await communicator.disconnect()


async def test_too_long_client_id_is_an_error(conversation, cookies):
    communicator, _ = await open_socket(cookie=cookies["owner"])
    await communicator.send_json_to(
        {
            "type": "message.send",
            "conversation": conversation.pk,
            "body": "a",
            "client_id": "x" * 65,
        }
    )
    await expect_error(communicator, "invalid_client_id")
    await communicator.disconnect()


async def test_rate_limit_is_an_error_and_nothing_is_stored(conversation, cookies):
    communicator, _ = await open_socket(cookie=cookies["owner"])
    for i in range(services.RATE_LIMIT_MESSAGES):
        await communicator.send_json_to(
            {"type": "message.send", "conversation": conversation.pk, "body": f"m{i}"}
        )
        assert (await communicator.receive_json_from(timeout=3))["type"] == "message.new"
    await communicator.send_json_to(
        {"type": "message.send", "conversation": conversation.pk, "body": "trop", "client_id": "t"}
    )
    await expect_error(communicator, "rate_limited", client_id="t")
    assert not await database_sync_to_async(Message.objects.filter(body="trop").exists)()
    await communicator.disconnect()


async def test_suspended_company_cannot_send(conversation, cookies, other_company):
    other_company.status = Company.Status.SUSPENDED
    await database_sync_to_async(other_company.save)()
    communicator, connected = await open_socket(cookie=cookies["writer"])
    assert connected
    await communicator.send_json_to(
        {"type": "message.send", "conversation": conversation.pk, "body": "Encore"}
    )
    await expect_error(communicator, "forbidden")
    await communicator.disconnect()


async def test_typing_reaches_only_the_other_side(conversation, owner, owner_colleague, cookies):
    colleague_cookie = await database_sync_to_async(session_cookie)(owner_colleague)
    typist, _ = await open_socket(cookie=cookies["owner"])
    colleague, _ = await open_socket(cookie=colleague_cookie)
    partner, _ = await open_socket(cookie=cookies["writer"])
    await typist.send_json_to({"type": "typing", "conversation": conversation.pk})
    assert await partner.receive_json_from(timeout=3) == {
        "type": "typing",
        "conversation": conversation.pk,
        "user": {"id": owner.pk, "name": owner.display_name},
    }
    assert await colleague.receive_nothing(timeout=0.3)
    assert await typist.receive_nothing(timeout=0.1)
    for c in (typist, colleague, partner):
        await c.disconnect()


async def test_read_reaches_both_sides_and_moves_the_mark(conversation, company, cookies):
    reader, _ = await open_socket(cookie=cookies["owner"])
    partner, _ = await open_socket(cookie=cookies["writer"])
    first = await database_sync_to_async(lambda: conversation.messages.get().pk)()
    await reader.send_json_to({"type": "read", "conversation": conversation.pk, "up_to": first})
    expected = {
        "type": "read",
        "conversation": conversation.pk,
        "company": company.pk,
        "up_to": first,
    }
    assert without_seq(await partner.receive_json_from(timeout=3)) == expected
    assert without_seq(await reader.receive_json_from(timeout=3)) == expected
    mark = await database_sync_to_async(ReadMark.objects.get)(company=company)
    assert mark.last_read_message_id == first
    await reader.send_json_to({"type": "read", "conversation": conversation.pk, "up_to": "x"})
    await expect_error(reader, "invalid_up_to")
    await reader.disconnect()
    await partner.disconnect()


async def test_user_without_company_gets_a_socket_but_no_conversation(conversation, user):
    cookie = await database_sync_to_async(session_cookie)(user)
    communicator, connected = await open_socket(cookie=cookie)
    assert connected
    await communicator.send_json_to(
        {"type": "message.send", "conversation": conversation.pk, "body": "Hop"}
    )
    await expect_error(communicator, "not_found")
    await communicator.disconnect()


async def test_notifications_are_pushed_to_the_company(company, cookies):
    communicator, _ = await open_socket(cookie=cookies["owner"])
    await database_sync_to_async(notify)(
        company=company, kind="match", title="Nouvelle correspondance", url="/suggestions/"
    )
    event = await communicator.receive_json_from(timeout=3)
    assert event["type"] == "notification" and event["kind"] == "match"
    assert event["data"]["title"] == "Nouvelle correspondance"
    await communicator.disconnect()


async def test_message_body_travels_as_plain_text(conversation, cookies):
    communicator, _ = await open_socket(cookie=cookies["owner"])
    body = '<script>alert("x")</script>'
    await communicator.send_to(
        text_data=json.dumps(
            {"type": "message.send", "conversation": conversation.pk, "body": body}
        )
    )
    assert (await communicator.receive_json_from(timeout=3))["message"]["body"] == body
    await communicator.disconnect()
