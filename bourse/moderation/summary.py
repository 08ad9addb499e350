"""The moderators' daily summary of their queues, for those who chose it
(`User.moderation_summary`, on their account page).

One e-mail a day per moderator: how many companies and listings wait for them and how many
reports are open in their territory, with the oldest of each (up to SUMMARY_ITEMS, oldest
first, how long they have waited, those past the target delay marked), and links to the
queues. Nothing waiting: no e-mail. Sent by the scheduled job `moderation.daily_summary`
(jobs.py) through the outbox, one key per moderator and day, so a second run the same day sends
nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts import unsubscribe
from accounts.models import Company, Moderator
from bourse.core.outbox import send_email
from bourse.listings.crises import active_crises
from bourse.listings.models import Listing

from .models import Report
from .permissions import scope_to_territory
from .queues import target_delay

SUMMARY_ITEMS = 10


def _item(label: str, departement: str, since: datetime, now: datetime) -> dict:
    waited = now - since
    return {
        "label": label,
        "departement": departement,
        "days": waited.days,
        "hours": waited.seconds // 3600,
        # Shorter in a département in crisis (bourse.listings.crises; read from the cache).
        "overdue": waited > target_delay(departement),
    }


def summary_of(moderator: Moderator, *, now: datetime) -> dict:
    """What waits for this moderator: counts and the oldest items of each queue."""
    companies = scope_to_territory(
        Company.objects.filter(status=Company.Status.PENDING).annotate(
            waiting_since=Coalesce(F("status_changed_at"), F("created_at"))
        ),
        moderator,
    ).order_by("waiting_since", "pk")
    listings = (
        scope_to_territory(Listing.objects.filter(status=Listing.Status.PENDING), moderator)
        .select_related("company")
        .order_by("updated_at", "pk")
    )
    reports = scope_to_territory(
        Report.objects.filter(status=Report.Status.OPEN), moderator
    ).order_by("created_at", "pk")
    return {
        "companies": {
            "count": companies.count(),
            "items": [
                _item(c.name, c.departement, c.waiting_since, now)
                for c in companies[:SUMMARY_ITEMS]
            ],
            "url": settings.SITE_URL + reverse("moderation:companies"),
        },
        "listings": {
            "count": listings.count(),
            "items": [
                _item(f"{x.title} ({x.company.name})", x.departement, x.updated_at, now)
                for x in listings[:SUMMARY_ITEMS]
            ],
            "url": settings.SITE_URL + reverse("moderation:listings"),
        },
        "reports": {
            "count": reports.count(),
            "items": [
                _item(
                    r.reason.splitlines()[0][:120] if r.reason else "",
                    r.departement,
                    r.created_at,
                    now,
                )
                for r in reports[:SUMMARY_ITEMS]
            ],
            "url": settings.SITE_URL + reverse("moderation:reports"),
        },
        "target_hours": settings.MODERATION_TARGET_HOURS,
        # Départements of the territory in crisis, where the target delay is shorter.
        "crisis_departements": sorted(
            {
                code
                for crisis in active_crises(now)
                for code in crisis.departements
                if moderator.covers(code)
            }
        ),
        "crisis_target_hours": settings.CRISIS_MODERATION_TARGET_HOURS,
    }


def daily_summaries_send(*, now: datetime | None = None) -> int:
    """Store today's summary e-mail of every moderator who chose it and has something
    waiting. Returns how many were stored."""
    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    moderators = (
        Moderator.objects.filter(user__is_active=True, user__moderation_summary=True)
        .select_related("user")
        .order_by("pk")
    )
    stored = 0
    for moderator in moderators:
        summary = summary_of(moderator, now=now)
        total = sum(summary[queue]["count"] for queue in ("companies", "listings", "reports"))
        if not total:
            continue
        send_email(
            key=f"moderation.summary:{moderator.user_id}:{day}",
            to=moderator.user,
            template="moderation/email/daily_summary",
            context={**summary, "total": total},
            unsubscribe_url=unsubscribe.url_for(moderator.user, "moderation_summary"),
        )
        stored += 1
    return stored
