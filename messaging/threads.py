"""The threads that do the sockets' database work, and how a call gets there.

Channels' default runs every consumer's database calls on ONE thread, so one commit (a WAL flush
on PostgreSQL, a few ms) waits for the previous one and a busy process stops keeping up. Several
threads (settings.MESSAGING_DB_THREADS) let PostgreSQL commit them side by side (one connection
per thread; set CONN_MAX_AGE so they persist). SQLite has one writer at a time: one thread.
"""

import asyncio
import contextvars
import functools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connections

from bourse.core import realtime


def _database_threads() -> int:
    if settings.MESSAGING_DB_THREADS:
        return max(1, settings.MESSAGING_DB_THREADS)
    engine = settings.DATABASES["default"]["ENGINE"]
    return 1 if engine == "django.db.backends.sqlite3" else 8


_executor = ThreadPoolExecutor(max_workers=_database_threads(), thread_name_prefix="ws-db")


# Django pings a persistent connection (CONN_HEALTH_CHECKS) before its first use in each
# request; for a socket, every message is a request, and the ping was one more round trip and
# a tenth of the server's time under load. The database threads ping at most once a second:
# a connection that broke in between fails one call (the client resends with the same
# client_id), and close_old_connections() drops it at the end of that call.
HEALTH_CHECK_SECONDS = 1.0
_pinged_at = threading.local()


def _skip_recent_health_checks() -> None:
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if conn.connection is None or not conn.health_check_enabled:
            continue
        last = getattr(_pinged_at, conn.alias, None)
        if last is not None and now - last < HEALTH_CHECK_SECONDS:
            conn.health_check_done = True
        else:
            setattr(_pinged_at, conn.alias, now)


def database_call(func):
    """Like channels' database_sync_to_async, on this module's threads.

    Old connections are closed inside the call itself: asgiref runs the function in a copy of
    the caller's context, and connections opened there are not visible to cleanup code that
    runs outside it (channels' version would leave them open on these threads).
    """

    @functools.wraps(func)
    def call(*args, **kwargs):
        close_old_connections()
        _skip_recent_health_checks()
        try:
            return func(*args, **kwargs)
        finally:
            close_old_connections()

    @functools.wraps(func)
    async def run(*args, **kwargs):
        loop = asyncio.get_running_loop()
        # Events a service sends on commit leave from this loop (bourse.core.realtime).
        realtime.calling_loop.set(loop)
        # The caller's context (active language, calling_loop) follows the call into the
        # thread. A plain executor hop: asgiref's sync_to_async does much more per call
        # (thread-sensitivity, deadlock detection), a tenth of the server's time under load.
        context = contextvars.copy_context()
        return await loop.run_in_executor(
            _executor, functools.partial(context.run, call, *args, **kwargs)
        )

    return run
