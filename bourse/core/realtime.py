"""The one module that talks to the channel layer: groups, numbered events, closing sockets,
and whether the layer works.

Groups: every socket joins its company's group (`company.<id>`) and its user's (`user.<id>`).

Events: `send_event_on_commit(companies=..., users=..., event=...)` from a service, in its
transaction: after commit the event is numbered and sent to each group; `send_event(...)` is the
same, awaited, for code already on an event loop (the socket's own path). Neither ever raises:
with the channel layer down, the failure is logged and counted (`stats()`), the change stays
committed, and clients learn of the outage from the heartbeat and catch up over HTTP.

Numbering (`seq`): every event but `typing` carries `seq`, increasing by one per company (per
user, with `"to": "user"`, for an event addressed to one user), so a client that sees a gap
knows it missed something and fetches it over HTTP. With Redis the numbers come from INCR on
the same Redis as the channel layer, so they are shared by every server process; with the
in-memory layer (one process) from a counter in the process. Redis keeps no data here (no
persistence is assumed): after a Redis restart the numbers start again from 1. A client seeing
a number lower than the last one it saw treats it as a restart: it catches up over HTTP and
follows the new numbering. An event sent while Redis is down cannot be numbered; it is not
published either (the socket that sent a message still gets its acknowledgement, unnumbered).

Closing: `close_user_sockets_on_commit(user_id)` closes that user's sockets (code 4403) after
commit, all of them or only those of one session; `close_company_sockets_on_commit` those of
every member of a company. A close that cannot be published (Redis down) is made up for when
the layer comes back: each socket then checks its rights again (see the consumer).

Health: each server process (event loop) with sockets probes the layer every
REALTIME_PROBE_SECONDS (a message to itself through Redis, `channel_layer.RedisPubSubLayer
.probe`), tells its sockets at once when the state changes, and sends every socket a
`heartbeat` every REALTIME_HEARTBEAT_SECONDS: `{"type": "heartbeat", "layer": "up"|"down",
"seq": newest company number, "user_seq": newest user number}`. A client that hears "down"
polls over HTTP until it hears "up", then catches up once more.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import threading
import weakref
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# Message types on the channel layer; a consumer handles them as realtime_push / realtime_close.
PUSH = "realtime.push"
CLOSE = "realtime.close"

CLOSE_FORBIDDEN = 4403  # the socket's rights ended (removed, deleted, logged out, suspended)
CLOSE_UNAUTHENTICATED = 4401  # refused at the handshake: no valid session or token


def company_group(company_id: int) -> str:
    """The group every socket of a company's members joins."""
    return f"company.{company_id}"


def user_group(user_id: int) -> str:
    """The group every socket of one user joins."""
    return f"user.{user_id}"


def _group(kind: str, target_id: int) -> str:
    return company_group(target_id) if kind == "company" else user_group(target_id)


# --- Counters (for /healthz and the logs) ---------------------------------------------------
_stats = {"events_sent": 0, "events_failed": 0, "closes_failed": 0}
_stats_lock = threading.Lock()


def _count(name: str, n: int = 1) -> None:
    with _stats_lock:
        _stats[name] += n


def stats() -> dict:
    """Events published and events lost to a channel-layer failure since the process started."""
    with _stats_lock:
        return dict(_stats)


# --- Numbering --------------------------------------------------------------------------------
_local_numbers: dict[str, int] = {}
_local_lock = threading.Lock()


def _seq_key(kind: str, target_id: int) -> str:
    return f"seq:{kind}:{target_id}"


async def _next_numbers(layer, keys: list[str]) -> list[int]:
    incr = getattr(layer, "incr", None)
    if incr is not None:
        return await incr(keys)
    with _local_lock:  # the in-memory layer: one process, one counter per key
        for key in keys:
            _local_numbers[key] = _local_numbers.get(key, 0) + 1
        return [_local_numbers[key] for key in keys]


async def _current_numbers(layer, keys: list[str]) -> list[int]:
    current = getattr(layer, "current", None)
    if current is not None:
        return await current(keys)
    with _local_lock:
        return [_local_numbers.get(key, 0) for key in keys]


