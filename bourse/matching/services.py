"""Writes of the matching app: recording and announcing matches, dismissals, saved searches.

A strong match (score ≥ settings.MATCH_NOTIFY_THRESHOLD) is recorded as one `Match` row per
unordered pair of listings; the row's unique constraint decides who announces it, so both
companies hear of a pair exactly once even when both listings are rematched at the same time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, User
from bourse.listings.models import Category, Listing
from bourse.notifications.models import Notification
from bourse.notifications.services import email_company_members, notify

from . import queries
from .models import Dismissal, Match, SavedSearch, SavedSearchHit
from .scoring import Scored

logger = logging.getLogger(__name__)


def listing_url(listing_id: int) -> str:
    """The listing's page, as a path (e-mails prefix it with settings.SITE_URL)."""
    try:
        return reverse("listings:detail", args=[listing_id])
    except NoReverseMatch:
        return f"/annonces/{listing_id}/"


DEFAULT_NOTIFY_THRESHOLD = 0.7
DEFAULT_NOTIFY_LIMIT = 5


def notify_threshold() -> float:
    """settings.MATCH_NOTIFY_THRESHOLD (environment variable of the same name), 0.7 by default:
    an exact-category counterpart, available at the same dates, needs to be well inside the
    radius or share words to reach it."""
    return float(getattr(settings, "MATCH_NOTIFY_THRESHOLD", DEFAULT_NOTIFY_THRESHOLD))


def notify_limit() -> int:
    """Only the best this many counterparts of a newly published listing are announced, when
    strong (settings.MATCH_NOTIFY_LIMIT, 5 by default). In a dense region a listing can have
    twenty strong counterparts; twenty e-mails at once would teach people to ignore them, and
    the others are on the suggestions page anyway."""
    return int(getattr(settings, "MATCH_NOTIFY_LIMIT", DEFAULT_NOTIFY_LIMIT))


@dataclass
class RematchResult:
    listing_id: int
    candidates: int = 0
    new_matches: list[int] = field(default_factory=list)
    saved_search_hits: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "listing_id": self.listing_id,
            "candidates": self.candidates,
            "new_matches": self.new_matches,
            "saved_search_hits": self.saved_search_hits,
        }


# --- Matches ----------------------------------------------------------------------------------
def _announce(*, match: Match, own: Listing, other: Listing, scored: Scored, email: bool) -> None:
    """Tell the company owning `own` about `other`."""
    percent = round(scored.score * 100)
    title = _("Nouvelle correspondance pour « %(title)s »") % {"title": own.title}
    body = _(
        "L'annonce « %(other)s » de %(company)s (%(commune)s, à %(km)s km) correspond à votre "
        "annonce « %(own)s » (score : %(percent)d %%)."
    ) % {
        "other": other.title,
        "company": other.company.name,
        "commune": other.commune,
        "km": round(scored.distance_km),
        "own": own.title,
        "percent": percent,
    }
    notify(
        company=own.company,
        kind=Notification.Kind.MATCH,
        title=title,
        body=body,
        url=listing_url(other.pk),
        data={
            "match": match.pk,
            "listing": own.pk,
            "matched_listing": other.pk,
            "matched_title": other.title,
            "score": scored.score,
            "distance_km": scored.distance_km,
        },
        email=email,
    )


@transaction.atomic
def match_record(
    *, listing: Listing, other: Listing, scored: Scored, email: bool = True
) -> Match | None:
    """Record the pair (listing, other) and announce it to both companies, unless it was
    recorded before (then nothing happens and None is returned)."""
    a, b = sorted((listing.pk, other.pk))
    match, created = Match.objects.get_or_create(
        listing_a_id=a,
        listing_b_id=b,
        defaults={
            # Announced below, in the same transaction: the notifications and this row commit
            # together, and the pushes and e-mails leave after the commit.
            "notified_at": timezone.now(),
            "score": scored.score,
            "reasons": {
                **scored.reasons(),
                "distance_km": scored.distance_km,
                "common_words": list(scored.common_words),
            },
        },
    )
    if not created:
        return None
    _announce(match=match, own=listing, other=other, scored=scored, email=email)
    _announce(match=match, own=other, other=listing, scored=scored, email=email)
    return match


def matches_record_for(
    listing: Listing, *, email: bool = True, limit: int | None = None
) -> tuple[int, list[Match]]:
    """Score the listing's counterparts and record/announce the strong new ones among its
    `limit` best (settings.MATCH_NOTIFY_LIMIT by default).

    Looking only at the best few keeps a rematch idempotent (the same best few are already
    recorded the second time) and bounds the e-mails one publication can send. A counterpart
    that either company dismissed is not announced. Returns (number of counterparts scored,
    new Match rows).
    """
    scored = queries.score_top(listing)
    limit = notify_limit() if limit is None else limit
    strong = [s for s in scored[:limit] if s.score >= notify_threshold()]
    if not strong:
        return len(scored), []
    others = Listing.objects.select_related("company").in_bulk([s.listing_id for s in strong])
    dismissed_by_others = set(
        Dismissal.objects.filter(
            listing=listing, company_id__in=[o.company_id for o in others.values()]
        ).values_list("company_id", flat=True)
    )
    created = []
    for s in strong:
        other = others.get(s.listing_id)
        if other is None or other.company_id in dismissed_by_others:
            continue
        match = match_record(listing=listing, other=other, scored=s, email=email)
        if match is not None:
            created.append(match)
    return len(scored), created


