"""E-mail reminders for messages left unread.

A member who has not read a partner's message within 10 minutes gets ONE e-mail for that
conversation, quoting the message and linking to it; no further e-mail for that conversation
until they read it again. A member reading the conversation page marks messages read as they
arrive, so they get none. Run `manage.py send_message_reminders` every minute (cron, or
`--loop` in a worker); running it twice sends nothing twice.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership

from .models import Conversation, Message, UserReadMark

REMINDER_DELAY = timedelta(minutes=10)
# Conversations quiet for longer than this are not scanned (nobody is reminded of old news).
REMINDER_HORIZON = timedelta(days=7)


@dataclass
class Reminder:
    user_id: int
    email: str
    conversation: Conversation
    first_unread: Message
    unread_count: int


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
            Membership.objects.filter(company_id__in=conversation.company_ids, user__is_active=True)
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
                    user_id=membership.user_id,
                    email=membership.user.email,
                    conversation=conversation,
                    first_unread=first,
                    unread_count=unread.count(),
                )
            )
    return due


def _email_body(reminder: Reminder) -> tuple[str, str]:
    conversation, message = reminder.conversation, reminder.first_unread
    partner = message.company.name
    subject = _("Nouveau message de %(company)s") % {"company": partner}
    author = message.sender.display_name if message.sender else _("Utilisateur supprimé")
    quoted = "\n".join(f"> {line}" for line in message.body.splitlines() or [""])
    more = reminder.unread_count - 1
    lines = [
        _("%(company)s vous a écrit à propos de l'annonce « %(listing)s » :")
        % {"company": partner, "listing": conversation.listing.title},
        "",
        f"{author} :",
        quoted,
        "",
    ]
    if more:
        lines += [
            ngettext("Et %(n)d autre message non lu.", "Et %(n)d autres messages non lus.", more)
            % {"n": more},
            "",
        ]
    lines += [
        _("Lire et répondre : %(url)s")
        % {"url": f"{settings.SITE_URL}/messages/{conversation.pk}/"},
    ]
    return subject, "\n".join(lines)


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
    subject, body = _email_body(reminder)
    transaction.on_commit(
        lambda: send_mail(
            subject=f"[Bourse d'entraide] {subject}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[reminder.email],
        )
    )
    return True


def send_message_reminders(now=None) -> int:
    """Send every due reminder once. Returns how many were sent."""
    now = now or timezone.now()
    return sum(reminder_record(reminder=r, now=now) for r in due_reminders(now))
