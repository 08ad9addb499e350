"""End to end against running uvicorn processes, with a real WebSocket client and Redis."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

from .live import Server, live_database, prepare, server_env

pytestmark = [pytest.mark.redis, pytest.mark.slow]


async def open_socket(server: Server, token: str):
    # No Origin: an app client, authenticated by X-Session-Token.
    return await connect(
        server.ws, additional_headers={"X-Session-Token": token}, proxy=None, open_timeout=10
    )


async def next_event(ws, type_: str, timeout: float = 5.0) -> dict:
    """The next event of this type (others, like read marks, are skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            event = json.loads(await ws.recv())
            if event["type"] == type_:
                return event


@pytest.fixture
def two_servers(tmp_path):
    with live_database(tmp_path) as database_url:
        env = server_env(database_url)
        seed = prepare(env)
        servers = []
        try:
            servers.append(Server(env, tmp_path / "a.log"))
            servers.append(Server(env, tmp_path / "b.log"))
            yield servers[0], servers[1], seed
        finally:
            for server in servers:
                server.stop()


def test_message_sent_through_process_a_reaches_a_client_of_process_b(two_servers):
    a, b, seed = two_servers
    owner_token, writer_token = a.app_login(seed["owner"]), b.app_login(seed["writer"])
    conversation = seed["conversation"]

    async def scenario():
        owner_ws = await open_socket(a, owner_token)
        writer_ws = await open_socket(b, writer_token)
        try:
            await owner_ws.send(
                json.dumps(
                    {
                        "type": "message.send",
                        "conversation": conversation,
                        "body": "Envoyé par A",
                        "client_id": "a-1",
                    }
                )
            )
            on_b = await next_event(writer_ws, "message.new")
            echo_on_a = await next_event(owner_ws, "message.new")
            assert on_b["message"]["body"] == "Envoyé par A"
            assert on_b["message"]["company"]["id"] == seed["owner_company"]
            assert echo_on_a["message"]["client_id"] == "a-1"
            # And back, from B to A, with the typing indicator crossing too.
            await writer_ws.send(json.dumps({"type": "typing", "conversation": conversation}))
            typing = await next_event(owner_ws, "typing")
            assert typing["conversation"] == conversation
            await writer_ws.send(
                json.dumps(
                    {"type": "message.send", "conversation": conversation, "body": "Reçu par B"}
                )
            )
            assert (await next_event(owner_ws, "message.new"))["message"]["body"] == "Reçu par B"
            return on_b["message"]
        finally:
            await owner_ws.close()
            await writer_ws.close()

    message = asyncio.run(scenario())
    # Stored first: both processes serve it over HTTP.
    for server, token in ((a, owner_token), (b, writer_token)):
        status, page = server.request(
            "GET", f"/api/v1/conversations/{conversation}/messages/", token=token
        )
        assert status == 200
        assert message["id"] in [m["id"] for m in page["results"]]


@pytest.fixture
def one_server(tmp_path):
    with live_database(tmp_path) as database_url:
        env = server_env(database_url)
        seed = prepare(env)
        server = Server(env, tmp_path / "server.log")
        try:
            yield server, seed
        finally:
            server.stop()


def test_socket_delivery_then_http_catch_up_after_a_reconnect(one_server):
    server, seed = one_server
    owner_token, writer_token = server.app_login(seed["owner"]), server.app_login(seed["writer"])
    conversation = seed["conversation"]
    messages_path = f"/api/v1/conversations/{conversation}/messages/"

    async def scenario():
        owner_ws = await open_socket(server, owner_token)
        writer_ws = await open_socket(server, writer_token)
        await owner_ws.send(
            json.dumps({"type": "message.send", "conversation": conversation, "body": "En direct"})
        )
        live = (await next_event(writer_ws, "message.new"))["message"]
        # The partner goes offline; three messages are sent meanwhile, one of them over HTTP.
        await writer_ws.close()
        for i in range(2):
            await owner_ws.send(
                json.dumps(
                    {"type": "message.send", "conversation": conversation, "body": f"absent {i}"}
                )
            )
            await next_event(owner_ws, "message.new")
        status, body = await asyncio.to_thread(
            server.request, "POST", messages_path, token=owner_token, data={"body": "par HTTP"}
        )
        assert status == 201
        await next_event(owner_ws, "message.new")  # HTTP sends are pushed too
        await owner_ws.close()
        return live

    live = asyncio.run(scenario())
    assert live["body"] == "En direct"
    # The reconnecting client asks for what came after the last id it saw.
    status, page = server.request("GET", f"{messages_path}?after={live['id']}", token=writer_token)
    assert status == 200
    assert [m["body"] for m in page["results"]] == ["absent 0", "absent 1", "par HTTP"]
    status, newest = server.request("GET", messages_path, token=writer_token)
    ids = [m["id"] for m in newest["results"]]
    assert len(ids) == len(set(ids)) == 5  # first message + 4, none twice


def test_foreign_origin_and_anonymous_sockets_are_refused_by_the_server(one_server):
    server, seed = one_server
    token = server.app_login(seed["owner"])

    async def refused(**kwargs) -> bool:
        try:
            ws = await connect(server.ws, proxy=None, open_timeout=10, **kwargs)
        except Exception:  # noqa: BLE001 - any handshake refusal
            return True
        await ws.close()
        return False

    async def scenario():
        assert await refused()
        assert await refused(origin="http://127.0.0.1:1", additional_headers={})
        assert await refused(
            origin="https://evil.example", additional_headers={"X-Session-Token": token}
        )
        ws = await connect(
            server.ws,
            proxy=None,
            origin=f"http://127.0.0.1:{server.port}",
            additional_headers={"X-Session-Token": token},
        )
        await ws.close()

    asyncio.run(scenario())
