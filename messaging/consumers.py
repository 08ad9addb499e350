"""The one WebSocket per tab: every event of the user's company arrives here.

Thin on purpose: authenticate, join the company's and the user's groups, parse and validate what
the client sends, call the services (which store first), relay the events bourse.core.realtime
sends. Any refusal is an `error` event; the socket stays open.

A message sent over the socket is acknowledged only once stored: the sender gets its own
company's numbered `message.new` straight away (even with the channel layer down), and the copy
the group brings back later is dropped. A socket whose rights end is closed with 4403
(bourse.core.realtime); one without a valid session or token is accepted and closed at once
with 4401, so that a browser sees the code.
"""

import contextlib
import json
import logging

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from accounts.models import Company, Membership, User
from bourse.core import realtime

from . import events, permissions, pgasync, services
from .models import Conversation
from .threads import database_call

logger = logging.getLogger(__name__)

# A frame larger than this, or nested deeper, is refused before it is parsed further: the
# client frames are flat objects of a few fields and a body of at most 5,000 characters.
MAX_FRAME_CHARACTERS = 32_000
MAX_FRAME_DEPTH = 4


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


@database_call
def _still_allowed(user_id: int, company_id: int | None, session: SessionBase | None) -> bool:
    """Whether the socket's rights still hold: the user active, in the same company (not
    suspended), and the session it opened with still logged in as them."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    membership = Membership.objects.select_related("company").filter(user_id=user_id).first()
    if (membership.company_id if membership else None) != company_id:
        return False
    if membership is not None and membership.company.status == Company.Status.SUSPENDED:
        return False
    if session is not None:
        fresh = session.__class__(session.session_key)
        if str(fresh.get(SESSION_KEY)) != str(user_id):
            return False
        stored_hash = fresh.get(HASH_SESSION_KEY)
        if stored_hash and not constant_time_compare(stored_hash, user.get_session_auth_hash()):
            return False
    return True


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
def _send_message(user, conversation_id, body, client_id) -> tuple:
    """Check, then store (nothing announced yet): (message, created)."""
    try:
        user = _fresh_user(user)
        conversation = _conversation_of(user, conversation_id)
        try:
            membership = permissions.check_can_write(user, conversation)
        except Http404:
            raise _not_found() from None
        except PermissionDenied as exc:
            raise SocketError("forbidden", str(exc)) from None
        return services.message_send(
            conversation=conversation,
            by=user,
            body=body,
            client_id=client_id,
            company=membership.company,
            announce=False,
        )
    except services.MessagingError as exc:
        raise SocketError(exc.code, exc.detail) from None


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


def _depth(value, limit: int) -> int:
    """How deep `value` nests, counted up to `limit + 1`."""
    if limit < 0 or not isinstance(value, dict | list):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(child, limit - 1) for child in children), default=0)


class EventsConsumer(AsyncJsonWebsocketConsumer):
    async def dispatch(self, message):
        """Channels' dispatch, without the hop to a thread that closes old database connections
        before every event (twice per chat line and socket: the frame received, the event
        relayed). This consumer never uses a connection on the event loop's thread: its
        database work runs in `database_call`, which closes old connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.groups_joined = []
        self.watched = False
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.accept()
            await self.close(code=realtime.CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.user_id = user.pk
        session = self.scope.get("session")
        self.session = session if isinstance(session, SessionBase) else None
        self.session_key = (self.session.session_key if self.session is not None else "") or ""
        self.company_id = await _company_id(user)
        self.acknowledged: dict[int, None] = {}
        groups = [realtime.user_group(user.pk)]
        if self.company_id is not None:
            groups.append(realtime.company_group(self.company_id))
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()
        monitor = realtime.watch(self)
        self.watched = True
        self.recoveries_seen = monitor.recoveries
        pgasync.socket_opened()
        if not monitor.up:
            await self.send_json({"type": "heartbeat", "layer": "down"})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # noqa: BLE001 - the layer down: nothing to leave
                logger.debug("group_discard failed", exc_info=True)
        if getattr(self, "watched", False):
            self.watched = False
            realtime.unwatch(self)
            await pgasync.socket_closed()

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self._error("bad_json", _("Seuls les messages texte JSON sont acceptés."))
            return
        if len(text_data) > MAX_FRAME_CHARACTERS:
            await self._error("too_large", _("Message trop volumineux."))
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            await self._error("bad_json", _("JSON invalide."))
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self._error("bad_json", _("Un objet JSON est attendu."))
            return
        client_id = content.get("client_id")
        if not isinstance(client_id, str) or "\x00" in client_id or len(client_id) > 64:
            client_id = None
        if _depth(content, MAX_FRAME_DEPTH) > MAX_FRAME_DEPTH:
            await self._error("bad_json", _("JSON trop imbriqué."), client_id=client_id)
            return
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
        except OSError:
            return  # the client went away meanwhile (uvicorn's ClientDisconnected)
        except Exception:  # noqa: BLE001 - a fault of ours is an error event, never a drop
            logger.exception("socket frame %s failed", content.get("type"))
            await self._error(
                "server_error", _("Erreur du serveur, réessayez."), client_id=client_id
            )

    async def _on_message_send(self, content):
        conversation_id, body = content.get("conversation"), content.get("body")
        client_id = content.get("client_id")
        # PostgreSQL: one statement on the event loop checks and stores. When it stores nothing
        # (or cannot run), the general path gives the exact answer.
        message, created = None, False
        if _is_id(conversation_id):
            message = await services.amessage_send(
                conversation_id=conversation_id, by=self.user, body=body, client_id=client_id
            )
            created = message is not None
        if message is None:
            message, created = await _send_message(self.user, conversation_id, body, client_id)
        if created:
            # Stored: the acknowledgement is this company's numbered copy, sent here directly;
            # the copy the group brings back is dropped (realtime_push). Sent from a task of its
            # own: the socket goes on relaying others' events meanwhile (publishing waits its
            # turn behind the process's other publishes).
            self.acknowledged[message.pk] = None
            if len(self.acknowledged) > 256:
                del self.acknowledged[next(iter(self.acknowledged))]
            realtime.spawn(self._announce, message)
        else:
            # A repeated client_id: the first message, for this socket only.
            await self.send_json(events.message_new_event(message))

    async def _announce(self, message) -> None:
        with contextlib.suppress(OSError):  # the client went away meanwhile
            await self.send_json(await services.announce(message))

    async def _on_read(self, content):
        up_to = content.get("up_to")
        if not isinstance(up_to, int) or isinstance(up_to, bool):
            raise SocketError("invalid_up_to", _("« up_to » doit être un identifiant de message."))
        await _mark_read(self.user, content.get("conversation"), up_to)

    async def _on_typing(self, content):
        conversation_id = content.get("conversation")
        if not _is_id(conversation_id):
            raise SocketError("invalid", _("« conversation » doit être un identifiant."))
        if not services.typing_allowed(user_id=self.user_id, conversation_id=conversation_id):
            return
        conversation, company_id = await _typing_target(self.user, conversation_id)
        await services.typing(conversation=conversation, by=self.user, by_company_id=company_id)

    async def _error(self, code: str, detail: str, *, client_id: str | None = None):
        event = {"type": "error", "code": code, "detail": detail}
        if client_id is not None:
            event["client_id"] = client_id
        await self.send_json(event)

    async def realtime_push(self, message):
        """An event for this company or user (bourse.core.realtime.send_event)."""
        event = message["event"]
        if event.get("type") == "message.new" and self.acknowledged:
            message_id = event.get("message", {}).get("id")
            if message_id in self.acknowledged:
                del self.acknowledged[message_id]
                return
        await self.send_json(event)

    async def realtime_close(self, message):
        """Rights ended (bourse.core.realtime.close_*_on_commit)."""
        session = message.get("session")
        if session and session != self.session_key:
            return
        await self.close(code=message.get("code", realtime.CLOSE_FORBIDDEN))

    async def heartbeat(self, event: dict, *, recoveries: int) -> None:
        """From this process's layer monitor. After an outage, closes published meanwhile were
        lost: check the rights again."""
        if recoveries != self.recoveries_seen:
            self.recoveries_seen = recoveries
            if not await _still_allowed(self.user_id, self.company_id, self.session):
                await self.close(code=realtime.CLOSE_FORBIDDEN)
                return
        await self.send_json(event)
