"""A watched word in the title or description, or an e-mail address or phone number in the
title, holds a listing for a moderator even when LISTINGS_REQUIRE_APPROVAL is off; the
moderator sees why on the queue and in the API."""

import pytest

from bourse.listings import holds, services
from bourse.listings.models import WatchedWord
from tests.listings.write_support import listing_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "title",
    [
        "Palettes, appelez le 06 12 34 56 78",
        "Palettes 06.12.34.56.78",
        "Palettes 0612345678",
        "Palettes +33 6 12 34 56 78",
        "Palettes +33612345678",
        "Palettes (tél. +44 20 7946 0958)",
    ],
)
def test_phone_numbers_in_titles_are_found(title):
    assert {"code": "phone_in_title"} in holds.hold_reasons(title, "")


@pytest.mark.parametrize(
    "title",
    [
        "Lot de 2000 palettes 1200x800",
        "Chariot élévateur 2,5 t CACES 3",
        "SIRET 12345678901234 entrepôt 400 m²",
        "Entrepôt du 01/06/2026 au 30/09/2026",
    ],
)
def test_ordinary_titles_are_not_held(title):
    assert holds.hold_reasons(title, "Rien de particulier.") == []


def test_watched_words_ignore_case_and_accents_but_need_whole_words():
    WatchedWord.objects.create(word="arme")
    assert holds.hold_reasons("Armoire métallique", "") == []
    assert holds.hold_reasons("Lot", "Une ARMÉ, non : une arme.") == [
        {"code": "watched_word", "word": "arme"}
    ]
    # Seeded: phrases match across spaces, accents folded both ways.
    assert holds.hold_reasons("Stock", "Paiement par western   union") == [
        {"code": "watched_word", "word": "Western Union"}
    ]
    assert holds.hold_reasons("Sacs CONTREFACON", "") == [
        {"code": "watched_word", "word": "contrefaçon"}
    ]


def test_email_in_the_title_only():
    assert holds.hold_reasons("Palettes contact@exemple.fr", "") == [{"code": "email_in_title"}]
    assert holds.hold_reasons("Palettes", "Écrire à contact@exemple.fr") == []


@pytest.mark.parametrize("required", [False, True])
def test_held_listing_is_pending_whatever_the_setting(company, company_admin, settings, required):
    settings.LISTINGS_REQUIRE_APPROVAL = required
    listing = services.listing_create(
        company=company,
        by=company_admin,
        data=listing_data(title="Entrepôt 400 m² — 06 12 34 56 78"),
        submit=True,
    )
    assert listing.status == "pending"
    listing.refresh_from_db()
    assert listing.hold_reasons == [{"code": "phone_in_title"}]


def test_clean_listing_is_published_when_approval_is_off(company, company_admin, settings):
    settings.LISTINGS_REQUIRE_APPROVAL = False
    listing = services.listing_create(
        company=company, by=company_admin, data=listing_data(), submit=True
    )
    assert listing.status == "published"
    assert listing.hold_reasons is None


def test_edit_of_a_published_listing_adding_a_watched_word_sends_it_back(
    company, company_admin, settings
):
    settings.LISTINGS_REQUIRE_APPROVAL = False
    listing = services.listing_create(
        company=company, by=company_admin, data=listing_data(), submit=True
    )
    listing = services.listing_update(
        listing=listing,
        by=company_admin,
        data={"description": "Paiement d'avance par Bitcoin uniquement."},
    )
    assert listing.status == "pending"
    assert listing.hold_reasons == [{"code": "watched_word", "word": "bitcoin"}]


def test_resubmitted_draft_is_held_too(company, company_admin, settings):
    settings.LISTINGS_REQUIRE_APPROVAL = False
    listing = services.listing_create(
        company=company,
        by=company_admin,
        data=listing_data(title="Entrepôt — écrire à loueur@exemple.fr"),
        submit=False,
    )
    listing = services.listing_submit(listing=listing, by=company_admin)
    assert listing.status == "pending"
    assert listing.hold_reasons == [{"code": "email_in_title"}]


def test_moderator_sees_why_in_the_api_and_on_the_queue(
    client, client_for, company, company_admin, national_moderator, settings
):
    settings.LISTINGS_REQUIRE_APPROVAL = False
    held = services.listing_create(
        company=company,
        by=company_admin,
        data=listing_data(title="Entrepôt 06 12 34 56 78", description="Via WhatsApp."),
        submit=True,
    )
    response = client_for(national_moderator).get("/api/v1/moderation/listings/?status=pending")
    assert response.status_code == 200
    (item,) = [i for i in response.json()["results"] if i["id"] == held.pk]
    assert item["hold_reasons"] == [
        {
            "code": "watched_word",
            "word": "WhatsApp",
            "detail": "Contient le mot surveillé « WhatsApp ».",
        },
        {"code": "phone_in_title", "detail": "Numéro de téléphone dans le titre."},
    ]
    client.force_login(national_moderator)
    page = client.get("/moderation/annonces/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Retenue pour vérification" in content
    assert "Numéro de téléphone dans le titre." in content


def test_watched_words_are_edited_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/listings/watchedword/add/", {"word": "faux billets"}, follow=True
    )
    assert response.status_code == 200
    assert WatchedWord.objects.filter(word="faux billets").exists()
