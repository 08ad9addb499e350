"""Writes of the messaging app. Callers check permissions first (messaging.permissions).

Every message is stored before anyone hears of it: the event to both companies' groups leaves
on commit (bourse.core.realtime). The socket is a convenience; the database is the truth.

One way to send a message, `message_send`, with its storage behind it: on PostgreSQL one
statement (`_SEND_POSTGRESQL`) that checks, stores and orders; elsewhere the ORM in a
transaction (`_store`). `amessage_send` is its form for the socket's event loop: the same
statement over the loop's own connections (messaging.pgasync); when that cannot answer, the
socket takes `message_send` on a database thread.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from bourse.core import realtime, retention
from bourse.core.errors import ServiceError
from bourse.listings.models import Listing

from . import events, permissions, pgasync
from .models import (
    BODY_MAX_LENGTH,
    CLIENT_ID_MAX_LENGTH,
    Conversation,
    Message,
    ReadMark,
    UserReadMark,
)

logger = logging.getLogger(__name__)

RATE_LIMIT_MESSAGES = 30
RATE_LIMIT_WINDOW_SECONDS = 60


class MessagingError(ServiceError):
    """A refusal the caller shows as is: `code` for machines, `detail` (French) for people.
    The API and the pages translate it as every ServiceError; the socket sends `code` and
    `detail` in an `error` frame. code="forbidden" (the sender's company no longer allowed,
    found by the write itself) is a 403."""

    code = "invalid"
    field = "non_field_errors"

    def __init__(self, detail: str, *, code: str | None = None):
        code = code or type(self).code
        field = None if self.field == "non_field_errors" else self.field
        super().__init__(detail, field=field, code=code)
        self.detail = detail
        self.code = code
        if code == "forbidden":
            self.http_status = 403


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
    http_status = 429


class NewCompanyLimit(MessagingError):
    """A company verified recently opened its conversations of the day (429; `retry_after`
    seconds until the oldest of them leaves the 24-hour window)."""

    code = "new_company_limit"
    http_status = 429

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


def clean_body(body) -> str:
    """Plain text of 1 to 5,000 characters once surrounding blanks are removed."""
    if not isinstance(body, str):
        raise InvalidBody(_("Le message doit être un texte."), code="invalid_body")
    body = body.strip()
    if not body:
        raise InvalidBody(_("Le message est vide."), code="empty_body")
    if "\x00" in body:
        # PostgreSQL's text cannot hold it (and no one types it).
        raise InvalidBody(_("Le message contient un caractère nul."), code="invalid_body")
    if len(body) > BODY_MAX_LENGTH:
        raise InvalidBody(
            _("Le message est trop long (%(max)d caractères au plus).") % {"max": BODY_MAX_LENGTH},
            code="body_too_long",
        )
    return body


def clean_client_id(client_id) -> str:
    if client_id is None:
        return ""
    if (
        not isinstance(client_id, str)
        or len(client_id) > CLIENT_ID_MAX_LENGTH
        or any(ord(c) < 32 for c in client_id)  # a NUL cannot even be stored
    ):
        raise InvalidClientId(
            _("client_id doit être un texte de %(max)d caractères au plus.")
            % {"max": CLIENT_ID_MAX_LENGTH}
        )
    return client_id


def _rate_limited() -> RateLimited:
    return RateLimited(
        _("Trop de messages : %(n)d par minute au plus. Réessayez dans un instant.")
        % {"n": RATE_LIMIT_MESSAGES}
    )


def _sender_company(by) -> Company:
    membership = by.membership_or_none
    if membership is None:
        raise MessagingError(_("Vous n'appartenez à aucune entreprise."), code="forbidden")
    return membership.company


def message_send(
    *,
    conversation: Conversation,
    by,
    body: str,
    client_id: str | None = None,
    company=None,
    announce: bool = True,
) -> tuple[Message, bool]:
    """Store a message, then (on commit) send it to both companies. Returns (message, created).

    A repeated `client_id` from the same user in the same conversation returns the first
    message (created False) instead of a duplicate, even when two requests race. A user
    sends at most 30 messages a minute (RateLimited). `company` is the sender's, when the
    caller has just read it. `announce=False`: the caller sends the event itself (`announce`;
    the socket does, to acknowledge with its numbered copy).
    """
    body = clean_body(body)
    client_id = clean_client_id(client_id)
    now = timezone.now()
    if connection.vendor == "postgresql":
        message = _send_postgresql(conversation.pk, by, body, client_id, now, conversation)
    else:
        company = company or _sender_company(by)
        message = _store(conversation, by, company, body, client_id, now)
    if message is None:
        return _refused(conversation, by, client_id, now), False
    conversation.last_message = message
    conversation.updated_at = now
    if announce:
        realtime.send_event_on_commit(
            companies=_partner_first(conversation, message),
            event=events.message_new_event(message),
        )
    return message, True


async def announce(message: Message) -> dict:
    """Send a stored message to both companies now; returns the sender's company's copy."""
    copies = await realtime.send_event(
        companies=_partner_first(message.conversation, message),
        event=events.message_new_event(message),
    )
    return copies[("company", message.company_id)]


async def amessage_send(*, conversation_id: int, by, body, client_id=None) -> Message | None:
    """message_send on the socket's event loop (PostgreSQL): the same statement, run over the
    loop's own connections (messaging.pgasync), the caller's right to write (a member of either
    side, company verified) checked by the statement itself from fresh rows. Nothing is
    announced (the caller does, `announce`). None when the message was not stored, for
    whatever reason (not allowed, rate limit, repeated client_id, no such conversation, this
    path unavailable): the caller then takes message_send, whose checks give the exact
    answer."""
    cleaned = _cleaned_or_none(body, client_id)
    if cleaned is None:
        return None
    body, client_id = cleaned
    now = timezone.now()
    try:
        row = await pgasync.fetchone(
            _SEND_POSTGRESQL, _send_parameters(conversation_id, by, body, client_id, now)
        )
    except pgasync.Unavailable:
        return None
    if row is None:
        return None
    # Stored and committed (the statement is its own transaction).
    return _sent_message(row, conversation_id, by, body, client_id, now)


def _cleaned_or_none(body, client_id) -> tuple[str, str] | None:
    try:
        return clean_body(body), clean_client_id(client_id)
    except MessagingError:
        return None  # answered by the general path, after its permission checks, as elsewhere


def _sent_last_minute(by, now) -> int:
    """Messages `by` stored in the minute before `now`, counted up to the limit (the index
    `message_sender_recent`); _SEND_POSTGRESQL counts the same in SQL."""
    since = now - timedelta(seconds=RATE_LIMIT_WINDOW_SECONDS)
    recent = Message.objects.filter(sender=by, created_at__gt=since).order_by()
    return recent[:RATE_LIMIT_MESSAGES].count()


def _refused(conversation: Conversation, by, client_id: str, now) -> Message:
    """Why a message was not stored: a repeated client_id (the first message is returned),
    the rate limit, or the sender's company no longer allowed to write."""
    existing = _by_client_id(conversation, by, client_id) if client_id else None
    if existing is not None:
        return existing
    if _sent_last_minute(by, now) >= RATE_LIMIT_MESSAGES:
        raise _rate_limited()
    if not Conversation.objects.filter(pk=conversation.pk).exists():
        raise Conversation.DoesNotExist(f"conversation {conversation.pk} is gone")
    raise MessagingError(
        _("Votre entreprise doit être vérifiée pour envoyer des messages."), code="forbidden"
    )


