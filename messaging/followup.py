"""Deals followed up: 21 days after a conversation started, each of its two companies is asked
once whether an exchange happened (yes / no / still in progress), by an e-mail whose links work
without logging in. A link is signed (its own salt), names one follow-up and one answer, expires
after FRESHNESS_LINK_DAYS and works once (a follow-up answered is closed). It opens a page whose
button records the answer; for a "yes" the page also takes the quantity exchanged and, for the
listing's own company, whether to mark the listing fulfilled with this partner. Answers are
stored (`DealFollowUp`) so the statistics can count deals.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from bourse.core.errors import ServiceError
from bourse.core.outbox import send_email
from bourse.listings import services as listing_services

from .models import Conversation, DealFollowUp

SALT = "messaging.followup"
AFTER = datetime.timedelta(days=21)
# Conversations older than this when the job first sees them are not asked (a late question
# about an old conversation helps nobody: the day the job is deployed, for instance).
NOT_AFTER = datetime.timedelta(days=35)


def token_for(follow_up: DealFollowUp, answer: str) -> str:
    if answer not in DealFollowUp.Answer.values:
        raise ValueError(answer)
    return signing.dumps({"f": follow_up.pk, "a": answer}, salt=SALT)


def url_for(follow_up: DealFollowUp, answer: str) -> str:
    return settings.SITE_URL + reverse("messaging:followup", args=[token_for(follow_up, answer)])


@dataclass
class Link:
    status: str  # "ok", "done", "used", "expired", "invalid"
    answer: str = ""
    follow_up: DealFollowUp | None = None

    @property
    def may_fulfil(self) -> bool:
        """The listing's own company, answering yes, may mark the listing fulfilled."""
        f = self.follow_up
        return (
            f is not None
            and self.answer == DealFollowUp.Answer.YES
            and f.company_id == f.conversation.owner_company_id
            and f.conversation.listing.can("fulfil")
        )


def read(token: str, *, lock: bool = False) -> Link:
    max_age = datetime.timedelta(days=settings.FRESHNESS_LINK_DAYS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
        follow_up_id, answer = int(data["f"]), str(data["a"])
    except signing.SignatureExpired:
        return Link("expired")
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return Link("invalid")
    if answer not in DealFollowUp.Answer.values:
        return Link("invalid")
    queryset = DealFollowUp.objects.select_related(
        "conversation__listing", "conversation__owner_company", "conversation__other_company"
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    follow_up = queryset.filter(pk=follow_up_id).first()
    if follow_up is None:
        return Link("invalid")
    if follow_up.answered_at is not None:
        return Link("used", answer, follow_up)
    return Link("ok", answer, follow_up)


@transaction.atomic
def answer(token: str, *, quantity: Decimal | None = None, fulfil: bool = False) -> Link:
    """Record the answer of a link; for "yes", the quantity and, when the listing's company
    agrees (`fulfil`), the listing marked fulfilled with the conversation's other company."""
    link = read(token, lock=True)
    if link.status != "ok":
        return link
    if quantity is not None and quantity <= 0:
        raise ServiceError({"quantity": [_("La quantité doit être positive.")]})
    follow_up = link.follow_up
    follow_up.answer = link.answer
    follow_up.answered_at = timezone.now()
    if link.answer == DealFollowUp.Answer.YES:
        follow_up.quantity = quantity
        if fulfil and link.may_fulfil:
            conversation = follow_up.conversation
            listing_services.listing_close(
                listing=conversation.listing,
                by=None,
                outcome="fulfilled",
                partner_company=conversation.other_company,
            )
            follow_up.listing_fulfilled = True
    follow_up.save()
    return Link("done", link.answer, follow_up)


def ask(*, now: datetime.datetime | None = None) -> int:
    """Ask both companies of each conversation that started 21 days ago (at most 35), once
    (one DealFollowUp per conversation and company; the e-mail's key too). Idempotent.
    Returns how many follow-ups were created."""
    now = now or timezone.now()
    conversations = Conversation.objects.filter(
        created_at__lte=now - AFTER, created_at__gt=now - NOT_AFTER
    ).select_related("listing")
    created = 0
    for conversation in conversations.order_by("pk"):
        for company_id in conversation.company_ids:
            with transaction.atomic():
                follow_up, new = DealFollowUp.objects.get_or_create(
                    conversation=conversation, company_id=company_id, defaults={"asked_at": now}
                )
                if not new:
                    continue
                context = {
                    "title": conversation.listing.title,
                    "started": timezone.localtime(conversation.created_at).strftime("%d/%m/%Y"),
                    "yes_url": url_for(follow_up, "yes"),
                    "no_url": url_for(follow_up, "no"),
                    "ongoing_url": url_for(follow_up, "ongoing"),
                }
                for membership in Membership.objects.filter(company_id=company_id):
                    send_email(
                        key=f"messaging.followup:{follow_up.pk}:{membership.user_id}",
                        to=membership.user,
                        template="messaging/email/followup",
                        context=context,
                    )
                created += 1
    return created
