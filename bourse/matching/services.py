"""Writes of the matching app: recording and announcing matches, dismissals, saved searches.

A strong match (score ≥ settings.MATCH_NOTIFY_THRESHOLD) is recorded as one `Match` row per
unordered pair of listings; the row's unique constraint decides who announces it, so both
companies hear of a pair exactly once even when both listings are rematched at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts import unsubscribe
from accounts.models import Company, Membership, User
from bourse.core.outbox import send_email
from bourse.listings.models import Category, Listing
from bourse.notifications.models import Notification
from bourse.notifications.services import notify
from bourse.notifications.texts import plural, text

from . import queries
from .models import Dismissal, Match, SavedSearch, SavedSearchHit, SuggestionContact
from .scoring import Scored


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
    title = text(gettext_noop("Nouvelle correspondance pour « %(title)s »"), title=own.title)
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


def insert_new_rows(model, rows: list[dict], *, unique: tuple[str, ...]) -> list[tuple]:
    """INSERT the rows, skipping those that clash with the unique constraint on `unique`, and
    return (id, *unique columns) of the rows actually inserted.

    One statement, `INSERT ... ON CONFLICT (...) DO NOTHING RETURNING` (PostgreSQL, SQLite
    3.35+): the database decides who inserted a row, so exactly one caller announces it even
    when two workers insert the same pair at the same moment.
    """
    if not rows:
        return []
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in rows[0]]
    unique_columns = [quote(model._meta.get_field(name).column) for name in unique]
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [
        field.get_db_prep_save(row[field.name], connection) for row in rows for field in fields
    ]
    # Table and column names come from the model, values are bound parameters.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({', '.join(unique_columns)}) DO NOTHING "
        f"RETURNING {quote('id')}, {', '.join(unique_columns)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


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
        _announce(match=match, own=listing, other=other, scored=scored, email=email)
        _announce(match=match, own=other, other=listing, scored=scored, email=email)
        created.append(match)
    return created


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
    """What happens after a listing is published: matches, then saved-search alerts.

    One transaction: one commit (the costly part of a write on PostgreSQL) for every match,
    hit and notification, and the pushes and e-mails leave after it. A concurrent rematch of a
    counterpart waits on the unique pair and then finds the row: still one announcement."""
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


@transaction.atomic
def suggestion_contact(*, company: Company, listing: Listing, by: User | None) -> SuggestionContact:
    """The company pressed "Contacter" on a suggestion (recorded once per listing)."""
    contact, _created = SuggestionContact.objects.get_or_create(
        company=company, listing=listing, defaults={"contacted_by": by}
    )
    return contact


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


@transaction.atomic(savepoint=False)
def saved_search_hits_record(*, listing: Listing) -> list[SavedSearchHit]:
    """Record the listing as a hit of every saved search it fits, once per search, and tell
    each company in the app, once per listing whatever the number of its searches it fits
    (the e-mail comes with the daily digest)."""
    searches = queries.saved_searches_matching(listing)
    if not searches:
        return []
    now = timezone.now()
    inserted = {
        search_id: pk
        for pk, search_id, _listing_id in insert_new_rows(
            SavedSearchHit,
            [
                {"saved_search": search.pk, "listing": listing.pk, "created_at": now}
                for search in searches
            ],
            unique=("saved_search", "listing"),
        )
    }
    created_by_company: dict[int, list[SavedSearchHit]] = {}
    for search in searches:
        if search.pk in inserted:
            hit = SavedSearchHit(
                pk=inserted[search.pk], saved_search=search, listing=listing, created_at=now
            )
            created_by_company.setdefault(search.company_id, []).append(hit)
    for hits in created_by_company.values():
        names = ", ".join(f"« {hit.saved_search.name} »" for hit in hits)
        notify(
            company=hits[0].saved_search.company,
            kind=Notification.Kind.SAVED_SEARCH,
            title=plural(
                gettext_noop("Nouvelle annonce pour votre recherche %(names)s"),
                gettext_noop("Nouvelle annonce pour vos recherches %(names)s"),
                len(hits),
                names=names,
            ),
            body=text(
                gettext_noop("« %(title)s » à %(commune)s."),
                title=listing.title,
                commune=listing.commune,
            ),
            url=listing_url(listing.pk),
            data={"saved_searches": [hit.saved_search_id for hit in hits], "listing": listing.pk},
        )
    return [hit for hits in created_by_company.values() for hit in hits]


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