# --- Sending ----------------------------------------------------------------------------------
async def send_event(
    *, companies: Iterable[int] = (), users: Iterable[int] = (), event: dict
) -> dict[tuple[str, int], dict]:
    """Number `event` for each company and user and send it to their groups, in that order.

    Returns each target's copy, `{("company", id) | ("user", id): event}`, numbered when
    the numbering worked (the socket's own path acknowledges with its company's copy). Never
    raises: a failure is logged and counted.
    """
    targets = [("company", c) for c in companies] + [("user", u) for u in users]
    copies = {}
    for kind, target_id in targets:
        copy = dict(event)
        if kind == "user":
            copy["to"] = "user"
        copies[(kind, target_id)] = copy
    layer = get_channel_layer()
    if layer is None or not targets:
        return copies
    try:
        if event.get("type") != "typing":
            numbers = await _next_numbers(layer, [_seq_key(k, i) for k, i in targets])
            for target, number in zip(targets, numbers, strict=True):
                copies[target]["seq"] = number
        results = await asyncio.gather(
            *(
                layer.group_send(_group(*target), {"type": PUSH, "event": copies[target]})
                for target in targets
            ),
            return_exceptions=True,
        )
    except Exception as exc:  # noqa: BLE001 - never into the caller
        results = [exc]
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        _count("events_failed", len(targets))
        logger.warning(
            "real-time event %s not delivered to %s: %r", event.get("type"), targets, failures[0]
        )
        _monitor_alarm()
    else:
        _count("events_sent", len(targets))
    return copies


# The event loop of a socket whose database thread is running a service (set by the consumer's
# database calls; contextvars follow a call into its thread): events leave from that loop
# without the thread waiting for them.
calling_loop: contextvars.ContextVar[asyncio.AbstractEventLoop | None] = contextvars.ContextVar(
    "realtime_calling_loop", default=None
)

# Sends under way on a loop: the loop keeps only weak references to its tasks.
_tasks: set[asyncio.Task] = set()


def spawn(coroutine_function, *args, **kwargs) -> None:
    """Run a coroutine in the background on the running loop, keeping a reference to it."""
    task = asyncio.get_running_loop().create_task(coroutine_function(*args, **kwargs))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


def _run_now(coroutine_function, *args, **kwargs) -> None:
    """From synchronous code: on the socket's loop without waiting, else before returning."""
    loop = calling_loop.get()
    if loop is not None and not loop.is_closed():
        loop.call_soon_threadsafe(lambda: spawn(coroutine_function, *args, **kwargs))
        return
    try:
        async_to_sync(coroutine_function)(*args, **kwargs)
    except Exception:  # noqa: BLE001 - never into the request (send_event catches its own)
        logger.exception("real-time call %s failed", coroutine_function.__name__)


def send_event_on_commit(
    *, companies: Iterable[int] = (), users: Iterable[int] = (), event: dict
) -> None:
    """After the current transaction commits, `send_event(...)`; nothing if it rolls back."""
    companies, users = tuple(companies), tuple(users)
    transaction.on_commit(
        lambda: _run_now(send_event, companies=companies, users=users, event=event)
    )


async def close_sockets(*, group: str, code: int = CLOSE_FORBIDDEN, session: str = "") -> None:
    """Close the sockets of a group now (only those of `session` when given)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(group, {"type": CLOSE, "code": code, "session": session})
    except Exception as exc:  # noqa: BLE001 - made up for when the layer is back
        _count("closes_failed")
        logger.warning("closing the sockets of %s failed: %r", group, exc)
        _monitor_alarm()


def close_user_sockets_on_commit(
    user_id: int, code: int = CLOSE_FORBIDDEN, *, session: str = ""
) -> None:
    """After commit, close the user's sockets (those of one session key when given)."""
    group = user_group(user_id)
    transaction.on_commit(lambda: _run_now(close_sockets, group=group, code=code, session=session))


def close_company_sockets_on_commit(company_id: int, code: int = CLOSE_FORBIDDEN) -> None:
    """After commit, close the sockets of every member of the company."""
    group = company_group(company_id)
    transaction.on_commit(lambda: _run_now(close_sockets, group=group, code=code))