# On PostgreSQL a message is one statement, its own transaction when the caller has none (the
# message path is the hot one: every chat line; one round trip instead of nine before: two
# reads, the limit in Redis, BEGIN, SELECT ... FOR UPDATE, SAVEPOINT, INSERT, RELEASE, UPDATE,
# COMMIT). In order:
# - the sender's company, read fresh: it must be verified and one of the conversation's sides;
# - the rate limit: what the user stored in the last minute (a sliding window, shared by every
#   server process, on the index `message_sender_recent`; two messages racing in two
#   conversations may both pass at 29);
# - the conversation's row locked, so that messages of one conversation get their ids and
#   commit in the same order, and a client catching up with "after the last id I saw" never
#   skips one committed late;
# - the message inserted unless its client_id repeats (the unique constraint settles two racing
#   requests), and made the conversation's last message.
# No row back: nothing stored.
_SEND_POSTGRESQL = """
WITH sender AS (
    SELECT m.company_id, co.name
    FROM accounts_membership m JOIN accounts_company co ON co.id = m.company_id
    WHERE m.user_id = %(sender)s AND co.status = %(verified)s
), recent AS (
    SELECT count(*) AS n FROM (
        SELECT 1 FROM messaging_message
        WHERE sender_id = %(sender)s AND created_at > %(since)s LIMIT %(limit)s
    ) AS last_minute
), locked AS (
    SELECT c.id, c.owner_company_id, c.other_company_id, s.company_id, s.name
    FROM messaging_conversation c
    JOIN sender s ON s.company_id IN (c.owner_company_id, c.other_company_id)
    WHERE c.id = %(conversation)s AND (SELECT n FROM recent) < %(limit)s
    FOR UPDATE OF c
), inserted AS (
    INSERT INTO messaging_message
        (conversation_id, sender_id, company_id, body, client_id, created_at)
    SELECT id, %(sender)s, company_id, %(body)s, %(client_id)s, %(now)s FROM locked
    ON CONFLICT (conversation_id, sender_id, client_id) WHERE NOT (client_id = '') DO NOTHING
    RETURNING id
), updated AS (
    UPDATE messaging_conversation SET last_message_id = inserted.id, updated_at = %(now)s
    FROM inserted WHERE messaging_conversation.id = %(conversation)s
    RETURNING inserted.id
)
SELECT updated.id, locked.owner_company_id, locked.other_company_id, locked.company_id,
       locked.name
FROM updated, locked
"""


