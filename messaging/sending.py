"""Sending a message: one way, `message_send`, with its storage strategies behind it.

Every message is stored before anyone hears of it: the event to both companies' groups leaves
on commit (bourse.core.realtime). The socket is a convenience; the database is the truth.

On PostgreSQL one statement (`_SEND_POSTGRESQL`) checks, stores and orders; elsewhere the ORM
in a transaction (`_store`). `amessage_send` is its form for the socket's event loop: the same
statement over the loop's own connections (messaging.pgasync); when that cannot answer, the
socket takes `message_send` on a database thread.
"""

from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from bourse.core import realtime

from . import events, pgasync
from .errors import MessagingError, RateLimited, clean_body, clean_client_id
from .models import Conversation, Message

RATE_LIMIT_MESSAGES = 30
RATE_LIMIT_WINDOW_SECONDS = 60


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
