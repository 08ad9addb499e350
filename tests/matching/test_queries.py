"""Which listings are candidates, and the fast query agrees with the naive reference."""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Company
from bourse.geo import data as geo
from bourse.geo.distance import haversine_km
from bourse.matching import queries
from tests import factories


def ids(listing):
    return [s.listing_id for s in queries.score_top(listing)]


def offer_at(postal_code, family_member, **kwargs):
    company = kwargs.pop("company", None) or factories.CompanyFactory(postal_code=postal_code)
    return factories.ListingFactory(
        company=company, postal_code=postal_code, kind="offer", category=family_member, **kwargs
    )


def test_exact_and_sibling_category_offers_of_other_companies_are_candidates(need, family):
    exact = offer_at("69003", family[1])
    sibling = offer_at("69003", family[2])
    parent_level = offer_at("69003", family[0])
    # Same place: the exact category first, then the family in id order (equal scores).
    assert ids(need) == [exact.pk, sibling.pk, parent_level.pk]


def test_same_company_is_excluded(need, family):
    offer_at("69003", family[1], company=need.company)
    assert ids(need) == []


def test_same_kind_is_excluded(need, family):
    factories.ListingFactory(kind="need", category=family[1], postal_code="69003")
    assert ids(need) == []


def test_other_family_is_excluded(need):
    other_parent = factories.CategoryFactory()
    offer_at("69003", factories.CategoryFactory(parent=other_parent))
    offer_at("69003", other_parent)
    assert ids(need) == []


@pytest.mark.parametrize("status", [Company.Status.PENDING, Company.Status.SUSPENDED])
def test_company_not_verified_is_excluded(need, family, status):
    offer_at("69003", family[1], company=factories.CompanyFactory(status=status))
    assert ids(need) == []


def test_expired_and_unpublished_listings_are_excluded(need, family):
    offer_at("69003", family[1], expires_at=timezone.now() - timedelta(minutes=1))
    offer_at("69003", family[1], status="pending", published_at=None, expires_at=None)
    offer_at("69003", family[1], status="hidden")
    assert ids(need) == []


def test_outside_both_radii_is_excluded_inside_the_candidates_larger_radius_included(need, family):
    # Lyon → Saint-Étienne is ~50 km; the need covers 30 km.
    d = haversine_km(need.latitude, need.longitude, *_point("42000"))
    assert 45 < d < 55
    small = offer_at("42000", family[1], radius_km=40)
    large = offer_at("42000", family[1], radius_km=60)
    assert ids(need) == [large.pk]
    assert small.pk not in ids(need)


def test_inside_the_listings_own_radius_included_even_if_candidate_radius_is_small(need, family):
    need.radius_km = 60
    need.save()
    small = offer_at("42000", family[1], radius_km=5)
    assert ids(need) == [small.pk]


def test_dismissed_listing_is_excluded_for_that_company_only(need, family):
    dismissed = offer_at("69003", family[1])
    factories.DismissalFactory(company=need.company, listing=dismissed)
    assert ids(need) == []
    other_need = factories.ListingFactory(kind="need", category=family[1], postal_code="69001")
    assert ids(other_need) == [dismissed.pk]


def test_listing_not_live_has_no_suggestions(need, family):
    offer_at("69003", family[1])
    need.status = "withdrawn"
    need.save()
    assert queries.score_top(need) == []


def test_at_most_twenty_best_first(need, family):
    for i in range(25):
        offer_at("69003" if i % 2 else "69100", family[1 + i % 2])
    scored = queries.score_top(need)
    assert len(scored) == 20
    assert [s.score for s in scored] == sorted((s.score for s in scored), reverse=True)


def _point(postal_code):
    place = geo.lookup(postal_code)
    return place.latitude, place.longitude


WORDS = "palettes quai entrepôt stockage froid camion chariot élévateur carton bois métal"


def test_fast_query_agrees_with_naive_reference_on_random_data(db, family):
    """The SQL prefilter + bounded text scoring must give exactly the naive top 20."""
    rng = random.Random(7)
    other_parent = factories.CategoryFactory()
    categories = [*family, factories.CategoryFactory(parent=other_parent)]
    codes = ["69001", "69100", "42000", "38000", "01000", "71000", "73000", "26000", "63000"]
    companies = [factories.CompanyFactory(postal_code=code) for code in codes]
    listings = []
    for _ in range(160):
        company = rng.choice(companies)
        start = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 90))
        listings.append(
            factories.ListingFactory(
                company=company,
                postal_code=rng.choice(codes),
                kind=rng.choice(["offer", "need"]),
                category=rng.choice(categories),
                radius_km=rng.randrange(10, 200),
                title=" ".join(rng.sample(WORDS.split(), 3)),
                description=" ".join(rng.sample(WORDS.split(), 4)),
                available_from=start if rng.random() < 0.6 else None,
                available_until=start + timedelta(days=rng.randrange(1, 60))
                if rng.random() < 0.6
                else None,
                quantity=rng.choice([None, 5, 10, 20]),
                unit=rng.choice(["pallet", "m2"]),
            )
        )
    checked = 0
    for listing in listings[:40]:
        fast = queries.score_top(listing)
        naive = queries.suggestions_naive(listing)
        assert [(s.listing_id, s.score) for s in fast] == [(s.listing_id, s.score) for s in naive]
        checked += bool(fast)
    assert checked > 20
