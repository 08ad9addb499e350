"""The demo's matching: a few saved searches of demo companies, then the matching of the demo
listings this run created, among demo companies only.

Called by `bourse.demo.loader` after the listings (published quietly, without the
`listing_published` signal). The new listings are matched in publication order, as if each had
been matched when it was published: strong matches with another demo company's listing are
recorded and announced in the app (bell and notifications page), and nobody is e-mailed while
the demo loads. A listing of a company registered by hand is never matched, announced or hit
here: the demo touches only its own companies, whatever else the database holds.

Idempotent: the plan is drawn from the generator every time (so the parts after this one get
the same random stream); a saved search is created once (by company and name), and a second run
creates no listing, so it matches nothing.
"""

from __future__ import annotations

import random

from django.db import transaction

from accounts.models import Company
from bourse.geo import data as geo
from bourse.listings.models import Category, Listing
from bourse.matching import queries, services
from bourse.matching.models import SavedSearch

# At most this many announcements per listing while loading (the first companies to publish
# would otherwise collect most of them).
DEMO_NOTIFY_LIMIT = 3
SAVED_SEARCHES = [
    # (name, q, kind, category slug or "", postal code or "", radius km)
    ("Stockage autour de chez nous", "", "offer", "stockage", "{company}", 50),
    ("Palettes", "palettes", "offer", "", "{company}", 80),
    ("Chariots élévateurs", "chariot", "", "", "", 50),
    ("Transport frigorifique", "frigorifique", "offer", "", "{company}", 150),
    ("Prêt de personnel", "", "", "main-d-oeuvre", "{company}", 60),
]


def _plan(rng: random.Random, companies: list[Company]) -> list[tuple[Company, tuple]]:
    """Always the same draws for the same companies."""
    chosen = rng.sample(companies, min(12, len(companies))) if companies else []
    return [(company, rng.choice(SAVED_SEARCHES)) for company in chosen]


def _saved_searches(rng: random.Random, companies: list[Company]) -> int:
    categories = {c.slug: c for c in Category.objects.all()}
    created = 0
    for company, (name, q, kind, slug, postal_code, radius) in _plan(rng, companies):
        if SavedSearch.objects.filter(company=company, name=name).exists():
            continue
        if slug and slug not in categories:
            continue
        code = company.postal_code if postal_code == "{company}" else postal_code
        place = geo.lookup(code) if code else None
        member = company.memberships.order_by("joined_at").first()
        services.saved_search_create(
            company=company,
            by=member.user if member else None,
            name=name,
            q=q,
            kind=kind,
            category=categories.get(slug) if slug else None,
            postal_code=code if place else "",
            latitude=place.latitude if place else None,
            longitude=place.longitude if place else None,
            radius_km=radius,
        )
        created += 1
    return created


@transaction.atomic
def _match(listing: Listing, demo_ids: set[int]) -> tuple[int, int]:
    """Record and announce the listing's strong matches among demo companies' listings, and its
    saved-search hits when every search it fits is a demo company's. (new matches, hits)"""
    threshold = services.notify_threshold()
    strong = [s for s in queries.score_top(listing) if s.score >= threshold]
    others = Listing.objects.select_related("company").in_bulk([s.listing_id for s in strong])
    counterparts = [
        (others[s.listing_id], s)
        for s in strong
        if s.listing_id in others and others[s.listing_id].company_id in demo_ids
    ][:DEMO_NOTIFY_LIMIT]
    matches = services.matches_record(listing=listing, counterparts=counterparts, email=False)
    hits = 0
    searches = queries.saved_searches_matching(listing)
    if searches and all(search.company_id in demo_ids for search in searches):
        hits = len(services.saved_search_hits_record(listing=listing))
    return len(matches), hits


def load(rng: random.Random, stdout, companies: list[Company], listings: list[Listing]) -> None:
    """Saved searches for some of `companies` (the demo's verified ones), then the matching of
    `listings` (those this run created)."""
    verified = [c for c in companies if c.status == Company.Status.VERIFIED]
    created_searches = _saved_searches(rng, verified)
    demo_ids = {c.pk for c in verified}
    live = sorted(
        (
            listing
            for listing in Listing.objects.published()
            .filter(pk__in=[listing.pk for listing in listings])
            .select_related("company", "category")
        ),
        key=lambda listing: (listing.published_at, listing.pk),
    )
    new_matches = hits = 0
    for listing in live:
        matched, hit = _match(listing, demo_ids)
        new_matches += matched
        hits += hit
    # The stored suggestions the pages read (published quietly: nothing stored them yet).
    stored = services.lists_refresh([listing.pk for listing in live])
    stdout.write(
        f"matching: {created_searches} saved searches, {len(live)} listings matched, "
        f"{new_matches} new matches announced in the app (no e-mail), {hits} saved-search hits, "
        f"{stored} suggestion lists stored."
    )
