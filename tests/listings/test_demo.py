"""The demo listings: made through the services, varied, idempotent."""

import io
import random
from collections import Counter

import pytest
from PIL import Image

from bourse.listings import demo
from bourse.listings.models import Listing, ListingPhoto
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_companies():
    companies = []
    for postal_code in ["69002", "69200", "69100", "42000", "42100"]:
        company = factories.CompanyFactory(postal_code=postal_code)
        factories.MembershipFactory(company=company)
        companies.append(company)
    # Neither a company without members nor a pending one gets demo listings.
    factories.CompanyFactory(postal_code="69003")
    pending = factories.CompanyFactory(postal_code="69004", status="pending")
    factories.MembershipFactory(company=pending)
    factories.ModeratorFactory(is_national=True, departements=[])
    return companies


def test_demo_listings_are_varied_and_idempotent(demo_companies, settings):
    out = io.StringIO()
    demo.load(rng=random.Random(7), stdout=out, target=80)
    listings = Listing.objects.all()
    assert listings.count() == 80
    assert {listing.company_id for listing in listings} <= {c.pk for c in demo_companies}
    statuses = Counter(listings.values_list("status", flat=True))
    assert statuses["published"] > 40
    for status in ("pending", "draft", "rejected", "hidden", "fulfilled", "withdrawn", "expired"):
        assert statuses[status] >= 1, status
    assert {"offer", "need"} == set(listings.values_list("kind", flat=True))
    assert listings.values("category").distinct().count() > 10
    # The complementary pair of the Rhône is there.
    assert listings.filter(title="Entrepôt sec 400 m² à Vénissieux", kind="offer").exists()
    assert listings.filter(
        title__startswith="Recherche 300 m² de stockage sec", kind="need"
    ).exists()
    assert Listing.objects.published().count() == statuses["published"]
    assert listings.filter(status="rejected").exclude(rejection_reason="").count() >= 1

    photo = ListingPhoto.objects.first()
    assert photo is not None
    with Image.open(photo.image.path) as image:
        assert image.format == "JPEG" and len(image.getexif()) == 0

    demo.load(rng=random.Random(7), stdout=out, target=80)
    assert Listing.objects.count() == 80
    assert "0 demo listings created" in out.getvalue()


def test_demo_without_companies_does_nothing(db):
    out = io.StringIO()
    demo.load(rng=random.Random(1), stdout=out)
    assert Listing.objects.count() == 0
    assert "no verified company" in out.getvalue()
