"""The channel layer holds a fixed number of Redis connections per process, whatever the bursts
(bourse/core/channel_layer.py): one to subscribe, one to publish, one to number events.

Every numbering in flight used to take a pooled connection of its own, which the pool then
kept: the soak's Redis client count grew with each burst of handshakes or sends. A private
redis-server, so that its client count is this test's alone.
"""

import asyncio
import shutil

import pytest

from bourse.core.channel_layer import RedisPubSubLayer

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")


def test_a_burst_of_events_uses_three_connections(private_redis):
    layer = RedisPubSubLayer(
        hosts=[{"address": private_redis.url, "max_connections": 1000}], prefix="conn-test"
    )

    async def burst():
        channel = await layer.new_channel()
        await layer.group_add("company.1", channel)
        # 200 events at once, as when 200 sockets send together: each numbered, then published.
        numbers = await asyncio.gather(
            *(layer.incr(["seq:company:1", f"seq:company:{2 + k % 50}"]) for k in range(200))
        )
        await asyncio.gather(
            *(layer.group_send("company.1", {"type": "x.y", "k": k}) for k in range(200))
        )
        assert await layer.probe(timeout=5)
        received = [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(200)]
        counted = private_redis.clients()
        await layer.flush()
        return numbers, received, counted

    numbers, received, counted = asyncio.run(burst())
    assert sorted(n[0] for n in numbers) == list(range(1, 201))  # each number given once
    assert sorted(m["k"] for m in received) == list(range(200))
    assert counted <= 3, counted
