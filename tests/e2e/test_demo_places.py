"""The demo's showcase listings stand where their titles say ("Entrepôt sec 400 m² à
Vénissieux" is in Vénissieux, not at its company's address elsewhere in the Rhône)."""

import io
import random

import pytest

from bourse.listings import demo
from bourse.listings.demo_catalog import PAIRS
from bourse.listings.models import Listing
from tests import factories

pytestmark = pytest.mark.django_db


def test_pair_listings_naming_a_town_are_located_in_that_town():
    for postal_code in ["69002", "69220", "69400", "42000", "42100"]:
        company = factories.CompanyFactory(postal_code=postal_code)
        factories.MembershipFactory(company=company)
    factories.ModeratorFactory(is_national=True, departements=[])

    demo.load(rng=random.Random(3), stdout=io.StringIO(), target=40)

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
