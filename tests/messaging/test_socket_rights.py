"""Sockets follow rights: each way a user's rights end closes their open sockets with 4403,
at once; a suspended company's socket cannot send; frames of any shape never drop the socket."""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from accounts import services as account_services
from accounts.models import Membership
from bourse.moderation import services as moderation_services
from messaging.models import Message
from tests import factories
from tests.messaging.test_consumer import expect_closed, expect_error, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def remove_member(user, *, by) -> None:
    membership = Membership.objects.get(user=user)
    account_services.membership_remove(membership=membership, by=by)


async def socket_of(client: Client):
    communicator, connected = await open_socket(cookie=client.cookies["sessionid"].value)
    assert connected
    return communicator


async def test_removing_a_member_closes_their_sockets(conversation, owner, owner_colleague):
    colleague_client = await database_sync_to_async(logged_in_client)(owner_colleague)
    socket = await socket_of(colleague_client)

    await database_sync_to_async(remove_member)(owner_colleague, by=owner)
    await expect_closed(socket, 4403)
    await socket.disconnect()


async def test_deleting_an_account_closes_its_sockets(conversation, writer_colleague):
    client = await database_sync_to_async(logged_in_client)(writer_colleague)
    socket = await socket_of(client)
    await database_sync_to_async(account_services.user_delete)(user=writer_colleague)
    await expect_closed(socket, 4403)
    await socket.disconnect()


async def test_web_logout_closes_that_sessions_sockets_only(conversation, owner):
    leaving = await database_sync_to_async(logged_in_client)(owner)
    staying = await database_sync_to_async(logged_in_client)(owner)
    closed, kept = await socket_of(leaving), await socket_of(staying)
    response = await database_sync_to_async(leaving.post)("/comptes/logout/")
    assert response.status_code == 302
    await expect_closed(closed, 4403)
    assert await kept.receive_nothing(timeout=0.3)
    await closed.disconnect()
    await kept.disconnect()


async def test_app_logout_closes_the_tokens_sockets(conversation, owner):
    def app_login():
        response = Client().post(
            "/_allauth/app/v1/auth/login",
            {"email": owner.email, "password": factories.PASSWORD},
            content_type="application/json",
        )
        return response.json()["meta"]["session_token"]

    token = await database_sync_to_async(app_login)()
    socket, connected = await open_socket(token=token, origin=None)
    assert connected
    response = await database_sync_to_async(Client().delete)(
        "/_allauth/app/v1/auth/session", headers={"X-Session-Token": token}
    )
    assert response.status_code == 401  # allauth: logged out
    await expect_closed(socket, 4403)
    await socket.disconnect()
    again, connected = await open_socket(token=token, origin=None)
    await expect_closed(again, 4401)
    await again.disconnect()


async def test_changing_the_password_closes_the_users_sockets(conversation, owner):
    client = await database_sync_to_async(logged_in_client)(owner)
    socket = await socket_of(client)
    response = await database_sync_to_async(client.post)(
        "/comptes/password/change/",
        {
            "oldpassword": factories.PASSWORD,
            "password1": "Un-autre-mot-de-passe-42",
            "password2": "Un-autre-mot-de-passe-42",
        },
    )
    assert response.status_code == 302, response.content
    await expect_closed(socket, 4403)
    await socket.disconnect()


async def test_suspending_the_company_closes_its_sockets_and_a_new_one_cannot_send(
    conversation, writer, other_company, cookies_writer
):
    socket, _ = await open_socket(cookie=cookies_writer)
    moderator = await database_sync_to_async(
        lambda: factories.ModeratorFactory(is_national=True, departements=[]).user
    )()
    await database_sync_to_async(moderation_services.company_suspend)(
        company=other_company, by=moderator, reason="Annonces trompeuses"
    )
    notification = await socket.receive_json_from(timeout=3)
    assert notification["type"] == "notification" and notification["kind"] == "company_status"
    await expect_closed(socket, 4403)
    await socket.disconnect()
    reopened, connected = await open_socket(cookie=cookies_writer)
    assert connected  # members still read their conversations
    await reopened.send_json_to(
        {"type": "message.send", "conversation": conversation.pk, "body": "Encore ?"}
    )
    await expect_error(reopened, "forbidden")
    await reopened.disconnect()


async def test_others_keep_their_sockets(conversation, owner, owner_colleague, cookies_writer):
    partner, _ = await open_socket(cookie=cookies_writer)
    colleague_client = await database_sync_to_async(logged_in_client)(owner_colleague)
    colleague = await socket_of(colleague_client)

    await database_sync_to_async(remove_member)(owner_colleague, by=owner)
    await expect_closed(colleague, 4403)
    assert await partner.receive_nothing(timeout=0.3)
    await partner.disconnect()
    await colleague.disconnect()


@pytest.fixture
def cookies_writer(writer):
    return session_cookie(writer)


# --- Frames of any shape ------------------------------------------------------------------------
async def test_odd_frames_are_errors_and_the_socket_stays_usable(conversation, cookies_writer):
    socket, _ = await open_socket(cookie=cookies_writer)
    nested = "[" * 100_000 + "]" * 100_000  # json.loads would recurse out
    await socket.send_to(text_data=nested)
    await expect_error(socket, "too_large")
    await socket.send_to(text_data='{"type": "typing", "x": ' + "[" * 50 + "]" * 50 + "}")
    await expect_error(socket, "bad_json")
    await socket.send_to(text_data=json.dumps({"type": "x" * 40_000}))
    await expect_error(socket, "too_large")
    await socket.send_json_to({"type": "message.send\x00", "conversation": conversation.pk})
    await expect_error(socket, "unknown_type")
    await socket.send_json_to(
        {"type": "message.send", "conversation": conversation.pk, "body": "a", "client_id": "\x00"}
    )
    await expect_error(socket, "invalid_client_id")
    await socket.send_json_to(
        {"type": "message.send", "conversation": conversation.pk, "body": "Toujours là"}
    )
    event = await socket.receive_json_from(timeout=3)
    assert event["type"] == "message.new" and event["message"]["body"] == "Toujours là"
    assert await database_sync_to_async(Message.objects.filter(body="a").exists)() is False
    await socket.disconnect()


async def test_typing_is_relayed_at_most_once_per_two_seconds(conversation, cookies_writer, owner):
    typist, _ = await open_socket(cookie=cookies_writer)
    partner, _ = await open_socket(cookie=await database_sync_to_async(session_cookie)(owner))
    for _ in range(50):
        await typist.send_json_to({"type": "typing", "conversation": conversation.pk})
    first = await partner.receive_json_from(timeout=3)
    assert first["type"] == "typing" and "seq" not in first
    assert await partner.receive_nothing(timeout=0.5)
    await typist.disconnect()
    await partner.disconnect()
