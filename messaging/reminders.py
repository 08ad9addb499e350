"""E-mail reminders for messages left unread.

A member who has not read a partner's message within 10 minutes gets ONE e-mail for that
conversation, quoting the message and linking to it; no further e-mail for that conversation
until they read it again. A member reading the conversation page marks messages read as they
arrive, so they get none; nor does a member who turned reminders off in their notification
preferences (`User.message_reminders`). The scheduler runs it every minute (messaging/jobs.py);
running it twice sends nothing twice. The e-mail leaves through the outbox, in the transaction
that notes the reminder.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import unsubscribe
from accounts.models import Membership, User
from bourse.core.outbox import send_email

from .models import Conversation, Message, UserReadMark

logger = logging.getLogger(__name__)

REMINDER_DELAY = timedelta(minutes=10)
# Conversations quiet for longer than this are not scanned (nobody is reminded of old news).
REMINDER_HORIZON = timedelta(days=7)


@dataclass
class Reminder:
    user: User
    conversation: Conversation
    first_unread: Message
    unread_count: int

    @property
    def user_id(self) -> int:
        return self.user.pk


def due_reminders(now=None) -> list[Reminder]:
    now = now or timezone.now()
    cutoff = now - REMINDER_DELAY
    conversations = (
        Conversation.objects.filter(
            updated_at__gte=now - REMINDER_HORIZON, messages__created_at__lte=cutoff
        )
        .distinct()
        .select_related("listing", "owner_company", "other_company")
    )
    due: list[Reminder] = []
    for conversation in conversations:
        members = (
            Membership.objects.filter(
                company_id__in=conversation.company_ids,
                user__is_active=True,
                user__message_reminders=True,
            )
            .select_related("user")
            .order_by("pk")
        )
        marks = {m.user_id: m for m in UserReadMark.objects.filter(conversation=conversation)}
        for membership in members:
            mark = marks.get(membership.user_id)
            # Already reminded: a new reminder only after they read again.
            if (
                mark is not None
                and mark.reminded_at is not None
                and (mark.last_read_at is None or mark.reminded_at >= mark.last_read_at)
            ):
                continue
            last_read = mark.last_read_message_id if mark else 0
            unread = (
                Message.objects.filter(
                    conversation=conversation,
                    id__gt=last_read,
                    created_at__gte=membership.joined_at,
                )
                .exclude(company_id=membership.company_id)
                .select_related("sender", "company")
                .order_by("id")
            )
            first = unread.first()
            if first is None or first.created_at > cutoff:
                continue
            due.append(
                Reminder(
                    user=membership.user,
                    conversation=conversation,
                    first_unread=first,
                    unread_count=unread.count(),
                )
            )
    return due


def _email_context(reminder: Reminder) -> dict:
    """What the reminder e-mail says, as data: it is rendered when sent, in the member's
    language (templates/messaging/email/reminder_*.txt)."""
    conversation, message = reminder.conversation, reminder.first_unread
    return {
        "company": message.company.name,
        "listing": conversation.listing.title,
        "author": message.sender.display_name if message.sender else "",
        "quoted": "\n".join(f"> {line}" for line in message.body.splitlines() or [""]),
        "more": reminder.unread_count - 1,
        "url": f"{settings.SITE_URL}/messages/{conversation.pk}/",
    }


@transaction.atomic
def reminder_record(*, reminder: Reminder, now) -> bool:
    """Note the reminder before sending (then send on commit). False if another run did it."""
    mark, _created = UserReadMark.objects.select_for_update().get_or_create(
        conversation=reminder.conversation, user_id=reminder.user_id
    )
    if mark.reminded_at is not None and (
        mark.last_read_at is None or mark.reminded_at >= mark.last_read_at
    ):
        return False
    UserReadMark.objects.filter(pk=mark.pk).update(reminded_at=now)
    send_email(
        key=(
            f"messaging.reminder:{reminder.conversation.pk}:{reminder.user_id}"
            f":{reminder.first_unread.pk}"
        ),
        to=reminder.user,
        template="messaging/email/reminder",
        context=_email_context(reminder),
        unsubscribe_url=unsubscribe.url_for(reminder.user, "message_reminders"),
    )
    return True


def send_message_reminders(now=None) -> int:
    """Send every due reminder once. Returns how many were sent. One reminder that fails (a
    conversation whose data breaks something) is logged and the others go on."""
    now = now or timezone.now()
    sent = 0
    for reminder in due_reminders(now):
        try:
            sent += reminder_record(reminder=reminder, now=now)
        except Exception:
            logger.exception(
                "reminder for conversation %s, user %s failed; the others go on",
                reminder.conversation.pk,
                reminder.user_id,
            )
    return sent