def rematch_listing(
    *, listing_id: int, email: bool = True, limit: int | None = None
) -> RematchResult:
    """What happens after a listing is published: matches, then saved-search alerts."""
    result = RematchResult(listing_id=listing_id)
    listing = Listing.objects.select_related("company", "category").filter(pk=listing_id).first()
    if listing is None or not listing.is_live or listing.company.status != Company.Status.VERIFIED:
        return result
    result.candidates, matches = matches_record_for(listing, email=email, limit=limit)
    result.new_matches = [m.pk for m in matches]
    result.saved_search_hits = [h.pk for h in saved_search_hits_record(listing=listing)]
    return result


# --- Dismissals -------------------------------------------------------------------------------
@transaction.atomic
def suggestion_dismiss(*, company: Company, listing: Listing, by: User | None) -> Dismissal:
    """Hide `listing` from the company's suggestions for good (idempotent)."""
    dismissal, _created = Dismissal.objects.get_or_create(
        company=company, listing=listing, defaults={"dismissed_by": by}
    )
    return dismissal


@transaction.atomic
def suggestion_restore(*, company: Company, listing: Listing) -> None:
    """Undo a dismissal."""
    Dismissal.objects.filter(company=company, listing=listing).delete()


# --- Saved searches ---------------------------------------------------------------------------
@transaction.atomic
def saved_search_create(
    *,
    company: Company,
    by: User | None,
    name: str,
    q: str = "",
    kind: str = "",
    category: Category | None = None,
    postal_code: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    radius_km: int = 50,
) -> SavedSearch:
    search = SavedSearch(
        company=company,
        created_by=by,
        name=name.strip()[:120],
        q=q.strip()[:200],
        kind=kind,
        category=category,
        postal_code=postal_code,
        latitude=latitude,
        longitude=longitude,
        radius_km=int(round(radius_km)),
    )
    search.full_clean()
    search.save()
    return search


@transaction.atomic
def saved_search_update(*, saved_search: SavedSearch, **changes) -> SavedSearch:
    allowed = {"name", "q", "kind", "category", "postal_code", "latitude", "longitude", "radius_km"}
    for name, value in changes.items():
        if name not in allowed:
            raise TypeError(f"unexpected field {name}")
        setattr(saved_search, name, value)
    saved_search.full_clean()
    saved_search.save()
    return saved_search


@transaction.atomic
def saved_search_delete(*, saved_search: SavedSearch) -> None:
    saved_search.delete()


@transaction.atomic
def saved_search_hits_record(*, listing: Listing) -> list[SavedSearchHit]:
    """Record the listing as a hit of every saved search it fits, once per search, and tell
    each company in the app (the e-mail comes with the daily digest)."""
    created_hits = []
    for search in queries.saved_searches_matching(listing):
        hit, created = SavedSearchHit.objects.get_or_create(saved_search=search, listing=listing)
        if not created:
            continue
        created_hits.append(hit)
        notify(
            company=search.company,
            kind=Notification.Kind.SAVED_SEARCH,
            title=_("Nouvelle annonce pour votre recherche « %(name)s »") % {"name": search.name},
            body=_("« %(title)s » à %(commune)s.")
            % {"title": listing.title, "commune": listing.commune},
            url=listing_url(listing.pk),
            data={"saved_search": search.pk, "listing": listing.pk},
        )
    return created_hits


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
    lines = [_("De nouvelles annonces correspondent à vos recherches enregistrées :"), ""]
    current = None
    for hit in hits:
        if hit.saved_search_id != current:
            current = hit.saved_search_id
            lines.append(_("Recherche « %(name)s » :") % {"name": hit.saved_search.name})
        lines.append(
            f"- {hit.listing.title} ({hit.listing.commune}) : "
            f"{settings.SITE_URL}{listing_url(hit.listing_id)}"
        )
    email_company_members(
        company=company,
        subject=_("%(count)d nouvelle(s) annonce(s) pour vos recherches") % {"count": len(hits)},
        body="\n".join(lines),
    )
    SavedSearchHit.objects.filter(pk__in=[h.pk for h in hits]).update(digested_at=now)
    SavedSearch.objects.filter(pk__in={h.saved_search_id for h in hits}).update(last_alerted_at=now)
    return True
