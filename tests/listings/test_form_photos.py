"""Photos in the listing form itself (no script: the file input takes several, a position and a
"remove" box per photo, all applied on save), the JSON answer the form's script asks for, the
photo order API, and the form's error summary and required marks."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bourse.listings import services
from bourse.listings.models import Listing

from .test_pages import FORM
from .write_support import image_bytes, make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, company_admin):
    client.force_login(company_admin)
    return client


def jpeg(name: str, color=(200, 60, 40)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(color=color), content_type="image/jpeg")


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def widths(listing) -> list[int]:
    return [photo.width for photo in listing.photos.all()]


def test_a_new_listing_takes_several_photos_in_its_form(web):
    files = [
        SimpleUploadedFile("a.jpg", image_bytes(size=(64, 48)), content_type="image/jpeg"),
        SimpleUploadedFile("b.png", image_bytes("PNG", size=(80, 60)), content_type="image/png"),
    ]
    response = web.post(reverse("listings:create"), {**FORM, "action": "draft", "photos": files})
    assert response.status_code == 302
    listing = Listing.objects.get()
    assert widths(listing) == [64, 80]  # in the order chosen
    assert [p.position for p in listing.photos.all()] == [0, 1]
    assert listing.photos.first().thumbnail.url in web.get(response["Location"]).content.decode()


def test_a_refused_file_is_named_and_nothing_is_created(web, settings):
    files = [jpeg("ok.jpg"), SimpleUploadedFile("notes.jpg", b"pas une image")]
    response = web.post(reverse("listings:create"), {**FORM, "action": "draft", "photos": files})
    assert response.status_code == 200
    html = response.content.decode()
    assert "« notes.jpg » : Ce fichier n&#x27;est pas une image JPEG, PNG ou WebP." in html
    assert 'href="#id_photos"' in html  # in the error summary
    assert 'value="Recherche 300 m² de stockage sec près de Lyon"' in html  # text kept
    assert not Listing.objects.exists()
    assert stored_files(settings) == []


def test_photos_with_another_error_are_asked_again(web):
    files = [jpeg("a.jpg")]
    response = web.post(
        reverse("listings:create"), {**FORM, "title": "", "action": "draft", "photos": files}
    )
    html = response.content.decode()
    assert "Vos photos n&#x27;ont pas été enregistrées : choisissez-les à nouveau." in html
    assert not Listing.objects.exists()


def test_seven_photos_are_refused_with_how_many_to_remove(web, settings):
    files = [jpeg(f"{i}.jpg") for i in range(7)]
    response = web.post(reverse("listings:create"), {**FORM, "action": "draft", "photos": files})
    assert "Une annonce a au plus 6 photos : retirez-en 1." in response.content.decode()
    assert not Listing.objects.exists()
    assert stored_files(settings) == []


def test_the_edit_form_reorders_removes_and_adds_photos(
    web, company, company_admin, settings, django_capture_on_commit_callbacks
):
    listing = make_listing(company, company_admin, "draft")
    first, second, third = (
        services.listing_photo_add(
            listing=listing,
            by=company_admin,
            upload=SimpleUploadedFile(f"{w}.jpg", image_bytes(size=(w, 30))),
        )
        for w in (40, 50, 60)
    )
    assert len(stored_files(settings)) == 6
    page = web.get(reverse("listings:edit", args=[listing.pk])).content.decode()
    assert f'name="photo_position_{first.pk}"' in page and f'name="photo_remove_{third.pk}"' in page

    data = {
        **FORM,
        "action": "save",
        f"photo_position_{first.pk}": "3",
        f"photo_position_{second.pk}": "1",
        f"photo_position_{third.pk}": "2",
        f"photo_remove_{third.pk}": "on",
        "photos": [SimpleUploadedFile("new.jpg", image_bytes(size=(70, 30)))],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(reverse("listings:edit", args=[listing.pk]), data)
    assert response.status_code == 302
    assert widths(listing) == [50, 40, 70]  # second, first, then the new one; third removed
    assert [p.position for p in listing.photos.all()] == [0, 1, 2]
    assert len(stored_files(settings)) == 6  # third's two files gone, the new one's two added


def test_the_forms_script_gets_json_with_the_photo_api_addresses(web):
    response = web.post(
        reverse("listings:create"),
        {**FORM, "action": "draft"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    listing = Listing.objects.get()
    assert response.json() == {
        "id": listing.pk,
        "url": reverse("listings:edit", args=[listing.pk]),
        "photos_url": f"/api/v1/listings/{listing.pk}/photos/",
        "order_url": f"/api/v1/listings/{listing.pk}/photos/order/",
    }
    # The confirmation waits for the page the script opens next.
    assert "Brouillon enregistré." in web.get(response.json()["url"]).content.decode()

    refused = web.post(
        reverse("listings:create"), {**FORM, "title": ""}, headers={"Accept": "application/json"}
    )
    assert refused["Content-Type"].startswith("text/html")  # the form again, with its errors
    assert "data-error-summary" in refused.content.decode()


def test_the_order_api_puts_every_photo_in_place(
    client_for, company, company_admin, other_admin, settings
):
    listing = make_listing(company, company_admin, "published")
    # Published it stays, with its new photos (with approval on, a new photo sends it back to
    # the moderators: test_photo_review.py).
    settings.LISTINGS_REQUIRE_APPROVAL = False
    ids = [
        services.listing_photo_add(
            listing=listing, by=company_admin, upload=SimpleUploadedFile("p.jpg", image_bytes())
        ).pk
        for _ in range(3)
    ]
    owner = client_for(company_admin)
    url = f"/api/v1/listings/{listing.pk}/photos/order/"
    response = owner.put(url, {"photos": [ids[2], ids[0], ids[1]]}, format="json")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()] == [ids[2], ids[0], ids[1]]
    assert list(listing.photos.values_list("pk", flat=True)) == [ids[2], ids[0], ids[1]]
    api_photos = owner.get(f"/api/v1/listings/{listing.pk}/").json()["photos"]
    assert [p["id"] for p in api_photos] == [ids[2], ids[0], ids[1]]

    for wrong in ([ids[0], ids[1]], [ids[0], ids[0], ids[1], ids[2]], [*ids, 999999], "x"):
        refused = owner.put(url, {"photos": wrong}, format="json")
        assert refused.status_code == 400 and "photos" in refused.json(), wrong
    assert list(listing.photos.values_list("pk", flat=True)) == [ids[2], ids[0], ids[1]]

    other = client_for(other_admin).put(url, {"photos": ids}, format="json")
    assert other.status_code == 403
    assert list(listing.photos.values_list("pk", flat=True)) == [ids[2], ids[0], ids[1]]


def test_an_empty_form_shows_a_focused_summary_linking_each_field(web):
    response = web.post(reverse("listings:create"), {"action": "draft"})
    html = response.content.decode()
    summary = html[
        html.index("data-error-summary") : html.index("</ul>", html.index("data-error-summary"))
    ]
    assert (
        "autofocus"
        in html[html.index('<div class="error-summary"') : html.index("data-error-summary")]
    )
    assert re.search(r"<title>Erreur : Nouvelle annonce", html)
    for field in ("title", "description", "category"):
        assert f'href="#id_{field}"' in summary
    assert "Titre : Ce champ est obligatoire." in summary
    assert not Listing.objects.exists()


def test_required_fields_are_marked_the_same_way(web):
    html = web.get(reverse("listings:create")).content.decode()
    assert "Les champs marqués d" in html
    mark = '<span class="required" aria-hidden="true">*</span>'
    for label in ("Vous publiez", "Titre", "Catégorie", "Description", "Conditions", "Lieu"):
        assert re.search(re.escape(label) + r"\s*" + re.escape(mark), html), label
    # Optional fields carry no mark.
    assert not re.search(r"Quantité\s*" + re.escape(mark), html)
