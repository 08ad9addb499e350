"""Asyncio connections to PostgreSQL for the socket's one hot statement.

Every chat line sent over a socket is one statement (sending._SEND_POSTGRESQL). Run from a
database thread, it costs two hops between threads (to the thread, and the push back to the
event loop), each waiting for the GIL behind whatever the loop is doing: under load, that was
most of the gap between a chat line and a bare relay. Here the statement runs on the event
loop itself, over a few psycopg AsyncConnections kept per loop (autocommit: the statement is
its own transaction). Everything else, the ORM included, stays on the database threads.

A loop keeps at most MESSAGING_ASYNC_CONNECTIONS connections (0 turns this path off), opened
when first needed and closed when the last socket of the loop leaves: a server holds them while
it has sockets, and a test's loop leaves none open behind it.
"""

import asyncio
import contextlib
import logging
import weakref

import psycopg
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


def enabled(alias: str = "default") -> bool:
    return settings.MESSAGING_ASYNC_CONNECTIONS > 0 and connections[alias].vendor == "postgresql"


class LoopConnections:
    """The connections of one event loop, handed out one statement at a time."""

    def __init__(self, alias: str, size: int):
        self.alias = alias
        self.idle: list[psycopg.AsyncConnection] = []
        self.slots = asyncio.Semaphore(size)
        self.sockets = 0

    async def _connect(self) -> psycopg.AsyncConnection:
        params = connections[self.alias].get_connection_params()
        # Django's cursor class and adapters are for its own (synchronous) connections.
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        # A database that does not answer must not hold the socket for long: the threads'
        # path takes over when this fails.
        params.setdefault("connect_timeout", 5)
        return await psycopg.AsyncConnection.connect(**params, autocommit=True)

    @contextlib.asynccontextmanager
    async def connection(self):
        async with self.slots:
            conn = self.idle.pop() if self.idle else await self._connect()
            try:
                yield conn
            except BaseException:
                # Broken, or cancelled mid-statement: its state is unknown, never reuse it.
                await conn.close()
                raise
            if self.sockets > 0 and not conn.closed:
                self.idle.append(conn)
            else:
                await conn.close()

    async def close_idle(self) -> None:
        idle, self.idle = self.idle, []
        for conn in idle:
            await conn.close()


_loops: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopConnections]" = (
    weakref.WeakKeyDictionary()
)


def _of_this_loop(alias: str) -> LoopConnections:
    loop = asyncio.get_running_loop()
    found = _loops.get(loop)
    if found is None:
        found = _loops[loop] = LoopConnections(alias, settings.MESSAGING_ASYNC_CONNECTIONS)
    return found


def socket_opened(alias: str = "default") -> None:
    """A socket of this loop may use the connections (call once it is accepted)."""
    if enabled(alias):
        _of_this_loop(alias).sockets += 1


async def socket_closed(alias: str = "default") -> None:
    """That socket left; with the last one, the loop's connections close."""
    found = _loops.get(asyncio.get_running_loop())
    if found is None or found.sockets == 0:
        return
    found.sockets -= 1
    if found.sockets == 0:
        await found.close_idle()


def _prepare(alias: str) -> bool:
    # A statement prepared once per connection skips its planning afterwards. Not behind a
    # transaction pooler (DISABLE_SERVER_SIDE_CURSORS is Django's switch for PgBouncer's
    # transaction mode), where the next statement may land on another server connection.
    return not connections[alias].settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")


async def fetchone(sql: str, params: dict, alias: str = "default") -> tuple | None:
    """The first row of `sql`, run on one of this loop's connections.

    Raises Unavailable when this path is off, the loop has no socket registered, or the
    database could not be reached: the caller then takes its path through the threads.
    """
    if not enabled(alias):
        raise Unavailable("asyncio connections are off")
    pool = _loops.get(asyncio.get_running_loop())
    if pool is None or pool.sockets == 0:
        raise Unavailable("no socket of this loop registered")
    try:
        async with pool.connection() as conn:
            cursor = await conn.execute(sql, params, prepare=_prepare(alias))
            return await cursor.fetchone()
    except psycopg.Error as exc:
        # The threads' path runs the same checks through Django and answers (or fails) there.
        logger.warning("the asyncio path to the database failed: %r", exc)
        raise Unavailable(str(exc)) from exc


class Unavailable(Exception):
    """This path cannot run the statement now; the threads' path will."""
