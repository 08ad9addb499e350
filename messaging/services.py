"""Writes of the messaging app. Callers check permissions first (messaging.permissions).

Every message is stored before anyone hears of it: the WebSocket push to both companies'
groups leaves on commit. The socket is a convenience; the database is the truth.
"""

import asyncio
import contextlib
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from bourse.listings.models import Listing
from bourse.notifications.services import company_group

from . import events
from .models import (
    BODY_MAX_LENGTH,
    CLIENT_ID_MAX_LENGTH,
    Conversation,
    Message,
    ReadMark,
    UserReadMark,
)

RATE_LIMIT_MESSAGES = 30
RATE_LIMIT_WINDOW_SECONDS = 60


class MessagingError(Exception):
    """A refusal the caller shows as is: `code` for machines, `detail` (French) for people."""

    code = "invalid"
    field = "non_field_errors"

    def __init__(self, detail: str, *, code: str | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code


class InvalidBody(MessagingError):
    field = "body"


class InvalidClientId(MessagingError):
    code = "invalid_client_id"
    field = "client_id"


class InvalidReadMark(MessagingError):
    code = "invalid_up_to"
    field = "up_to"


class RateLimited(MessagingError):
    code = "rate_limited"


def clean_body(body) -> str:
    """Plain text of 1 to 5,000 characters once surrounding blanks are removed."""
    if not isinstance(body, str):
        raise InvalidBody(_("Le message doit être un texte."), code="invalid_body")
    body = body.strip()
    if not body:
        raise InvalidBody(_("Le message est vide."), code="empty_body")
    if len(body) > BODY_MAX_LENGTH:
        raise InvalidBody(
            _("Le message est trop long (%(max)d caractères au plus).") % {"max": BODY_MAX_LENGTH},
            code="body_too_long",
        )
    return body


def clean_client_id(client_id) -> str:
    if client_id is None:
        return ""
    if not isinstance(client_id, str) or len(client_id) > CLIENT_ID_MAX_LENGTH:
        raise InvalidClientId(
            _("client_id doit être un texte de %(max)d caractères au plus.")
            % {"max": CLIENT_ID_MAX_LENGTH}
        )
    return client_id


_rate_cache = None


def _shared_cache():
    """One cache client for the process, built once.

    `django.core.cache.cache` lives in a context-local: each `database_sync_to_async` call
    runs in a fresh copy of the consumer's context, so it would build a new Redis client (a
    new TCP connection) per message. The cache backends' clients are thread-safe.
    """
    global _rate_cache
    if _rate_cache is None:
        _rate_cache = caches.create_connection(DEFAULT_CACHE_ALIAS)
    return _rate_cache


def _rate_key(user_id: int) -> str:
    return f"messaging:rate:{user_id}:{int(time.time() // RATE_LIMIT_WINDOW_SECONDS)}"


def _incr_window(key: str, *, timeout: int) -> int:
    """Add one to a counter that expires; one round trip on Redis (INCR + EXPIRE pipelined)."""
    cache = _shared_cache()
    if isinstance(cache, RedisCache):
        # Django stores integers as plain Redis integers, so INCR on its key is compatible.
        full_key = cache.make_and_validate_key(key)
        client = cache._cache.get_client(full_key, write=True)
        with client.pipeline(transaction=False) as pipe:
            pipe.incr(full_key)
            pipe.expire(full_key, timeout, nx=True)
            count, _expiry_set = pipe.execute()
        return int(count)
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def _count_towards_rate_limit(user_id: int) -> None:
    """30 messages per minute per user, counted in the shared cache (Redis in production).

    A fixed one-minute window: simple, shared by every server process, and good enough to
    stop a runaway script; a burst straddling two windows may pass up to twice the limit.
    """
    count = _incr_window(_rate_key(user_id), timeout=RATE_LIMIT_WINDOW_SECONDS * 2)
    if count > RATE_LIMIT_MESSAGES:
        raise RateLimited(
            _("Trop de messages : %(n)d par minute au plus. Réessayez dans un instant.")
            % {"n": RATE_LIMIT_MESSAGES}
        )


def _uncount(user_id: int) -> None:
    """A repeated client_id stores nothing: it does not count towards the limit."""
    with contextlib.suppress(ValueError):
        _shared_cache().decr(_rate_key(user_id))


def _sender_company(by) -> Company:
    membership = by.membership_or_none
    if membership is None:
        raise MessagingError(_("Vous n'appartenez à aucune entreprise."), code="forbidden")
    return membership.company


@transaction.atomic
def message_send(
    *, conversation: Conversation, by, body: str, client_id: str | None = None
) -> tuple[Message, bool]:
    """Store a message, then (on commit) push it to both companies. Returns (message, created).

    A repeated `client_id` from the same user in the same conversation returns the first
    message (created False) instead of a duplicate, even when two requests race.
    """
    body = clean_body(body)
    client_id = clean_client_id(client_id)
    company = _sender_company(by)
    try:
        _count_towards_rate_limit(by.pk)
    except RateLimited:
        existing = _by_client_id(conversation, by, client_id) if client_id else None
        if existing is None:
            raise
        return existing, False
    if connection.features.has_select_for_update:
        # Messages of one conversation commit in the order of their ids, so a client that
        # catches up with "after the last id I saw" never skips one committed late.
        list(
            Conversation.objects.select_for_update()
            .filter(pk=conversation.pk)
            .order_by()
            .values("pk")
        )
    now = timezone.now()
    # Insert first (most messages are new); a repeated client_id hits the unique constraint,
    # which also settles two racing requests.
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                sender=by,
                company=company,
                body=body,
                client_id=client_id,
                created_at=now,
            )
    except IntegrityError:
        existing = _by_client_id(conversation, by, client_id) if client_id else None
        if existing is None:
            raise
        _uncount(by.pk)
        return existing, False
    Conversation.objects.filter(pk=conversation.pk).update(last_message=message, updated_at=now)
    conversation.last_message = message
    conversation.updated_at = now
    _push_on_commit(conversation.company_ids, events.message_new_event(message))
    return message, True


