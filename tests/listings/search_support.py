"""Helpers for the search tests: listings written straight to the database (the search only
reads them; how they get published is the write side's business, tested elsewhere)."""

import itertools
from datetime import timedelta

from django.utils import timezone

from accounts.models import Company
from bourse.geo import data as geo
from bourse.listings.models import Category, Listing
from tests import factories

_counter = itertools.count(1)


def category(slug: str, name: str, parent: Category | None = None) -> Category:
    obj, _ = Category.objects.get_or_create(
        slug=slug, defaults={"name": name, "parent": parent, "units": ["unit"]}
    )
    return obj


def listing(
    *,
    company: Company | None = None,
    cat: Category | None = None,
    lat: float | None = None,
    lon: float | None = None,
    postal_code: str = "69002",
    published_ago: timedelta = timedelta(hours=1),
    status: str = Listing.Status.PUBLISHED,
    expires_in: timedelta = timedelta(days=30),
    **fields,
) -> Listing:
    place = geo.lookup(postal_code)
    now = timezone.now()
    n = next(_counter)
    values = {
        "company": company or factories.CompanyFactory(),
        "category": cat or category("divers-test", "Divers (test)"),
        "kind": "offer",
        "title": f"Annonce {n}",
        "description": "Une annonce de test.",
        "terms": "free",
        "status": status,
        "postal_code": place.postal_code,
        "commune": place.commune,
        "departement": place.departement,
        "latitude": place.latitude if lat is None else lat,
        "longitude": place.longitude if lon is None else lon,
        "published_at": now - published_ago,
        "expires_at": now + expires_in,
    }
    values.update(fields)
    return Listing.objects.create(**values)
