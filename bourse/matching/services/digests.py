"""The digest e-mails: saved-search hits (daily or weekly, as each member chose) and new
matches (daily, for members who chose it over one e-mail per match)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts import unsubscribe
from accounts.models import Company, Membership, User
from bourse.core.outbox import send_email
from bourse.notifications.models import Notification

from ..models import SavedSearch, SavedSearchHit
from .rows import listing_url


def saved_search_digest_send(*, now: datetime | None = None) -> int:
    """E-mail each company the saved-search hits not yet sent, one e-mail per member; each hit
    is sent once. Returns the number of companies e-mailed."""
    now = now or timezone.now()
    company_ids = list(
        SavedSearchHit.objects.filter(digested_at__isnull=True)
        .values_list("saved_search__company_id", flat=True)
        .distinct()
    )
    sent = 0
    for company_id in company_ids:
        if _digest_one_company(company_id=company_id, now=now):
            sent += 1
    return sent


WEEK = timedelta(days=7)


def _searches_of(hits) -> list[dict]:
    searches: list[dict] = []
    for hit in hits:
        if not searches or searches[-1]["id"] != hit.saved_search_id:
            searches.append({"id": hit.saved_search_id, "name": hit.saved_search.name, "hits": []})
        searches[-1]["hits"].append(
            {
                "title": hit.listing.title,
                "commune": hit.listing.commune,
                "url": f"{settings.SITE_URL}{listing_url(hit.listing_id)}",
            }
        )
    return searches


def saved_search_weekly_send(*, now: datetime | None = None) -> int:
    """E-mail the members who chose a weekly saved-search digest the hits of their company's
    saved searches found in the seven days before `now`; one e-mail per member and ISO week
    (a second run in the same week sends nothing twice). Returns the number of e-mails stored."""
    now = now or timezone.now()
    week = now.isocalendar()
    members = (
        Membership.objects.filter(
            user__is_active=True, user__saved_search_digest=User.DigestFrequency.WEEKLY
        )
        .select_related("user")
        .order_by("company_id", "pk")
    )
    by_company: dict[int, list] = {}
    for membership in members:
        by_company.setdefault(membership.company_id, []).append(membership)
    stored = 0
    for company_id, memberships in by_company.items():
        hits = list(
            SavedSearchHit.objects.filter(
                saved_search__company_id=company_id,
                created_at__gt=now - WEEK,
                created_at__lte=now,
            )
            .select_related("saved_search", "listing")
            .order_by("saved_search_id", "id")
        )
        if not hits:
            continue
        searches = _searches_of(hits)
        with transaction.atomic():
            for membership in memberships:
                send_email(
                    key=(
                        f"matching.digest.weekly:{company_id}:{week.year}-W{week.week:02d}"
                        f":user:{membership.user_id}"
                    ),
                    to=membership.user,
                    template="matching/email/digest",
                    context={"count": len(hits), "searches": searches, "weekly": True},
                    unsubscribe_url=unsubscribe.url_for(membership.user, "saved_search_digest"),
                )
                stored += 1
    return stored


def match_digest_send(*, now: datetime | None = None) -> int:
    """The daily digest of new matches: each active member who chose it (`match_emails`
    "daily") gets one e-mail listing their company's match notifications since their last
    digest (the first one: since they chose it, at most a day back). Returns the number of
    e-mails stored."""
    now = now or timezone.now()
    members = (
        Membership.objects.filter(user__is_active=True, user__match_emails=User.MatchEmails.DAILY)
        .select_related("user")
        .order_by("pk")
    )
    stored = 0
    for membership in members:
        stored += _match_digest_one(membership=membership, now=now)
    return stored


@transaction.atomic
def _match_digest_one(*, membership: Membership, now: datetime) -> bool:
    user = User.objects.select_for_update().get(pk=membership.user_id)
    since = user.match_digest_until or now - timedelta(days=1)
    since = max(since, membership.joined_at)
    notifications = list(
        Notification.objects.filter(
            company_id=membership.company_id,
            kind=Notification.Kind.MATCH,
            created_at__gt=since,
            created_at__lte=now,
        ).order_by("created_at", "id")
    )
    User.objects.filter(pk=user.pk).update(match_digest_until=now)
    if not notifications:
        return False
    send_email(
        key=f"matching.match_digest:{user.pk}:{now.isoformat()}",
        to=user,
        template="matching/email/match_digest",
        unsubscribe_url=unsubscribe.url_for(user, "match_emails"),
        context={
            "count": len(notifications),
            "matches": [
                {
                    "title": notification.texts.get("title") or notification.title,
                    "body": notification.texts.get("body") or notification.body,
                    "url": f"{settings.SITE_URL}{notification.url}" if notification.url else "",
                }
                for notification in notifications
            ],
        },
    )
    return True


@transaction.atomic
def _digest_one_company(*, company_id: int, now: datetime) -> bool:
    hits = SavedSearchHit.objects.filter(
        digested_at__isnull=True, saved_search__company_id=company_id
    )
    if connection.features.has_select_for_update_skip_locked:
        # Two digests running at once never send the same hit twice.
        hits = hits.select_for_update(skip_locked=True, of=("self",))
    hits = list(hits.select_related("saved_search", "listing").order_by("saved_search_id", "id"))
    if not hits:
        return False
    company = Company.objects.get(pk=company_id)
    searches = _searches_of(hits)
    # One e-mail per member, in the digest's transaction: the hits are marked sent only if the
    # e-mails are stored, and they are rendered when sent (in the member's language).
    event = f"matching.digest:{company_id}:{min(h.pk for h in hits)}-{max(h.pk for h in hits)}"
    # Members who chose a weekly digest (or none) are left out: saved_search_weekly_send.
    members = company.memberships.filter(
        user__is_active=True, user__saved_search_digest=User.DigestFrequency.DAILY
    ).select_related("user")
    for membership in members:
        send_email(
            key=f"{event}:user:{membership.user_id}",
            to=membership.user,
            template="matching/email/digest",
            context={"count": len(hits), "searches": searches},
            unsubscribe_url=unsubscribe.url_for(membership.user, "saved_search_digest"),
        )
    SavedSearchHit.objects.filter(pk__in=[h.pk for h in hits]).update(digested_at=now)
    SavedSearch.objects.filter(pk__in={h.saved_search_id for h in hits}).update(last_alerted_at=now)
    return True
