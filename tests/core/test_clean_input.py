"""Single-line fields refuse line breaks, control and bidi characters at the edge (API and
pages), with a French error on the field; multi-line fields keep their line breaks."""

import pytest
from django.urls import reverse

from accounts.models import Company, User
from bourse.listings.models import Listing
from bourse.moderation.models import Report
from tests import factories

pytestmark = pytest.mark.django_db

LISTING = {
    "kind": "offer",
    "title": "Chariot élévateur",
    "description": "Chariot thermique révisé.\nDisponible en semaine.",
    "category": "manutention",
    "terms": "loan",
}
COMPANY = {
    "name": "Boulangerie Perret",
    "siret": factories.make_siret(),
    "address": "1 place Bellecour",
    "postal_code": "69002",
}


@pytest.mark.parametrize("title", ["Chariot\r\nBcc: tous@exemple.fr", "Chariot \u202eélévateur"])
def test_listing_title_with_a_line_break_or_bidi_is_400_on_the_field(
    client_for, company_admin, title
):
    response = client_for(company_admin).post("/api/v1/listings/", {**LISTING, "title": title})
    assert response.status_code == 400
    assert list(response.json()) == ["title"]
    assert not Listing.objects.exists()


def test_listing_description_keeps_its_line_breaks(client_for, company_admin):
    response = client_for(company_admin).post("/api/v1/listings/", LISTING)
    assert response.status_code == 201, response.json()
    assert Listing.objects.get().description == LISTING["description"]


def test_listing_title_made_of_invisible_characters_is_refused_on_the_page(client, company_admin):
    client.force_login(company_admin)
    form = {**LISTING, "category": "manutention", "location": "company", "radius_km": "30"}
    response = client.post(reverse("listings:create"), {**form, "title": "\u200b\u3164"})
    assert response.status_code in (200, 400)
    assert "caractères invisibles" in response.content.decode()
    assert not Listing.objects.exists()


def test_company_name_with_a_line_break_is_400_on_the_field(client_for, user):
    response = client_for(user).post("/api/v1/companies/", {**COMPANY, "name": "Perret\nSA"})
    assert response.status_code == 400
    assert "name" in response.json()
    assert not Company.objects.exists()


def test_company_name_with_a_line_break_is_refused_on_the_page(client, user):
    client.force_login(user)
    response = client.post("/entreprise/declarer/", {**COMPANY, "name": "Perret\rSA"})
    assert "retours à la ligne" in response.content.decode()
    assert not Company.objects.exists()


def test_a_person_name_with_a_control_character_is_refused(client, client_for, company_admin):
    response = client_for(company_admin).patch("/api/v1/me/", {"last_name": "Roux\x1b[2J"})
    assert response.status_code == 400 and list(response.json()) == ["last_name"]
    client.force_login(company_admin)
    client.post("/mon-compte/", {"first_name": "Lu\ncie", "last_name": "", "phone": ""})
    assert User.objects.get(pk=company_admin.pk).first_name != "Lu\ncie"


def test_a_saved_search_name_with_a_line_break_is_400(client_for, company_admin):
    response = client_for(company_admin).post(
        "/api/v1/saved-searches/", {"name": "Entrepôts\nLyon", "q": "entrepôt"}
    )
    assert response.status_code == 400 and list(response.json()) == ["name"]


def test_a_moderator_reason_refuses_bidi_but_keeps_line_breaks(client_for):
    moderator = factories.ModeratorFactory(is_national=True, departements=[]).user
    listing = factories.ListingFactory(status="pending", published_at=None, expires_at=None)
    url = f"/api/v1/moderation/listings/{listing.pk}/reject/"
    response = client_for(moderator).post(url, {"reason": "Trop \u202evague"})
    assert response.status_code == 400 and list(response.json()) == ["reason"]
    response = client_for(moderator).post(url, {"reason": "Trop vague.\nPrécisez le lieu."})
    assert response.status_code == 200
    assert response.json()["rejection_reason"] == "Trop vague.\nPrécisez le lieu."


def test_a_report_reason_refuses_control_characters(client_for, other_company, company):
    reporter = factories.MembershipFactory(company=other_company).user
    response = client_for(reporter).post(
        "/api/v1/reports/",
        {"target_type": "company", "target_id": company.pk, "reason": "Faux\x07 SIRET"},
    )
    assert response.status_code == 400 and list(response.json()) == ["reason"]
    assert not Report.objects.exists()
