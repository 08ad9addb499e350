"""A listing without a photo shows its top-level category's placeholder, decorative."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bourse.listings import placeholders, services
from bourse.listings.models import Category
from tests import factories

from .write_support import image_bytes, make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh():
    placeholders.forget()
    yield
    placeholders.forget()


def test_every_top_level_category_of_the_taxonomy_has_its_picture():
    folder = Path(django_settings.BASE_DIR) / "frontend" / "img" / "placeholders"
    tops = set(Category.objects.filter(parent=None).values_list("slug", flat=True))
    assert tops == placeholders.PLACEHOLDERS
    for slug in tops:
        assert (folder / f"{slug}.svg").read_text().startswith("<svg ")


def test_a_child_shows_its_parents_picture_and_an_unknown_one_the_default():
    froid = Category.objects.get(slug="froid")
    assert placeholders.placeholder_url(froid.pk).endswith("img/placeholders/stockage.svg")
    created = Category.objects.create(slug="energie", name="Énergie")  # added by staff later
    child = Category.objects.create(slug="solaire", name="Solaire", parent=created)
    assert placeholders.placeholder_url(child.pk).endswith("img/placeholders/autre.svg")


def test_cards_and_detail_show_the_placeholder_or_the_first_photo(
    client, company, company_admin, monkeypatch, settings
):
    bare = make_listing(company, company_admin, "published", title="Entrepôt sans photo")
    shown = make_listing(
        company,
        company_admin,
        "published",
        title="Chariot avec photo",
        category=Category.objects.get(slug="manutention"),
        unit="unit",
        quantity=1,
        attributes=None,
    )
    # Published it stays, with its new photo (with approval on, a new photo sends it back to
    # the moderators: test_photo_review.py).
    settings.LISTINGS_REQUIRE_APPROVAL = False
    photo = services.listing_photo_add(
        listing=shown, by=company_admin, upload=SimpleUploadedFile("p.jpg", image_bytes())
    )
    search = client.get(reverse("listings:search")).content.decode()
    assert (
        '<img class="listing-placeholder" src="/static/img/placeholders/stockage.svg" alt=""'
        in search
    )
    assert f'<img src="{photo.thumbnail.url}" alt=""' in search
    assert "placeholders/equipements.svg" not in search  # the photo, not the placeholder

    detail = client.get(reverse("listings:detail", args=[bare.pk])).content.decode()
    wide = 'class="listing-placeholder listing-placeholder-wide" src="/static/img/placeholders/'
    assert wide + 'stockage.svg" alt=""' in detail
    with_photo = client.get(reverse("listings:detail", args=[shown.pk])).content.decode()
    assert "listing-placeholder" not in with_photo and photo.image.url in with_photo

    # The categories are read once per process, not once per card or per page.
    calls = []
    real = placeholders._top_slugs
    monkeypatch.setattr(placeholders, "_top_slugs", lambda: calls.append(1) or real())
    placeholders.forget()
    client.get(reverse("listings:search"))
    client.get(reverse("listings:search"))
    assert len(calls) == 1


def test_suggestions_show_the_same_picture_as_cards(client, company_member, need, family):
    offer = factories.ListingFactory(
        kind="offer",
        category=family[1],
        postal_code="69003",
        title="Entrepôt avec quai pour palettes",
        description="Quai de chargement couvert.",
    )
    client.force_login(company_member)
    html = client.get("/suggestions/").content.decode()
    card = html[html.index(f'data-listing="{offer.pk}"') :]
    card = card[: card.index("</li>")]
    assert (
        '<img class="listing-placeholder" src="/static/img/placeholders/autre.svg" alt=""' in card
    )