# --- Layer health and heartbeat (one monitor per event loop that has sockets) ---------------
PROBES_LATE_BEFORE_DOWN = 3


class _Monitor:
    def __init__(self):
        self.sockets: set = set()
        self.up = True
        # Incremented each time the layer comes back: sockets then check their rights again
        # (a close published during the outage was lost).
        self.recoveries = 0
        self.task: asyncio.Task | None = None
        self.wake = asyncio.Event()

    async def run(self) -> None:
        layer = get_channel_layer()
        probe = getattr(layer, "probe", None)
        probe_every = settings.REALTIME_PROBE_SECONDS
        beat_every = settings.REALTIME_HEARTBEAT_SECONDS
        loop = asyncio.get_running_loop()
        next_beat = loop.time() + beat_every
        late = 0
        while self.sockets:
            up = True
            if probe is not None:
                try:
                    # A probe that does not come back in time may be a busy process rather
                    # than a broken layer: down only after PROBES_LATE_BEFORE_DOWN of them in a
                    # row (telling every socket to poll would make a busy process busier).
                    late = 0 if await probe(timeout=2.0) else late + 1
                    up = late < PROBES_LATE_BEFORE_DOWN if self.up else late == 0
                except Exception as exc:  # noqa: BLE001 - Redis unreachable: down at once
                    logger.debug("channel layer probe failed: %r", exc)
                    up = False
            changed = up != self.up
            if changed:
                self.up = up
                if up:
                    self.recoveries += 1
                logger.warning("channel layer %s", "back" if up else "DOWN")
            if changed or loop.time() >= next_beat:
                next_beat = loop.time() + beat_every
                await self.beat(layer)
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), probe_every)

    async def beat(self, layer) -> None:
        sockets = list(self.sockets)
        keys = sorted(
            {_seq_key("company", s.company_id) for s in sockets if s.company_id is not None}
            | {_seq_key("user", s.user_id) for s in sockets}
        )
        numbers = {}
        if self.up and keys:
            try:
                numbers = dict(zip(keys, await _current_numbers(layer, keys), strict=True))
            except Exception:  # noqa: BLE001 - went down in between: no numbers this time
                numbers = {}
        for socket in sockets:
            event = {"type": "heartbeat", "layer": "up" if self.up else "down"}
            if socket.company_id is not None and numbers:
                event["seq"] = numbers.get(_seq_key("company", socket.company_id), 0)
            if numbers:
                event["user_seq"] = numbers.get(_seq_key("user", socket.user_id), 0)
            try:
                await socket.heartbeat(event, recoveries=self.recoveries)
            except Exception:  # noqa: BLE001 - a socket closing meanwhile
                logger.debug("heartbeat to a closing socket failed", exc_info=True)


_monitors: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Monitor] = (
    weakref.WeakKeyDictionary()
)


def _monitor_alarm() -> None:
    """A send failed: probe now rather than at the next tick."""
    try:
        monitor = _monitors.get(asyncio.get_running_loop())
    except RuntimeError:
        return
    if monitor is not None:
        monitor.wake.set()


def watch(socket) -> _Monitor:
    """Start telling `socket` the layer's state. The socket has `user_id`, `company_id` and
    `async heartbeat(event, *, recoveries)`."""
    loop = asyncio.get_running_loop()
    monitor = _monitors.get(loop)
    if monitor is None:
        monitor = _monitors[loop] = _Monitor()
    monitor.sockets.add(socket)
    if monitor.task is None or monitor.task.done():
        monitor.task = loop.create_task(monitor.run())
    return monitor


def unwatch(socket) -> None:
    monitor = _monitors.get(asyncio.get_running_loop())
    if monitor is not None:
        monitor.sockets.discard(socket)
        if not monitor.sockets and monitor.task is not None:
            monitor.task.cancel()
            monitor.task = None


def layer_up() -> bool:
    """This loop's view of the layer (True when no socket made it probe)."""
    try:
        monitor = _monitors.get(asyncio.get_running_loop())
    except RuntimeError:
        return True
    return monitor.up if monitor is not None else True
