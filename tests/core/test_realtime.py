"""bourse.core.realtime: numbered events, nothing raised into the caller, sent after commit."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from bourse.core import realtime


def in_thread(action) -> None:
    """Run `action` and close the database connection its thread opened (left open, it is
    collected later, in another test, as an unraisable ResourceWarning on PostgreSQL)."""
    from django.db import connections

    try:
        action()
    finally:
        connections.close_all()


def collect(groups: list[str], action) -> dict[str, list[dict]]:
    """The events each group receives while `action` (sync, in a thread) runs."""
    layer = get_channel_layer()

    async def run():
        channels = {}
        for group in groups:
            channels[group] = await layer.new_channel()
            await layer.group_add(group, channels[group])
        await asyncio.to_thread(in_thread, action)
        received = {group: [] for group in groups}
        for group, channel in channels.items():
            while True:
                try:
                    message = await asyncio.wait_for(layer.receive(channel), timeout=0.3)
                except TimeoutError:
                    break
                received[group].append(message["event"])
            await layer.group_discard(group, channel)
        return received

    return async_to_sync(run)()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_events_are_numbered_per_company_and_per_user_typing_aside():
    groups = [realtime.company_group(901), realtime.company_group(902), realtime.user_group(903)]

    def send():
        for n in range(3):
            realtime.send_event_on_commit(companies=(901, 902), event={"type": "read", "n": n})
        realtime.send_event_on_commit(companies=(901,), event={"type": "typing"})
        realtime.send_event_on_commit(users=(903,), event={"type": "notification", "n": 9})

    received = collect(groups, send)
    first = received["company.901"]
    assert [e["n"] for e in first[:3]] == [0, 1, 2]
    start = first[0]["seq"]
    assert [e["seq"] for e in first[:3]] == [start, start + 1, start + 2]
    assert first[3] == {"type": "typing"}  # not numbered
    other = [e["seq"] for e in received["company.902"]]
    assert other == [other[0], other[0] + 1, other[0] + 2]  # its own sequence
    (to_user,) = received["user.903"]
    assert to_user["to"] == "user" and isinstance(to_user["seq"], int)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_leaves_before_commit_nor_after_a_rollback():
    group = realtime.company_group(904)

    def rolled_back():
        with transaction.atomic():
            realtime.send_event_on_commit(companies=(904,), event={"type": "read"})
            raise_inside()

    def raise_inside():
        transaction.set_rollback(True)

    assert collect([group], rolled_back) == {group: []}


def test_a_failing_layer_never_raises_into_the_caller(monkeypatch):
    layer = get_channel_layer()

    async def broken(*args, **kwargs):
        raise ConnectionError("Redis is down (test)")

    monkeypatch.setattr(layer, "group_send", broken)
    before = realtime.stats()["events_failed"]
    copies = async_to_sync(realtime.send_event)(companies=(1, 2), event={"type": "read"})
    assert set(copies) == {("company", 1), ("company", 2)}
    assert realtime.stats()["events_failed"] == before + 2
    async_to_sync(realtime.close_sockets)(group="user.1")  # no raise either
