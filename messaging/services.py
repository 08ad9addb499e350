"""Writes of the messaging app. Callers check permissions first (messaging.permissions).

By concern, each in its module and re-exported here (callers keep `services.message_send`...):
- `errors`: the refusals (`MessagingError` and its kinds) and the checks on a message's text;
- `sending`: `message_send` / `amessage_send` / `announce`, the one way to send a message,
  with its storage strategies (one PostgreSQL statement, or the ORM) and the rate limit;
- `retention`: erasing the text of long-inactive conversations (RGPD);
- here: opening a conversation (and the new companies' daily limit), read marks, typing,
  outside reads.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from bourse.core import realtime
from bourse.listings.models import Listing

from . import events, permissions
from .errors import (
    InvalidBody,
    InvalidClientId,
    InvalidReadMark,
    MessagingError,
    NewCompanyLimit,
    RateLimited,
    clean_body,
    clean_client_id,
)
from .models import Conversation, Message, ReadMark, UserReadMark
from .retention import ANONYMISED_BODY, anonymise_inactive_conversations
from .sending import (
    RATE_LIMIT_MESSAGES,
    RATE_LIMIT_WINDOW_SECONDS,
    _sender_company,
    amessage_send,
    announce,
    message_send,
)

__all__ = [
    "ANONYMISED_BODY",
    "RATE_LIMIT_MESSAGES",
    "RATE_LIMIT_WINDOW_SECONDS",
    "TYPING_EVERY_SECONDS",
    "InvalidBody",
    "InvalidClientId",
    "InvalidReadMark",
    "MessagingError",
    "NewCompanyLimit",
    "RateLimited",
    "amessage_send",
    "announce",
    "anonymise_inactive_conversations",
    "clean_body",
    "clean_client_id",
    "conversation_start",
    "mark_all_read",
    "mark_read",
    "message_send",
    "record_outside_read",
    "typing",
    "typing_allowed",
]


def _check_new_company_limit(company: Company, now) -> None:
    """Refuse a new conversation to a company verified less than NEW_COMPANY_DAYS ago that
    opened NEW_COMPANY_CONVERSATIONS_PER_DAY of them in the last 24 hours.

    "Verified at" is the company's last status change while verified (a reinstated company
    starts its probation again). The company row is locked first, so two requests at once
    cannot both take the last place.
    """
    days = settings.NEW_COMPANY_DAYS
    per_day = settings.NEW_COMPANY_CONVERSATIONS_PER_DAY
    since = company.status_changed_at
    if not company.is_verified or since is None or since <= now - timedelta(days=days):
        return
    Company.objects.select_for_update().filter(pk=company.pk).values_list("pk").first()
    window_start = now - timedelta(days=1)
    opened = list(
        Conversation.objects.filter(other_company=company, created_at__gt=window_start)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(opened) < per_day:
        return
    # A place frees when all but per_day - 1 of them have left the window.
    frees_at = opened[len(opened) - per_day] + timedelta(days=1)
    raise NewCompanyLimit(
        _(
            "Votre entreprise a été vérifiée il y a moins de %(days)d jours : elle peut ouvrir "
            "au plus %(n)d nouvelles conversations par jour. Réessayez demain, ou poursuivez "
            "vos conversations en cours."
        )
        % {"days": days, "n": per_day},
        retry_after=max(1, int((frees_at - now).total_seconds()) + 1),
    )


@transaction.atomic
def conversation_start(
    *, listing: Listing, by, body: str, client_id: str | None = None
) -> tuple[Conversation, bool]:
    """Open the conversation between the caller's company and the listing's, or reuse it.

    The first message is added either way. Returns (conversation, created). A company verified
    recently opens a limited number of conversations a day (NewCompanyLimit, 429); adding a
    message to a conversation it already has never counts.
    """
    body = clean_body(body)
    company = _sender_company(by)
    if not Conversation.objects.filter(listing=listing, other_company=company).exists():
        _check_new_company_limit(company, timezone.now())
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
        realtime.send_event_on_commit(companies=conversation.company_ids, event=event)
    return moved


def mark_all_read(*, conversation: Conversation, by) -> bool:
    """Mark read up to the newest message (opening the conversation page does this)."""
    newest = conversation.messages.order_by("-id").values_list("id", flat=True).first()
    if newest is None:
        return False
    return mark_read(conversation=conversation, by=by, up_to=newest)


# Typing frames relayed at most once per TYPING_EVERY_SECONDS per user and conversation, in
# each server process (a client sends one every 3 s while typing; a flood of them must not slow
# everyone else's messages). The check runs before any database work.
TYPING_EVERY_SECONDS = 2.0
_typing_relayed: dict[tuple[int, int], float] = {}


def typing_allowed(*, user_id: int, conversation_id: int) -> bool:
    """Whether a typing frame of this user in this conversation may be relayed now."""
    now = time.monotonic()
    key = (user_id, conversation_id)
    if now - _typing_relayed.get(key, -TYPING_EVERY_SECONDS) < TYPING_EVERY_SECONDS:
        return False
    if len(_typing_relayed) > 10_000:  # forget the stale ones now and then
        for stale in [k for k, t in _typing_relayed.items() if now - t >= TYPING_EVERY_SECONDS]:
            del _typing_relayed[stale]
    _typing_relayed[key] = now
    return True


async def typing(*, conversation: Conversation, by, by_company_id: int) -> None:
    """Tell the other side someone is writing. Nothing is stored: it only matters live."""
    other = (
        conversation.other_company_id
        if by_company_id == conversation.owner_company_id
        else conversation.owner_company_id
    )
    event = events.typing_event(conversation_id=conversation.pk, user=by)
    await realtime.send_event(companies=(other,), event=event)


def record_outside_read(*, user, conversation: Conversation) -> None:
    """Record that someone outside the conversation read it (a moderator: the moderation
    audit log, through the hook it registered; see permissions.OutsideReader)."""
    reader = permissions.outside_reader(user, conversation)
    if reader is not None:
        reader.record_read(user, conversation)
