"""Retention (RGPD): the text of conversations inactive for RETENTION_CONVERSATION_MONTHS is
erased (a periodic job, messaging/jobs.py)."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bourse.core import retention

from .models import Conversation, Message

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
