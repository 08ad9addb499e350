"""Saved searches: create, update, delete, and the hits a newly published listing makes."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Company, User
from bourse.listings.models import Category, Listing
from bourse.notifications.models import Notification
from bourse.notifications.services import Notice, notify_many
from bourse.notifications.texts import plural, text

from .. import queries
from ..models import SavedSearch, SavedSearchHit
from .rows import insert_new_rows, listing_url


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
    notices = []
    for hits in created_by_company.values():
        names = ", ".join(f"« {hit.saved_search.name} »" for hit in hits)
        notice = Notice(
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
        notices.append(notice)
    notify_many(notices)
    return [hit for hits in created_by_company.values() for hit in hits]
