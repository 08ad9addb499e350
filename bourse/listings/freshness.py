"""Listings that stay true: the question "still current?" and its one-click answers.

Seven days before a published listing expires, or once it has gone 21 days without being
touched, the members of its company get one e-mail (`ask_freshness`, a scheduled job) with two
links valid without logging in: "toujours d'actualité" (renews it) and "c'est réglé" (marks it
fulfilled). A link is signed (`django.core.signing`, salt of its own), names one listing and one
action (single purpose), expires after FRESHNESS_LINK_DAYS, and carries the listing's
`expires_at` at sending: once the listing is renewed or closed, by the link or otherwise, the
link no longer matches and changes nothing (it works once). The link opens a page saying what
will happen, with one button: following a link alone (a mail scanner does) changes nothing.

"Once per publication period" needs the period's start: the listing's expiry minus the lifetime
it was given when it was published or last renewed, LISTING_LIFETIME_DAYS, or
CRISIS_LISTING_LIFETIME_DAYS when a crisis covered its département then (bourse.listings.crises).
Neither the lifetime given nor the renewal's date is stored, so `period_start` infers it from
the crises' dates: the longer lifetime when a crisis covered the département at `expiry - crisis
lifetime`, and also at `expiry - normal lifetime` (or that moment is still to come), since a
listing renewed at that second moment would have got the longer lifetime too. When only the first
moment was covered (a crisis that ended in between) both are possible and the normal lifetime is
taken: the question may then be asked once more in that period, never skipped.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from bourse.core.outbox import send_email

from . import services
from .crises import Crisis
from .models import Listing, ListingStatus

SALT = "listings.freshness"
ACTIONS = ("renew", "fulfil")
ASK_BEFORE_EXPIRY = datetime.timedelta(days=7)
IDLE_AFTER = datetime.timedelta(days=21)


def _stamp(listing: Listing) -> int:
    return int(listing.expires_at.timestamp()) if listing.expires_at else 0


def token_for(listing: Listing, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(action)
    return signing.dumps({"l": listing.pk, "a": action, "e": _stamp(listing)}, salt=SALT)


def url_for(listing: Listing, action: str) -> str:
    return settings.SITE_URL + reverse("listings:freshness", args=[token_for(listing, action)])


@dataclass
class Link:
    status: str  # "ok", "done", "used", "expired", "invalid"
    action: str = ""
    listing: Listing | None = None


def read(token: str, *, lock: bool = False) -> Link:
    """What a link asks, and whether it still may."""
    max_age = datetime.timedelta(days=settings.FRESHNESS_LINK_DAYS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
        listing_id, action, stamp = int(data["l"]), str(data["a"]), int(data["e"])
    except signing.SignatureExpired:
        return Link("expired")
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return Link("invalid")
    if action not in ACTIONS:
        return Link("invalid")
    queryset = Listing.objects.select_related("company")
    listing = (
        (queryset.select_for_update(of=("self",)) if lock else queryset)
        .filter(pk=listing_id)
        .first()
    )
    if listing is None:
        return Link("invalid")
    if stamp != _stamp(listing) or listing.status != ListingStatus.PUBLISHED:
        return Link("used", action, listing)
    return Link("ok", action, listing)


@transaction.atomic
def follow(token: str) -> Link:
    """Answer the question: renew the listing, or mark it fulfilled. Once only."""
    link = read(token, lock=True)
    if link.status != "ok":
        return link
    if link.action == "renew":
        services.listing_renew(listing=link.listing, by=None)
    else:
        services.listing_close(listing=link.listing, by=None, outcome=ListingStatus.FULFILLED)
    link.listing.refresh_from_db()
    return Link("done", link.action, link.listing)


@dataclass(frozen=True)
class CrisisSpan:
    departements: frozenset[str]
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None  # its end or its closing, whichever came first

    def covers(self, departement: str, moment: datetime.datetime) -> bool:
        return (
            departement in self.departements
            and self.starts_at <= moment
            and (self.ends_at is None or moment < self.ends_at)
        )


def crisis_spans(now: datetime.datetime) -> list[CrisisSpan]:
    """The crises that may have given a listing still online its longer lifetime: those not
    over, and those over for less than CRISIS_LISTING_LIFETIME_DAYS (closed ones included)."""
    since = now - datetime.timedelta(days=settings.CRISIS_LISTING_LIFETIME_DAYS)
    rows = (
        Crisis.objects.filter(Q(closed_at__isnull=True) | Q(closed_at__gt=since))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=since))
        .only("departements", "starts_at", "ends_at", "closed_at")
    )
    return [
        CrisisSpan(
            departements=frozenset(crisis.departements),
            starts_at=crisis.starts_at,
            ends_at=min((t for t in (crisis.ends_at, crisis.closed_at) if t), default=None),
        )
        for crisis in rows
    ]


def period_start(
    listing: Listing, spans: list[CrisisSpan], now: datetime.datetime
) -> datetime.datetime:
    """When the listing's current publication period began (see the module's docstring)."""
    normal = datetime.timedelta(days=settings.LISTING_LIFETIME_DAYS)
    longer = datetime.timedelta(days=settings.CRISIS_LISTING_LIFETIME_DAYS)
    expires = listing.expires_at

    def covered(moment: datetime.datetime) -> bool:
        return any(span.covers(listing.departement, moment) for span in spans)

    # Renewed at `expires - normal` under a crisis, it would expire later than it does.
    could_be_normal = expires - normal <= now and not covered(expires - normal)
    if longer > normal and covered(expires - longer) and not could_be_normal:
        return expires - longer
    return expires - normal


def ask_freshness(*, now: datetime.datetime | None = None) -> int:
    """E-mail the members of each company whose published listing expires within 7 days, or
    has not been touched for 21 days, once per listing and publication period
    (`Listing.freshness_asked_at`, `period_start`: a crisis's longer lifetime counted).
    Idempotent. Returns how many listings were asked about."""
    now = now or timezone.now()
    spans = crisis_spans(now)
    candidates = Listing.objects.filter(
        status=ListingStatus.PUBLISHED, expires_at__gt=now
    ).select_related("company")
    asked = 0
    for listing in candidates.order_by("pk"):
        started = period_start(listing, spans, now)
        if listing.freshness_asked_at and listing.freshness_asked_at >= started:
            continue
        expiring = listing.expires_at <= now + ASK_BEFORE_EXPIRY
        idle = listing.updated_at <= now - IDLE_AFTER and (
            listing.published_at is None or listing.published_at <= now - IDLE_AFTER
        )
        if not (expiring or idle):
            continue
        with transaction.atomic():
            updated = Listing.objects.filter(
                pk=listing.pk, freshness_asked_at=listing.freshness_asked_at
            ).update(freshness_asked_at=now)  # no auto_now: the question is not an activity
            if not updated:
                continue
            context = {
                "title": listing.title,
                "expires": timezone.localtime(listing.expires_at).strftime("%d/%m/%Y"),
                "expiring": expiring,
                "renew_url": url_for(listing, "renew"),
                "fulfil_url": url_for(listing, "fulfil"),
                "listing_url": settings.SITE_URL + reverse("listings:detail", args=[listing.pk]),
            }
            for membership in Membership.objects.filter(company_id=listing.company_id):
                send_email(
                    key=f"listings.freshness:{listing.pk}:{_stamp(listing)}:{membership.user_id}",
                    to=membership.user,
                    template="listings/email/freshness",
                    context=context,
                )
            asked += 1
    return asked