def _send_parameters(conversation_id: int, by, body: str, client_id: str, now) -> dict:
    return {
        "conversation": conversation_id,
        "sender": by.pk,
        "verified": Company.Status.VERIFIED,
        "body": body,
        "client_id": client_id,
        "now": now,
        "since": now - timedelta(seconds=RATE_LIMIT_WINDOW_SECONDS),
        "limit": RATE_LIMIT_MESSAGES,
    }


def _sent_message(
    row: tuple, conversation_id: int, by, body: str, client_id: str, now, conversation=None
) -> Message:
    """The message _SEND_POSTGRESQL stored, from its row, without another query."""
    message_id, owner_id, other_id, company_id, company_name = row
    db = Message.objects.db
    if conversation is None:
        # The columns read, the others loading on access (as Django's deferred fields do).
        conversation = Conversation.from_db(
            db,
            ["id", "owner_company_id", "other_company_id"],
            [conversation_id, owner_id, other_id],
        )
    company = Company.from_db(
        db, ["id", "name", "status"], [company_id, company_name, Company.Status.VERIFIED]
    )
    message = Message.from_db(
        db,
        ["id", "conversation_id", "sender_id", "company_id", "body", "client_id", "created_at"],
        [message_id, conversation_id, by.pk, company_id, body, client_id, now],
    )
    message.conversation, message.sender, message.company = conversation, by, company
    return message


def _send_postgresql(
    conversation_id: int, by, body: str, client_id: str, now, conversation=None
) -> Message | None:
    with connection.cursor() as cursor:
        cursor.execute(
            _SEND_POSTGRESQL, _send_parameters(conversation_id, by, body, client_id, now)
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return _sent_message(row, conversation_id, by, body, client_id, now, conversation)


def _store(conversation, by, company, body: str, client_id: str, now) -> Message | None:
    """message_send's storage on databases other than PostgreSQL, with the same guarantees as
    _SEND_POSTGRESQL (SQLite has one writer at a time: its messages commit in id order)."""
    with transaction.atomic():
        if connection.features.has_select_for_update:
            list(Conversation.objects.select_for_update().filter(pk=conversation.pk).values("pk"))
        if _sent_last_minute(by, now) >= RATE_LIMIT_MESSAGES:
            return None
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
            if client_id and _by_client_id(conversation, by, client_id) is not None:
                return None
            raise
        Conversation.objects.filter(pk=conversation.pk).update(last_message=message, updated_at=now)
    return message


def _partner_first(conversation: Conversation, message: Message) -> tuple[int, int]:
    """Both companies, the one the message is for first: the channel layer publishes one group
    at a time, and the sender's side already has its own copy on screen."""
    return tuple(sorted(conversation.company_ids, key=lambda c: c == message.company_id))


def _by_client_id(conversation: Conversation, by, client_id: str) -> Message | None:
    return (
        Message.objects.select_related("sender", "company")
        .filter(conversation=conversation, sender=by, client_id=client_id)
        .first()
    )


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


# --- Retention (RGPD) --------------------------------------------------------------------------

# What an erased message reads (stored: a message's body is never empty).
ANONYMISED_BODY = "[message effacé : conversation inactive depuis plus de deux ans]"


def anonymise_inactive_conversations(*, now=None, batch: int = 200) -> int:
    """Conversations without a message for RETENTION_CONVERSATION_MONTHS have their messages'
    text replaced by ANONYMISED_BODY and their authors removed: what remains is that two
    companies talked about a listing, and when (the statistics count it). One transaction per
    conversation; a conversation already anonymised is skipped, so the job may run again.
    Returns how many were anonymised."""
    now = now or timezone.now()
    limit = retention.cutoff(settings.RETENTION_CONVERSATION_MONTHS, now=now)
    done = 0
    while True:
        ids = list(
            Conversation.objects.filter(updated_at__lte=limit, anonymised_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        for pk in ids:
            with transaction.atomic():
                conversation = (
                    Conversation.objects.select_for_update()
                    .filter(pk=pk, updated_at__lte=limit, anonymised_at__isnull=True)
                    .first()
                )
                if conversation is None:  # a message arrived meanwhile, or another run did it
                    continue
                Message.objects.filter(conversation_id=pk).update(
                    body=ANONYMISED_BODY, sender=None, client_id=""
                )
                conversation.anonymised_at = now
                conversation.save(update_fields=["anonymised_at"])
                done += 1
