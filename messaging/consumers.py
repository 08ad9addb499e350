"""The one WebSocket per tab: every event of the user's company arrives here.

Thin on purpose: authenticate, join the company group, parse and validate what the client
sends, call the services (which store first and push on commit), relay pushed events. Any
refusal is an `error` event; the socket stays open.
"""

import asyncio
import contextvars
import functools
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connections
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Membership
from bourse.notifications.services import company_group

from . import events, permissions, pgasync, services
from .models import Conversation


def _database_threads() -> int:
    """Threads doing the sockets' database work in this process.

    Channels' default runs every consumer's database calls on ONE thread, so one commit
    (a WAL flush on PostgreSQL, a few ms) waits for the previous one and a busy process stops
    keeping up. Several threads let PostgreSQL commit them side by side (one connection per
    thread; set CONN_MAX_AGE so they persist). SQLite has one writer at a time: one thread.
    """
    configured = os.environ.get("MESSAGING_DB_THREADS")
    if configured:
        return max(1, int(configured))
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
        # Pushes made by the services on commit go straight to this loop (services.calling_loop).
        services.calling_loop.set(loop)
        # The caller's context (active language, calling_loop) follows the call into the
        # thread. A plain executor hop: asgiref's sync_to_async does much more per call
        # (thread-sensitivity, deadlock detection), a tenth of the server's time under load.
        context = contextvars.copy_context()
        return await loop.run_in_executor(
            _executor, functools.partial(context.run, call, *args, **kwargs)
        )

    return run


class SocketError(Exception):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _not_found() -> SocketError:
    return SocketError("not_found", _("Conversation introuvable."))


@database_call
def _company_id(user) -> int | None:
    membership = Membership.objects.filter(user_id=user.pk).only("company_id").first()
    return membership.company_id if membership else None


def _fresh_user(user):
    """The user with a fresh membership and company (one query): they may have changed since
    the socket opened (left the company, company suspended)."""
    # Unordered [:1] rather than first(): no ORDER BY to build or run on the hot path.
    found = list(Membership.objects.select_related("company").filter(user_id=user.pk)[:1])
    membership = found[0] if found else None
    if membership is None:
        # A reverse one-to-one without a row: make `user.membership` raise DoesNotExist.
        user._state.fields_cache["membership"] = None
    else:
        user._state.fields_cache["membership"] = membership
    return user


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _conversation_of(user, conversation_id) -> Conversation:
    if not _is_id(conversation_id):
        raise SocketError("invalid", _("« conversation » doit être un identifiant."))
    found = list(Conversation.objects.filter(pk=conversation_id).order_by()[:1])
    conversation = found[0] if found else None
    if conversation is None or not permissions.is_participant(user, conversation):
        raise _not_found()
    return conversation


@database_call
def _send_message(user, conversation_id, body, client_id) -> dict | None:
    """Store and (on commit) push the message; for a repeated client_id, the first message's
    event, for this socket only (the others heard of it the first time)."""
    try:
        # PostgreSQL with the event loop's connections off: the same single statement here.
        if (
            _is_id(conversation_id)
            and connections[Conversation.objects.db].vendor == "postgresql"
            and not pgasync.enabled()
            and services.send_to_conversation(
                conversation_id=conversation_id, by=user, body=body, client_id=client_id
            )
        ):
            return None
        user = _fresh_user(user)
        conversation = _conversation_of(user, conversation_id)
        try:
            membership = permissions.check_can_write(user, conversation)
        except Http404:
            raise _not_found() from None
        except PermissionDenied as exc:
            raise SocketError("forbidden", str(exc)) from None
        message, created = services.message_send(
            conversation=conversation,
            by=user,
            body=body,
            client_id=client_id,
            company=membership.company,
        )
    except services.MessagingError as exc:
        raise SocketError(exc.code, exc.detail) from None
    return None if created else events.message_new_event(message)


@database_call
def _mark_read(user, conversation_id, up_to) -> None:
    user = _fresh_user(user)
    conversation = _conversation_of(user, conversation_id)
    try:
        services.mark_read(conversation=conversation, by=user, up_to=up_to)
    except services.MessagingError as exc:
        raise SocketError(exc.code, exc.detail) from None


@database_call
def _typing_target(user, conversation_id) -> tuple[Conversation, int]:
    user = _fresh_user(user)
    conversation = _conversation_of(user, conversation_id)
    return conversation, permissions.company_id_of(user)


class EventsConsumer(AsyncJsonWebsocketConsumer):
    async def dispatch(self, message):
        """Channels' dispatch, without the hop to a thread that closes old database connections
        before every event (twice per chat line and socket: the frame received, the push
        relayed). This consumer never uses a connection on the event loop's thread: its
        database work runs in `database_call`, which closes old connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Closing before accept refuses the handshake (HTTP 403 to the client).
            await self.close(code=4401)
            return
        self.user = user
        self.company_id = await _company_id(user)
        self.groups_joined = []
        if self.company_id is not None:
            group = company_group(self.company_id)
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()
        pgasync.socket_opened()
        self.uses_pgasync = True

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        if getattr(self, "uses_pgasync", False):
            self.uses_pgasync = False
            await pgasync.socket_closed()

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self._error("bad_json", _("Seuls les messages texte JSON sont acceptés."))
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._error("bad_json", _("JSON invalide."))
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self._error("bad_json", _("Un objet JSON est attendu."))
            return
        client_id = content.get("client_id")
        if not isinstance(client_id, str):
            client_id = None
        handler = {
            "message.send": self._on_message_send,
            "typing": self._on_typing,
            "read": self._on_read,
        }.get(content.get("type"))
        if handler is None:
            await self._error("unknown_type", _("Type de message inconnu."), client_id=client_id)
            return
        try:
            await handler(content)
        except SocketError as exc:
            await self._error(exc.code, exc.detail, client_id=client_id)

    async def _on_message_send(self, content):
        conversation_id, body = content.get("conversation"), content.get("body")
        client_id = content.get("client_id")
        # PostgreSQL: one statement on the event loop checks, stores and pushes. When it stores
        # nothing (or cannot run), the general path gives the exact answer.
        if _is_id(conversation_id) and await services.asend_to_conversation(
            conversation_id=conversation_id, by=self.user, body=body, client_id=client_id
        ):
            return
        repeated = await _send_message(self.user, conversation_id, body, client_id)
        if repeated is not None:
            await self.send_json(repeated)

    async def _on_read(self, content):
        up_to = content.get("up_to")
        if not isinstance(up_to, int) or isinstance(up_to, bool):
            raise SocketError("invalid_up_to", _("« up_to » doit être un identifiant de message."))
        await _mark_read(self.user, content.get("conversation"), up_to)

    async def _on_typing(self, content):
        conversation, company_id = await _typing_target(self.user, content.get("conversation"))
        await services.typing(conversation=conversation, by=self.user, by_company_id=company_id)

    async def _error(self, code: str, detail: str, *, client_id: str | None = None):
        event = {"type": "error", "code": code, "detail": detail}
        if client_id is not None:
            event["client_id"] = client_id
        await self.send_json(event)

    async def push(self, message):
        """A server-side event for this company (see bourse.notifications.services)."""
        await self.send_json(message["event"])
