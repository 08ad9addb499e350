"""The demo listings: made through the services, fitting each company's trade, varied,
idempotent, with photos that draw French text."""

import io
import random
from collections import Counter

import pytest
from PIL import Image, ImageFont

from bourse.demo import listings as demo
from bourse.demo import photos
from bourse.demo.catalog import SECTORS
from bourse.listings.models import Listing, ListingPhoto
from tests import factories

pytestmark = pytest.mark.django_db

# Trades of the companies below: storage, logistics, bakery, machining, cleaning.
TRADES = {
    "69002": "52.10B",
    "69200": "52.29A",
    "69100": "10.71C",
    "42000": "25.62B",
    "42100": "81.22Z",
}


@pytest.fixture
def demo_companies():
    companies = []
    for postal_code, naf_code in TRADES.items():
        company = factories.CompanyFactory(postal_code=postal_code, naf_code=naf_code)
        factories.MembershipFactory(company=company)
        companies.append(company)
    # Neither a company without members nor a pending one gets demo listings.
    companies.append(factories.CompanyFactory(postal_code="69003", naf_code="52.10B"))
    pending = factories.CompanyFactory(postal_code="69004", status="pending", naf_code="16.23Z")
    factories.MembershipFactory(company=pending)
    companies.append(pending)
    factories.ModeratorFactory(is_national=True, departements=[])
    return companies


def test_demo_listings_fit_their_trade_are_varied_and_idempotent(demo_companies):
    # A company registered by hand, verified with a member, is not one of the demo's.
    hand_made = factories.MembershipFactory(company=factories.CompanyFactory()).company
    out = io.StringIO()
    created = demo.load(rng=random.Random(7), stdout=out, companies=demo_companies, target=40)
    listings = Listing.objects.select_related("company", "category")
    assert len(created) == listings.count() >= 30
    assert {listing.company_id for listing in listings} <= {c.pk for c in demo_companies[:5]}
    assert not hand_made.listings.exists()
    for listing in listings:
        offers, needs = SECTORS[listing.company.naf_code]
        assert listing.category.slug in (offers if listing.kind == "offer" else needs), (
            listing.company.naf_code,
            listing.title,
        )
    # No cleaning company offers a machine, no entry of the catalogue read thrice.
    cleaning = listings.filter(company__naf_code="81.22Z", kind="offer")
    assert not cleaning.filter(category__slug="machines-production").exists()
    first_words = Counter(" ".join(listing.title.split()[:3]) for listing in listings)
    assert max(first_words.values()) <= 2, first_words.most_common(3)

    statuses = Counter(listings.values_list("status", flat=True))
    assert statuses["published"] > 20
    for status in ("pending", "draft", "rejected", "hidden", "fulfilled", "withdrawn", "expired"):
        assert statuses[status] >= 1, status
    assert {"offer", "need"} == set(listings.values_list("kind", flat=True))
    # The complementary pair of the Rhône is there, between a storage and a logistics company.
    offer = listings.get(title="Entrepôt sec 400 m² à Vénissieux", kind="offer")
    assert offer.company.naf_code == "52.10B"
    assert listings.filter(title__startswith="Recherche 300 m² de stockage sec", kind="need")
    assert listings.filter(status="rejected").exclude(rejection_reason="").count() >= 1

    assert ListingPhoto.objects.count() >= 5
    with Image.open(ListingPhoto.objects.first().image.path) as image:
        assert image.format == "JPEG" and len(image.getexif()) == 0

    again = demo.load(rng=random.Random(7), stdout=out, companies=demo_companies, target=40)
    assert again == [] and Listing.objects.count() == len(created)
    assert "0 demo listings created" in out.getvalue()


def test_demo_without_companies_does_nothing(db):
    out = io.StringIO()
    assert demo.load(rng=random.Random(1), stdout=out, companies=[]) == []
    assert Listing.objects.count() == 0
    assert "no verified demo company" in out.getvalue()


def test_photos_draw_french_letters_not_boxes():
    """Pillow's own font has no é, œ or €: the photos use a font from a Python package."""
    assert photos.has_french_font()
    font = ImageFont.truetype(photos._font_file("Bold"), 40)
    missing = bytes(font.getmask("\U0010fffd"))  # a character no font has: the empty box
    for letter in "éèêàâçîôûœÉ°²€’":
        assert bytes(font.getmask(letter)) != missing, letter
    picture = photos.demo_image(1, "Équipements de protection", "Blanchisserie Lefèvre")
    with Image.open(io.BytesIO(picture)) as image:
        assert image.size == (800, 600)
