"""The database keeps the rules: one Match per unordered pair, stored in order; one dismissal per
company and listing; one hit per saved search and listing."""

import pytest
from django.db import IntegrityError, connection, transaction

from tests import factories


def violates(name: str, create) -> None:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        create()
    if connection.vendor == "postgresql" or "CHECK" in str(error.value):
        assert name in str(error.value)


@pytest.fixture
def pair(family):
    return (
        factories.ListingFactory(kind="need", category=family[1]),
        factories.ListingFactory(kind="offer", category=family[1]),
    )


def test_match_pair_must_be_ordered(pair):
    low, high = sorted(pair, key=lambda listing: listing.pk)
    violates("match_pair_ordered", lambda: factories.MatchFactory(listing_a=high, listing_b=low))


def test_match_pair_is_unique(pair):
    low, high = sorted(pair, key=lambda listing: listing.pk)
    factories.MatchFactory(listing_a=low, listing_b=high)
    violates(
        "match_unique_pair",
        lambda: factories.MatchFactory(listing_a=low, listing_b=high, score=0.9),
    )


def test_dismissal_is_unique_per_company_and_listing(pair, company):
    factories.DismissalFactory(company=company, listing=pair[1])
    violates(
        "dismissal_unique_company_listing",
        lambda: factories.DismissalFactory(company=company, listing=pair[1]),
    )


def test_saved_search_hit_is_unique(pair, company):
    search = factories.SavedSearchFactory(company=company)
    factories.SavedSearchHitFactory(saved_search=search, listing=pair[1])
    violates(
        "saved_search_hit_unique",
        lambda: factories.SavedSearchHitFactory(saved_search=search, listing=pair[1]),
    )


def test_saved_search_point_is_complete(company):
    violates(
        "saved_search_point_complete",
        lambda: factories.SavedSearchFactory(company=company, latitude=45.0),
    )
