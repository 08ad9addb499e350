import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Company
from messaging import pgasync, queries, sending, services
from messaging.models import Conversation, Message, ReadMark
from tests import factories

pytestmark = pytest.mark.django_db


def listen(company_id: int) -> str:
    """A channel of the test, member of the company's group (in-memory channel layer)."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"company.{company_id}", channel)
    return channel


def received(channel: str) -> list[dict]:
    layer = get_channel_layer()
    events = []

    async def drain():
        import asyncio

        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout=0.05)
            except TimeoutError:
                return
            event = dict(message["event"])
            # Numbered (bourse.core.realtime), typing aside; the number is tested there.
            assert isinstance(event.pop("seq", None), int) or event["type"] == "typing"
            events.append(event)

    async_to_sync(drain)()
    return events


@pytest.fixture(autouse=True)
def _in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def test_conversation_start_creates_then_reuses(listing, writer, writer_colleague):
    first, created = services.conversation_start(listing=listing, by=writer, body="Bonjour")
    again, created_again = services.conversation_start(
        listing=listing, by=writer_colleague, body="Toujours intéressés"
    )
    assert created is True and created_again is False
    assert again.pk == first.pk
    assert first.owner_company_id == listing.company_id
    assert list(first.messages.values_list("body", flat=True)) == [
        "Bonjour",
        "Toujours intéressés",
    ]


def test_database_refuses_a_second_conversation_for_the_same_pair(conversation):
    expected = "one conversation per listing and company pair|UNIQUE"
    with pytest.raises(IntegrityError, match=expected), transaction.atomic():
        factories.ConversationFactory(
            listing=conversation.listing,
            owner_company=conversation.owner_company,
            other_company=conversation.other_company,
        )


def test_message_is_pushed_to_both_companies_after_commit(
    conversation, owner, company, other_company, django_capture_on_commit_callbacks
):
    owner_channel, writer_channel = listen(company.pk), listen(other_company.pk)
    with django_capture_on_commit_callbacks(execute=True):
        message, created = services.message_send(
            conversation=conversation, by=owner, body=" Oui ! "
        )
        assert received(owner_channel) == []  # nothing leaves before commit
    assert created and message.body == "Oui !"
    for channel in (owner_channel, writer_channel):
        events = received(channel)
        assert [e["type"] for e in events] == ["message.new"]
        assert events[0]["message"]["id"] == message.pk
        assert events[0]["message"]["sender"] == {"id": owner.pk, "name": owner.display_name}
        assert events[0]["message"]["company"] == {"id": company.pk, "name": company.name}


def test_nothing_is_pushed_when_the_transaction_rolls_back(
    conversation, owner, company, django_capture_on_commit_callbacks
):
    channel = listen(company.pk)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.message_send(conversation=conversation, by=owner, body="Annulé")
        raise RuntimeError
    assert received(channel) == []
    assert not Message.objects.filter(body="Annulé").exists()


def test_repeated_client_id_returns_the_first_message(conversation, owner):
    first, created = services.message_send(
        conversation=conversation, by=owner, body="Une fois", client_id="abc"
    )
    again, created_again = services.message_send(
        conversation=conversation, by=owner, body="Une fois", client_id="abc"
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert Message.objects.filter(client_id="abc").count() == 1


def test_same_client_id_from_another_user_is_another_message(conversation, owner, owner_colleague):
    a, _ = services.message_send(conversation=conversation, by=owner, body="A", client_id="x")
    b, _ = services.message_send(
        conversation=conversation, by=owner_colleague, body="B", client_id="x"
    )
    assert a.pk != b.pk


def test_database_refuses_a_duplicate_client_id(conversation, owner, company):
    services.message_send(conversation=conversation, by=owner, body="A", client_id="dup")
    with (
        pytest.raises(IntegrityError, match="message_unique_client_id|UNIQUE"),
        transaction.atomic(),
    ):
        factories.MessageFactory(
            conversation=conversation, sender=owner, company=company, body="B", client_id="dup"
        )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "empty_body"),
        ("   \n ", "empty_body"),
        ("x" * 5001, "body_too_long"),
        (12, "invalid_body"),
    ],
)
def test_bad_bodies_are_refused(conversation, owner, body, code):
    with pytest.raises(services.InvalidBody) as excinfo:
        services.message_send(conversation=conversation, by=owner, body=body)
    assert excinfo.value.code == code


def test_a_body_of_exactly_5000_characters_is_accepted(conversation, owner):
    message, _ = services.message_send(conversation=conversation, by=owner, body="é" * 5000)
    assert len(message.body) == 5000


def test_client_id_longer_than_64_is_refused(conversation, owner):
    with pytest.raises(services.InvalidClientId):
        services.message_send(conversation=conversation, by=owner, body="A", client_id="x" * 65)


def test_the_31st_message_in_a_minute_is_rate_limited(conversation, owner):
    for i in range(services.RATE_LIMIT_MESSAGES):
        services.message_send(conversation=conversation, by=owner, body=f"m{i}")
    with pytest.raises(services.RateLimited):
        services.message_send(conversation=conversation, by=owner, body="de trop")
    assert not Message.objects.filter(body="de trop").exists()


def test_the_rate_limit_counts_the_last_minute_only(conversation, owner):
    for i in range(services.RATE_LIMIT_MESSAGES):
        services.message_send(conversation=conversation, by=owner, body=f"m{i}")
    Message.objects.filter(sender=owner).update(
        created_at=timezone.now() - timedelta(seconds=services.RATE_LIMIT_WINDOW_SECONDS + 1)
    )
    message, created = services.message_send(conversation=conversation, by=owner, body="ok")
    assert created and message.body == "ok"


def test_rate_limit_is_per_user(conversation, owner, owner_colleague):
    for i in range(services.RATE_LIMIT_MESSAGES):
        services.message_send(conversation=conversation, by=owner, body=f"m{i}")
    message, created = services.message_send(
        conversation=conversation, by=owner_colleague, body="ok"
    )
    assert created


def test_a_repeated_client_id_does_not_count_towards_the_rate_limit(conversation, owner):
    for _ in range(services.RATE_LIMIT_MESSAGES + 5):
        services.message_send(conversation=conversation, by=owner, body="retry", client_id="same")
    assert Message.objects.filter(body="retry").count() == 1


def test_unread_counts_per_company_and_read_marks(
    conversation, owner, writer, company, other_company
):
    m2, _ = services.message_send(conversation=conversation, by=owner, body="Oui")
    m3, _ = services.message_send(conversation=conversation, by=owner, body="Quand ?")
    # The writer's company has two unread messages, the owner's one (the first message).
    assert queries.unread_total(other_company.pk) == 2
    assert queries.unread_total(company.pk) == 1
    assert services.mark_read(conversation=conversation, by=writer, up_to=m2.pk) is True
    assert queries.unread_total(other_company.pk) == 1
    # Marks never move back.
    assert services.mark_read(conversation=conversation, by=writer, up_to=m2.pk) is False
    first = conversation.messages.order_by("id").first()
    services.mark_read(conversation=conversation, by=writer, up_to=first.pk)
    assert ReadMark.objects.get(company=other_company).last_read_message_id == m2.pk
    annotated = Conversation.objects.with_unread_count(other_company.pk).get()
    assert annotated.unread_count == 1
    assert m3.pk > m2.pk


def test_read_is_pushed_to_both_companies(
    conversation, owner, company, other_company, django_capture_on_commit_callbacks
):
    channels = listen(company.pk), listen(other_company.pk)
    first = conversation.messages.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_read(conversation=conversation, by=owner, up_to=first.pk)
    for channel in channels:
        assert received(channel) == [
            {
                "type": "read",
                "conversation": conversation.pk,
                "company": company.pk,
                "up_to": first.pk,
            }
        ]


def test_read_mark_must_name_a_message_of_the_conversation(conversation, owner, listing, db):
    elsewhere = factories.MembershipFactory(company=factories.CompanyFactory()).user
    other_conversation, _ = services.conversation_start(listing=listing, by=elsewhere, body="Hi")
    foreign = other_conversation.messages.get()
    with pytest.raises(services.InvalidReadMark):
        services.mark_read(conversation=conversation, by=owner, up_to=foreign.pk)


def test_typing_reaches_only_the_other_company(conversation, owner, company, other_company):
    own, partner = listen(company.pk), listen(other_company.pk)
    async_to_sync(services.typing)(conversation=conversation, by=owner, by_company_id=company.pk)
    assert received(own) == []
    assert received(partner) == [
        {
            "type": "typing",
            "conversation": conversation.pk,
            "user": {"id": owner.pk, "name": owner.display_name},
        }
    ]


def test_deleting_an_account_anonymises_its_messages(conversation, writer):
    message = conversation.messages.get()
    writer.delete()
    message.refresh_from_db()
    assert message.sender is None
    from messaging.events import message_payload

    assert message_payload(message)["sender"] == {"id": None, "name": "Utilisateur supprimé"}


def test_last_message_and_updated_at_follow_the_newest_message(conversation, owner):
    before = conversation.updated_at
    message, _ = services.message_send(conversation=conversation, by=owner, body="Dernier")
    conversation.refresh_from_db()
    assert conversation.last_message_id == message.pk
    assert conversation.updated_at >= before


def send_on_an_event_loop(**kwargs):
    """services.amessage_send on an event loop with one socket registered, as the
    consumer calls it; the loop's connections are closed when it returns."""

    async def run():
        pgasync.socket_opened()
        try:
            return await services.amessage_send(**kwargs)
        finally:
            await pgasync.socket_closed()

    return asyncio.run(run())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sockets_single_statement_stores_only_what_the_general_path_would(
    conversation, owner, writer, outsider, company
):
    """PostgreSQL: amessage_send checks in SQL what the general path checks in Python.
    Whatever it does not store, it leaves to the general path (None), storing nothing."""
    send_from_a_socket = send_on_an_event_loop
    message = send_from_a_socket(
        conversation_id=conversation.pk, by=owner, body="Oui, il est libre", client_id="c1"
    )
    assert message is not None and message.company.pk == company.pk
    stored = Message.objects.get(pk=message.pk)
    assert (stored.body, stored.client_id, stored.sender_id) == (
        "Oui, il est libre",
        "c1",
        owner.pk,
    )
    assert Conversation.objects.get(pk=conversation.pk).last_message_id == message.pk
    before = Message.objects.count()
    refused = [  # a repeated client_id, not a side, no such conversation, a bad body
        (conversation.pk, owner, "encore", "c1"),
        (conversation.pk, outsider, "intrus", None),
        (conversation.pk + 1000, owner, "nulle part", None),
        (conversation.pk, owner, "nul\x00", None),
    ]
    for conversation_id, by, body, client_id in refused:
        assert (
            send_from_a_socket(
                conversation_id=conversation_id, by=by, body=body, client_id=client_id
            )
            is None
        )
    company.status = Company.Status.SUSPENDED
    company.save(update_fields=["status"])
    assert send_from_a_socket(conversation_id=conversation.pk, by=owner, body="x") is None
    company.status = Company.Status.VERIFIED
    company.save(update_fields=["status"])
    for i in range(services.RATE_LIMIT_MESSAGES - 1):
        send_from_a_socket(conversation_id=conversation.pk, by=owner, body=f"m{i}")
    assert send_from_a_socket(conversation_id=conversation.pk, by=owner, body="trop") is None
    assert Message.objects.count() == before + services.RATE_LIMIT_MESSAGES - 1
    assert not Message.objects.filter(
        body__in=["encore", "intrus", "nulle part", "x", "trop"]
    ).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_event_loop_path_runs_only_while_the_loop_has_sockets(conversation, owner):
    """No socket registered on the loop: the statement is not run (the threads' path is
    taken); the last socket leaving closes the loop's connections."""

    async def run():
        without = await services.amessage_send(
            conversation_id=conversation.pk, by=owner, body="sans socket"
        )
        pgasync.socket_opened()
        with_socket = await services.amessage_send(
            conversation_id=conversation.pk, by=owner, body="avec socket"
        )
        connections = pgasync._loops[asyncio.get_running_loop()]
        kept = [c for c in connections.idle if not c.closed]
        await pgasync.socket_closed()
        return without, with_socket, kept, list(connections.idle)

    without, with_socket, kept, idle_after = asyncio.run(run())
    assert without is None and with_socket is not None
    assert len(kept) == 1 and kept[0].closed and idle_after == []
    assert not Message.objects.filter(body="sans socket").exists()
    assert Message.objects.filter(body="avec socket").count() == 1


