"""channels_redis' pub/sub layer, made to survive a Redis restart.

The stock layer (channels_redis 4.3, `RedisPubSubChannelLayer`) loses deliveries around an
outage, for three reasons found by stopping Redis under it:

- A subscription asked for while Redis is down (a socket's own channel, a group) raises, so a
  socket's handshake fails with a 500, and the channel is never subscribed afterwards.
- Its receiving task reconnects through redis-py's connect callback, which replays only the
  channels redis-py had *confirmed*; it retries once a second after an error, and nothing tells
  the rest of the process when the subscriptions are whole again.
- A publish goes through a pooled connection that went stale during the outage: the first
  publish after the restart fails (and its event is lost) before the pool reconnects.

Here a shard remembers every channel the process wants (`_subscribed_to`, whether Redis answered
or not), and its receiving task, on any error, builds a new subscriber connection and subscribes
all of them again, every quarter of a second until Redis answers. A publish that meets a stale
connection is retried once on a fresh one. `probe()` sends a message to this process through
Redis and waits for it: true only when publishing *and* this process's subscriptions work, which
is what `bourse.core.realtime` reports as the layer being up.

Configured in settings as `bourse.core.channel_layer.RedisPubSubLayer` with the stock layer's
options. It also numbers events (`incr`) on the same Redis, so that a sequence is shared by every
server process.
"""

import asyncio
import contextlib
import logging
import uuid

from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _wrap_close
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What a Redis outage raises through redis-py (OSError covers refused and reset sockets).
OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError, asyncio.TimeoutError)
RESUBSCRIBE_EVERY_SECONDS = 0.25


class _Shard(RedisSingleShardConnection):
    def __init__(self, host, channel_layer):
        super().__init__(host, channel_layer)
        # Set when the subscriber connection failed: the receiving task rebuilds it.
        self._broken = False
        # Numbering one round trip at a time, as publishing is (under `_lock`): the pool then
        # holds one connection for each, whatever the bursts. Without it every numbering in
        # flight took a connection of its own and the pool kept them: 44 of them per process
        # after 200 sockets sent at once (bench/soak.py), more after each saturated burst.
        self._count_lock = asyncio.Lock()

    async def publish(self, channel, message):
        async with self._lock:
            self._ensure_redis()
            try:
                await self._redis.publish(channel, message)
            except OUTAGE_ERRORS:
                # A pooled connection that went stale while Redis restarted: once more, on a
                # new one. If Redis is really down, this raises again, to the caller.
                await self._redis.connection_pool.disconnect()
                await self._redis.publish(channel, message)

    async def subscribe(self, channel):
        async with self._lock:
            if channel in self._subscribed_to:
                return
            # Wanted from now on, whatever Redis answers: the receiving task subscribes it
            # again after any failure.
            self._subscribed_to.add(channel)
            self._ensure_redis()
            self._ensure_receiver()
            try:
                await self._pubsub.subscribe(channel)
            except OUTAGE_ERRORS as exc:
                logger.warning("channel layer: subscribing %s failed, will retry: %r", channel, exc)
                self._broken = True

    async def unsubscribe(self, channel):
        async with self._lock:
            if channel not in self._subscribed_to:
                return
            self._subscribed_to.discard(channel)
            self._ensure_redis()
            self._ensure_receiver()
            try:
                await self._pubsub.unsubscribe(channel)
            except OUTAGE_ERRORS:
                self._broken = True  # the new connection will not subscribe it

    async def _rebuild(self) -> None:
        """A new subscriber connection, subscribed to every wanted channel (raises when Redis
        does not answer)."""
        async with self._lock:
            old, self._pubsub = self._pubsub, None
            if old is not None:
                with contextlib.suppress(Exception):  # the old connection is dead anyway
                    await old.aclose()
            self._ensure_redis()
            self._pubsub = self._redis.pubsub()
            wanted = sorted(self._subscribed_to)
            if wanted:
                await self._pubsub.subscribe(*wanted)
            self._broken = False
            logger.info("channel layer: subscribed again to %d channel(s)", len(wanted))

    async def _do_receiving(self):
        while True:
            try:
                if self._broken:
                    await self._rebuild()
                if self._pubsub is not None and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=0.1
                    )
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
            except (asyncio.CancelledError, GeneratorExit):
                raise
            except Exception as exc:  # noqa: BLE001 - Redis down, or anything else: rebuild
                if not self._broken:
                    logger.warning("channel layer: subscriber connection lost: %r", exc)
                self._broken = True
                await asyncio.sleep(RESUBSCRIBE_EVERY_SECONDS)

    async def incr(self, keys: list[str]) -> list[int]:
        """INCR each key in one round trip (retried once on a stale connection)."""
        async with self._count_lock:
            self._ensure_redis()
            for attempt in (1, 2):
                try:
                    async with self._redis.pipeline(transaction=False) as pipe:
                        for key in keys:
                            pipe.incr(key)
                        return [int(n) for n in await pipe.execute()]
                except OUTAGE_ERRORS:
                    if attempt == 2:
                        raise
                    await self._redis.connection_pool.disconnect()
        raise AssertionError("unreachable")

    async def mget(self, keys: list[str]) -> list[int]:
        async with self._count_lock:
            self._ensure_redis()
            values = await self._redis.mget(keys)
        return [int(v) if v is not None else 0 for v in values]


class _ProbeInbox:
    """Where the probe channel's messages land (in place of a channel's queue): each wakes the
    probe that sent it."""

    def __init__(self, channel_layer):
        self.channel_layer = channel_layer
        self.waiters: dict[str, asyncio.Future] = {}

    def put_nowait(self, raw) -> None:
        token = self.channel_layer.deserialize(raw).get("token")
        waiter = self.waiters.pop(token, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(True)


class _LoopLayer(RedisPubSubLoopLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shards = [_Shard(shard.host, self) for shard in self._shards]
        self._probe_channel = None

    async def probe(self, timeout: float) -> bool:
        """True when a message published now comes back to this process in time; False when
        it does not (a busy process, or subscriptions not yet whole); raises when Redis cannot
        be reached. Several probes may run at once (the monitor, /healthz)."""
        if self._probe_channel is None:
            self._probe_channel = f"{self.prefix}probe.{uuid.uuid4().hex}"
            self.channels[self._probe_channel] = _ProbeInbox(self.channel_layer)
            await self._get_shard(self._probe_channel).subscribe(self._probe_channel)
        inbox = self.channels[self._probe_channel]
        token = uuid.uuid4().hex
        arrived = inbox.waiters[token] = asyncio.get_running_loop().create_future()
        try:
            await self.send(self._probe_channel, {"type": "probe", "token": token})
            await asyncio.wait_for(arrived, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            inbox.waiters.pop(token, None)

    def _seq_shard(self) -> _Shard:
        return self._shards[0]

    async def incr(self, keys: list[str]) -> list[int]:
        return await self._seq_shard().incr([f"{self.prefix}:{key}" for key in keys])

    async def current(self, keys: list[str]) -> list[int]:
        return await self._seq_shard().mget([f"{self.prefix}:{key}" for key in keys])


class RedisPubSubLayer(RedisPubSubChannelLayer):
    """The stock pub/sub layer with the repairs above (same configuration)."""

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
            return layer

    async def probe(self, timeout: float = 2.0) -> bool:
        return await self._get_layer().probe(timeout)

    async def incr(self, keys: list[str]) -> list[int]:
        return await self._get_layer().incr(keys)

    async def current(self, keys: list[str]) -> list[int]:
        return await self._get_layer().current(keys)
