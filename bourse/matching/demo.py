"""Demo data for matching: a few saved searches, then the matching of every demo listing.

Called by `manage.py load_demo` after bourse.listings.demo (which publishes quietly, without the
`listing_published` signal). Listings are rematched in publication order, as if each had been
matched when it was published: strong matches are recorded and announced in the app (bell and
notifications page) but nobody is e-mailed while the demo loads. Saved-search hits are recorded
the same way; the digest command would e-mail them.

Idempotent: the plan is drawn from the generator every time (so the modules after this one get
the same random stream); a pair already recorded is never recorded or announced again, a saved
search is created once (by company and name).
"""

from __future__ import annotations

import random

from django.utils import timezone

from accounts.models import Company
from bourse.geo import data as geo
from bourse.listings.models import Category, Listing

from . import services
from .models import SavedSearch

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


def load(rng: random.Random, stdout) -> None:
    companies = list(
        Company.objects.verified().filter(memberships__isnull=False).distinct().order_by("pk")
    )
    categories = {c.slug: c for c in Category.objects.all()}
    created_searches = 0
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
        created_searches += 1

    live = list(
        Listing.objects.published()
        .filter(published_at__lte=timezone.now())
        .order_by("published_at", "pk")
        .values_list("pk", flat=True)
    )
    new_matches = hits = 0
    for listing_id in live:
        result = services.rematch_listing(
            listing_id=listing_id, email=False, limit=DEMO_NOTIFY_LIMIT
        )
        new_matches += len(result.new_matches)
        hits += len(result.saved_search_hits)
    stdout.write(
        f"matching: {created_searches} saved searches, {len(live)} listings matched, "
        f"{new_matches} new matches announced in the app (no e-mail), {hits} saved-search hits."
    )