def test_a_message_is_pushed_to_the_partners_company_first(
    conversation, owner, writer, company, other_company
):
    from_owner, _ = services.message_send(conversation=conversation, by=owner, body="Oui")
    from_writer, _ = services.message_send(conversation=conversation, by=writer, body="Merci")
    assert sending._partner_first(conversation, from_owner) == (other_company.pk, company.pk)
    assert sending._partner_first(conversation, from_writer) == (company.pk, other_company.pk)


def test_message_indexes_are_the_named_ones_and_no_redundant_key_index():
    """Every chat line writes each index of the table: the keys `conversation` and `sender` are
    served by the composite indexes that lead with them, not by indexes of their own."""
    from django.db import connection

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Message._meta.db_table)
    indexes = {name: info["columns"] for name, info in found.items() if info["index"]}
    assert indexes["message_conv_newest"] == ["conversation_id", "id"]
    assert indexes["message_sender_recent"] == ["sender_id", "created_at"]
    single_keys = [
        cols for cols in indexes.values() if cols in (["conversation_id"], ["sender_id"])
    ]
    assert single_keys == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("pooler", [False, True])
def test_the_chat_statement_is_prepared_unless_behind_a_transaction_pooler(
    conversation, owner, pooler
):
    """PgBouncer in transaction mode (PG_TRANSACTION_POOLER: Django's
    DISABLE_SERVER_SIDE_CURSORS) may run the next statement on another server connection,
    where a prepared statement does not exist: then nothing is prepared."""
    from django.db import connections

    settings_dict = connections["default"].settings_dict
    before = settings_dict.get("DISABLE_SERVER_SIDE_CURSORS", False)
    settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = pooler

    async def run():
        pgasync.socket_opened()
        try:
            stored = await services.amessage_send(
                conversation_id=conversation.pk, by=owner, body="Préparé ?"
            )
            pool = pgasync._loops[asyncio.get_running_loop()]
            cursor = await pool.idle[0].execute("SELECT count(*) FROM pg_prepared_statements")
            return stored, (await cursor.fetchone())[0]
        finally:
            await pgasync.socket_closed()

    try:
        stored, prepared = asyncio.run(run())
    finally:
        settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = before
    assert stored is not None
    assert prepared == (0 if pooler else 1)
