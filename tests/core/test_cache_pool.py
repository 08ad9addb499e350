"""The cache keeps one Redis connection pool per process (bourse/core/cache.py).

Under ASGI each request runs in a context of its own, and Django's stock RedisCache built a new
cache object, pool and Redis connection for each of them: the soak saw Redis' client count grow
for as long as it ran. Here requests are played as uvicorn runs them (a task each, the cache used
from a thread), against a private redis-server whose clients are this test's only.
"""

import asyncio
import shutil
import time

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.test import override_settings

from bourse.core import cache as shared_cache

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")


async def _requests(n: int) -> set[int]:
    def request() -> int:
        cache = caches["default"]
        cache.add("hits", 0)
        cache.incr("hits")
        return id(cache._cache)

    clients = set()
    for _ in range(n):
        clients.add(await asyncio.create_task(sync_to_async(request)()))
    return clients


async def _concurrent_requests(n: int) -> None:
    def request() -> None:
        caches["default"].incr("hits")
        time.sleep(0.01)  # other threads run meanwhile

    await asyncio.gather(
        *(asyncio.create_task(sync_to_async(request, thread_sensitive=False)()) for _ in range(n))
    )


def test_requests_share_one_bounded_pool(private_redis):
    settings_cache = {
        "default": {
            "BACKEND": "bourse.core.cache.RedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": "pooltest",
            "OPTIONS": {
                "pool_class": "redis.BlockingConnectionPool",
                "max_connections": 4,
                "timeout": 5,
            },
        }
    }
    with override_settings(CACHES=settings_cache):
        try:
            clients = asyncio.run(_requests(40))
            # One client (one pool) for every request of the process; Django's stock backend
            # built one per request here.
            assert len(clients) == 1
            assert caches["default"].get("hits") == 40
            # Sequential requests: one connection, reused, whatever the garbage collector does.
            assert private_redis.clients() == 1
            asyncio.run(_requests(40))
            assert private_redis.clients() == 1
            # 40 requests at once: they wait for one of the pool's 4 connections.
            asyncio.run(_concurrent_requests(40))
            assert caches["default"].get("hits") == 120
            assert private_redis.clients() <= 4
        finally:
            for pool in shared_cache.connection_pools():
                pool.disconnect()
            shared_cache._clients.clear()
