"""Recording and announcing matches, and what a company does with a suggestion (dismiss,
restore, contact).

A strong match (score ≥ settings.MATCH_NOTIFY_THRESHOLD) is recorded as one `Match` row per
unordered pair of listings; the row's unique constraint decides who announces it, so both
companies hear of a pair exactly once even when both listings are rematched at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Company, User
from bourse.listings.models import Listing
from bourse.notifications.models import Notification
from bourse.notifications.services import Notice, notify_many
from bourse.notifications.texts import text

from .. import candidates, queries
from ..models import Dismissal, Match, SuggestionContact
from ..scoring import Scored
from .lists import list_rematch, lists_forget_restored, ranking_top
from .rows import insert_new_rows, listing_url
from .saved_searches import saved_search_hits_record

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
def _announcement(
    *, match: Match, own: Listing, other: Listing, scored: Scored, email: bool
) -> Notice:
    """What tells the company owning `own` about `other`."""
    percent = round(scored.score * 100)
    title = text(gettext_noop("Nouvelle suggestion pour « %(title)s »"), title=own.title)
    body = text(
        gettext_noop(
            "L'annonce « %(other)s » (entreprise %(company)s, %(commune)s, à %(km)s km) "
            "correspond à votre annonce « %(own)s » (score : %(percent)d %%)."
        ),
        other=other.title,
        company=other.company.name,
        commune=other.commune,
        km=round(scored.distance_km),
        own=own.title,
        percent=percent,
    )
    return Notice(
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
def matches_record(
    *, listing: Listing, counterparts: list[tuple[Listing, Scored]], email: bool = True
) -> list[Match]:
    """Record the pairs (listing, other) not recorded before and announce each new one to both
    companies; pairs recorded before are left alone. Returns the new Match rows."""
    if not counterparts:
        return []
    now = timezone.now()
    rows = []
    for other, scored in counterparts:
        a, b = sorted((listing.pk, other.pk))
        rows.append(
            {
                "listing_a": a,
                "listing_b": b,
                "score": scored.score,
                "reasons": {
                    **scored.reasons(),
                    "distance_km": scored.distance_km,
                    "common_words": list(scored.common_words),
                },
                "created_at": now,
                # Announced below, in the same transaction: the notifications and this row
                # commit together, and the pushes and e-mails leave after the commit.
                "notified_at": now,
            }
        )
    inserted = {
        (a, b): pk for pk, a, b in insert_new_rows(Match, rows, unique=("listing_a", "listing_b"))
    }
    created = []
    notices = []
    for (other, scored), row in zip(counterparts, rows, strict=True):
        pk = inserted.get((row["listing_a"], row["listing_b"]))
        if pk is None:
            continue
        match = Match(
            pk=pk,
            listing_a_id=row["listing_a"],
            listing_b_id=row["listing_b"],
            score=row["score"],
            reasons=row["reasons"],
            created_at=now,
            notified_at=now,
        )
        notices.append(
            _announcement(match=match, own=listing, other=other, scored=scored, email=email)
        )
        notices.append(
            _announcement(match=match, own=other, other=listing, scored=scored, email=email)
        )
        created.append(match)
    # Both companies of every new pair, in one go.
    notify_many(notices)
    return created


def matches_record_for(
    listing: Listing,
    *,
    email: bool = True,
    limit: int | None = None,
    scored: list[Scored] | None = None,
) -> tuple[int, list[Match]]:
    """Score the listing's counterparts and record/announce the strong new ones among its
    `limit` best (settings.MATCH_NOTIFY_LIMIT by default).

    Looking only at the best few keeps a rematch idempotent (the same best few are already
    recorded the second time) and bounds the e-mails one publication can send. A counterpart
    that either company dismissed is not announced. Returns (number of counterparts scored,
    new Match rows). `scored`: the listing's top (queries.score_top), when the caller has it.
    """
    if scored is None:
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
    counterparts = [
        (others[s.listing_id], s)
        for s in strong
        if s.listing_id in others and others[s.listing_id].company_id not in dismissed_by_others
    ]
    return len(scored), matches_record(listing=listing, counterparts=counterparts, email=email)


@transaction.atomic
def rematch_listing(
    *, listing_id: int, email: bool = True, limit: int | None = None
) -> RematchResult:
    """What happens after a listing is published: its stored suggestions (and its place in
    its counterparts'), matches, then saved-search alerts.

    One transaction: one commit (the costly part of a write on PostgreSQL) for every list,
    match, hit and notification, and the pushes and e-mails leave after it. A concurrent
    rematch of a counterpart waits on the lists or the unique pair and then finds the rows:
    still one announcement."""
    result = RematchResult(listing_id=listing_id)
    listing = Listing.objects.select_related("company", "category").filter(pk=listing_id).first()
    if listing is None or not listing.is_live or listing.company.status != Company.Status.VERIFIED:
        return result
    dismissed_ids, dismissed_alike = candidates.dismissed(listing.company_id)
    ranking = list_rematch(listing=listing, dismissed_ids=dismissed_ids)
    # The top the page shows (with the feedback factor), from the list just computed; scored
    # again only when the factor lowers too many of it (None).
    top = ranking_top(ranking, dismissed_alike, queries.TOP)
    result.candidates, matches = matches_record_for(listing, email=email, limit=limit, scored=top)
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
    """Undo a dismissal: the listing comes back into the company's stored lists (those it
    may belong to are computed again when next read)."""
    deleted, _by_model = Dismissal.objects.filter(company=company, listing=listing).delete()
    if deleted:
        lists_forget_restored(company_id=company.pk, listing=listing)


@transaction.atomic
def suggestion_contact(*, company: Company, listing: Listing, by: User | None) -> SuggestionContact:
    """The company pressed "Contacter" on a suggestion (recorded once per listing)."""
    contact, _created = SuggestionContact.objects.get_or_create(
        company=company, listing=listing, defaults={"contacted_by": by}
    )
    return contact
