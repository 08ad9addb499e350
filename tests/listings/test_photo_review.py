"""New photos on a published listing go back to the moderators, as new text does: the moderator
approved what the exchange shows, pictures included. Removing or reordering shows nothing new."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bourse.listings import services
from bourse.listings.models import Listing
from bourse.moderation import services as moderation_services
from tests import factories

from .test_pages import FORM
from .write_support import image_bytes, make_listing

pytestmark = pytest.mark.django_db


def jpeg(name="photo.jpg", width=40) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(size=(width, 30)), content_type="image/jpeg")


def api_upload(client, listing):
    return client.post(
        f"/api/v1/listings/{listing.pk}/photos/", {"image": jpeg()}, format="multipart"
    )


@pytest.fixture
def published(company, company_admin):
    listing = make_listing(company, company_admin, "published")
    services.listing_photo_add(listing=listing, by=company_admin, upload=jpeg("a.jpg", 40))
    # The photo above was added while published: approve again, as a moderator would.
    moderation_services.listing_approve(
        listing=Listing.objects.get(pk=listing.pk), by=factories.ModeratorFactory().user
    )
    listing.refresh_from_db()
    assert listing.status == "published"
    return listing


def status_of(listing) -> str:
    return Listing.objects.values_list("status", flat=True).get(pk=listing.pk)


@pytest.mark.parametrize(
    "change",
    ["text", "photo"],
)
def test_new_text_or_a_new_photo_sends_a_published_listing_back_to_pending(
    client_for, company_admin, published, change
):
    client = client_for(company_admin)
    before = published.updated_at
    if change == "text":
        response = client.patch(
            f"/api/v1/listings/{published.pk}/", {"title": "Autre titre"}, format="json"
        )
        assert response.status_code == 200
    else:
        assert api_upload(client, published).status_code == 201

    published.refresh_from_db()
    assert published.status == "pending"
    assert published.updated_at > before  # waits in the queue from this change
    queue = client_for(factories.ModeratorFactory().user).get(
        "/api/v1/moderation/listings/?status=pending"
    )
    (row,) = queue.json()["results"]
    assert row["id"] == published.pk
    assert len(row["photos"]) == (2 if change == "photo" else 1)


def test_the_moderator_approves_the_new_photo_and_the_listing_is_back(
    client_for, company_admin, published
):
    assert api_upload(client_for(company_admin), published).status_code == 201
    moderator = factories.ModeratorFactory().user
    response = client_for(moderator).post(f"/api/v1/moderation/listings/{published.pk}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert len(response.json()["photos"]) == 2


@pytest.mark.parametrize("move", ["delete", "order"])
def test_removing_or_reordering_photos_keeps_it_published(
    client_for, company_admin, published, move
):
    client = client_for(company_admin)
    second = services.listing_photo_add(listing=published, by=company_admin, upload=jpeg())
    moderation_services.listing_approve(
        listing=Listing.objects.get(pk=published.pk), by=factories.ModeratorFactory().user
    )
    first = published.photos.exclude(pk=second.pk).get()
    if move == "delete":
        response = client.delete(f"/api/v1/listings/{published.pk}/photos/{first.pk}/")
        assert response.status_code == 204
    else:
        response = client.put(
            f"/api/v1/listings/{published.pk}/photos/order/",
            {"photos": [second.pk, first.pk]},
            format="json",
        )
        assert response.status_code == 200
    assert status_of(published) == "published"


def test_without_approval_a_new_photo_keeps_it_published(
    settings, client_for, company_admin, published
):
    settings.LISTINGS_REQUIRE_APPROVAL = False
    assert api_upload(client_for(company_admin), published).status_code == 201
    assert status_of(published) == "published"


@pytest.mark.parametrize("status", ["draft", "pending", "rejected", "hidden"])
def test_a_photo_on_a_listing_not_published_leaves_its_status(
    client_for, company, company_admin, status
):
    listing = make_listing(company, company_admin, status)
    assert api_upload(client_for(company_admin), listing).status_code == 201
    assert status_of(listing) == status


@pytest.mark.parametrize("status", ["fulfilled", "withdrawn"])
def test_a_closed_listing_takes_no_photo_change(
    client_for, company, company_admin, settings, status
):
    listing = make_listing(company, company_admin, "pending")
    photo = services.listing_photo_add(listing=listing, by=company_admin, upload=jpeg())
    moderation_services.listing_approve(listing=listing, by=factories.ModeratorFactory().user)
    services.listing_close(
        listing=Listing.objects.get(pk=listing.pk), by=company_admin, outcome=status
    )
    client = client_for(company_admin)

    added = api_upload(client, listing)
    deleted = client.delete(f"/api/v1/listings/{listing.pk}/photos/{photo.pk}/")
    ordered = client.put(
        f"/api/v1/listings/{listing.pk}/photos/order/", {"photos": [photo.pk]}, format="json"
    )

    for response in (added, deleted, ordered):
        assert response.status_code == 400
        assert list(response.json()) == ["status"]
    assert list(listing.photos.values_list("pk", flat=True)) == [photo.pk]
    assert status_of(listing) == status


@pytest.fixture
def web_published(client, company_admin):
    """A listing published through the pages, with one photo, and its owner logged in."""
    client.force_login(company_admin)
    client.post(reverse("listings:create"), {**FORM, "action": "submit", "photos": [jpeg()]})
    listing = Listing.objects.get()
    moderation_services.listing_approve(listing=listing, by=factories.ModeratorFactory().user)
    listing.refresh_from_db()
    assert listing.status == "published" and listing.photos.count() == 1
    return listing


def edit(client, listing, **data):
    response = client.post(reverse("listings:edit", args=[listing.pk]), {**FORM, **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_edit_page_says_so_when_a_new_photo_sends_it_back(client, web_published):
    page = client.get(reverse("listings:edit", args=[web_published.pk])).content.decode()
    assert "modifier son texte ou ajouter une photo la renvoie en validation" in page

    said = edit(client, web_published, action="save", photos=[jpeg("b.jpg")])

    assert status_of(web_published) == "pending"
    assert "Modification enregistrée : l'annonce repasse en validation par la CCI." in said


def test_the_edit_page_replacing_a_photo_sends_it_back(client, web_published):
    old = web_published.photos.get()
    edit(
        client,
        web_published,
        action="save",
        photos=[jpeg("b.jpg", 70)],
        **{f"photo_position_{old.pk}": "1", f"photo_remove_{old.pk}": "on"},
    )
    assert [p.width for p in web_published.photos.all()] == [70]
    assert status_of(web_published) == "pending"


def test_the_edit_page_removing_a_photo_keeps_it_published(client, web_published):
    old = web_published.photos.get()
    said = edit(
        client,
        web_published,
        action="save",
        **{f"photo_position_{old.pk}": "1", f"photo_remove_{old.pk}": "on"},
    )
    assert not web_published.photos.exists()
    assert status_of(web_published) == "published"
    assert "Modifications enregistrées." in said
