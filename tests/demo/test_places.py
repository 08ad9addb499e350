"""The demo's showcase listings stand where their titles say ("Entrepôt sec 400 m² à
Vénissieux" is in Vénissieux, not at its company's address elsewhere in the Rhône)."""

import io
import random

import pytest

from bourse.demo import listings as demo
from bourse.demo.catalog import PAIRS
from bourse.listings.models import Listing
from tests import factories

pytestmark = pytest.mark.django_db


def test_pair_listings_naming_a_town_are_located_in_that_town():
    companies = []
    for postal_code, naf_code in [
        ("69002", "52.10B"),  # storage: offers warehouses and cold rooms
        ("69220", "52.29A"),  # logistics: needs warehouse space
        ("69400", "10.71C"),  # bakery: needs cold storage
        ("42000", "52.29A"),
        ("42100", "25.62B"),
    ]:
        company = factories.CompanyFactory(postal_code=postal_code, naf_code=naf_code)
        factories.MembershipFactory(company=company)
        companies.append(company)
    factories.ModeratorFactory(is_national=True, departements=[])

    demo.load(rng=random.Random(3), stdout=io.StringIO(), companies=companies, target=40)

    named = [
        title
        for dep, _oc, offer, _nc, need, _q, _unit in PAIRS
        if dep in {"69", "42"}
        for title in (offer, need)
        if " à " in title and title.rsplit(" à ", 1)[1][0].isupper()
    ]
    assert "Entrepôt sec 400 m² à Vénissieux" in named
    listings = Listing.objects.filter(title__in=named)
    assert listings.count() == len(named)
    for listing in listings:
        assert listing.commune == listing.title.rsplit(" à ", 1)[1], listing.postal_code