def _push_on_commit(company_ids, event: dict) -> None:
    """After commit, send the event to each company's group, in one hop to the event loop
    (the same as push_to_company for each, without a thread switch per company)."""
    company_ids = tuple(company_ids)

    async def send_all() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        message = {"type": "push", "event": event}
        await asyncio.gather(*(layer.group_send(company_group(c), message) for c in company_ids))

    transaction.on_commit(lambda: async_to_sync(send_all)())


def _by_client_id(conversation: Conversation, by, client_id: str) -> Message | None:
    return (
        Message.objects.select_related("sender", "company")
        .filter(conversation=conversation, sender=by, client_id=client_id)
        .first()
    )


@transaction.atomic
def conversation_start(
    *, listing: Listing, by, body: str, client_id: str | None = None
) -> tuple[Conversation, bool]:
    """Open the conversation between the caller's company and the listing's, or reuse it.

    The first message is added either way. Returns (conversation, created).
    """
    body = clean_body(body)
    company = _sender_company(by)
    conversation, created = Conversation.objects.get_or_create(
        listing=listing,
        other_company=company,
        defaults={"owner_company_id": listing.company_id},
    )
    message_send(conversation=conversation, by=by, body=body, client_id=client_id)
    return conversation, created


@transaction.atomic
def mark_read(*, conversation: Conversation, by, up_to: int) -> bool:
    """Move the caller's company's and the caller's read marks forward to message `up_to`.

    Marks never move back. Both companies hear of it (the partner shows "Lu", the
    colleagues' unread badges drop). Returns whether the company mark moved.
    """
    company = _sender_company(by)
    if not isinstance(up_to, int) or isinstance(up_to, bool):
        raise InvalidReadMark(_("up_to doit être l'identifiant d'un message."))
    if not Message.objects.filter(conversation=conversation, pk=up_to).exists():
        raise InvalidReadMark(_("Ce message n'appartient pas à cette conversation."))
    now = timezone.now()
    mark, _created = ReadMark.objects.get_or_create(conversation=conversation, company=company)
    moved = (
        ReadMark.objects.filter(pk=mark.pk, last_read_message_id__lt=up_to).update(
            last_read_message_id=up_to, updated_at=now
        )
        > 0
    )
    user_mark, _created = UserReadMark.objects.get_or_create(conversation=conversation, user=by)
    if user_mark.last_read_message_id <= up_to:
        UserReadMark.objects.filter(pk=user_mark.pk).update(
            last_read_message_id=up_to, last_read_at=now
        )
    if moved:
        event = events.read_event(
            conversation_id=conversation.pk, company_id=company.pk, up_to=up_to
        )
        _push_on_commit(conversation.company_ids, event)
    return moved


def mark_all_read(*, conversation: Conversation, by) -> bool:
    """Mark read up to the newest message (opening the conversation page does this)."""
    newest = conversation.messages.order_by("-id").values_list("id", flat=True).first()
    if newest is None:
        return False
    return mark_read(conversation=conversation, by=by, up_to=newest)


async def typing(*, conversation: Conversation, by, by_company_id: int) -> None:
    """Tell the other side someone is writing. Nothing is stored: it only matters live."""
    layer = get_channel_layer()
    if layer is None:
        return
    other = (
        conversation.other_company_id
        if by_company_id == conversation.owner_company_id
        else conversation.owner_company_id
    )
    event = events.typing_event(conversation_id=conversation.pk, user=by)
    await layer.group_send(company_group(other), {"type": "push", "event": event})
