"""Django's Redis cache with one connection pool per process, not one per request.

Django's `RedisCache` keeps its redis-py client, and with it its connection pool, on the cache
object; `django.core.cache.caches` keeps one cache object per context, and under ASGI every
request runs in a context of its own. So each request that touched the cache (a throttle, a
rate limit) built a new pool and opened a new TCP connection to Redis, which stayed open until
the garbage collector reached the dropped pool: Redis' connected clients grew with the traffic
(+15 to +43 over a 5-minute soak, bench/soak.py) and each request paid a connection set-up.

Here every cache object of a process with the same servers and options shares one client, and
so one thread-safe pool: it holds as many connections as requests used the cache at the same
moment, and keeps them. Configured in settings as `bourse.core.cache.RedisCache`, with the stock
backend's options.
"""

from __future__ import annotations

import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.utils.functional import cached_property

_clients: dict[tuple, RedisCacheClient] = {}
_clients_lock = threading.Lock()


def _key(servers, options: dict) -> tuple:
    return (tuple(servers), tuple(sorted((k, repr(v)) for k, v in options.items())))


class RedisCache(DjangoRedisCache):
    @cached_property
    def _cache(self) -> RedisCacheClient:
        key = _key(self._servers, self._options)
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = self._class(self._servers, **self._options)
            return client


def connection_pools() -> list:
    """The pools this process holds (for tests and diagnostics)."""
    with _clients_lock:
        return [pool for client in _clients.values() for pool in client._pools.values()]
