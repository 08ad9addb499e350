"""Listings web pages (French): create/edit with photos, detail, "Mes annonces", close."""

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.models import Company
from bourse.listings.models import Listing
from messaging.services import conversation_start
from tests import factories

from .write_support import make_listing

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "need",
    "title": "Recherche 300 m² de stockage sec près de Lyon",
    "description": "Stock saisonnier de cartons, 3 mois, accès semi-remorque indispensable.",
    "category": "entrepot-sec",
    "quantity": "300",
    "unit": "m2",
    "terms": "rent",
    "price": "",
    "available_from": "2026-12-01",
    "available_until": "2027-02-28",
    "location": "company",
    "postal_code": "",
    "radius_km": "30",
}


@pytest.fixture
def browser(client, company_admin):
    client.force_login(company_admin)
    return client


def test_create_page_shows_the_grouped_form_in_french(browser):
    response = browser.get(reverse("listings:create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nouvelle annonce" in html
    assert '<optgroup label="Stockage">' in html
    assert 'value="entrepot-sec"' in html
    assert "data-postal-autocomplete" in html
    assert "Enregistrer le brouillon" in html and "Soumettre" in html
    assert 'id="category-units"' in html
    assert "js/listing-form.js" in html


def test_create_as_draft_then_redirects_to_the_edit_page(browser, company):
    response = browser.post(reverse("listings:create"), {**FORM, "action": "draft"})
    listing = Listing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("listings:edit", args=[listing.pk])
    assert listing.status == "draft"
    assert listing.kind == "need"
    assert listing.postal_code == company.postal_code
    assert listing.price is None


def test_create_and_submit_is_pending(browser):
    browser.post(reverse("listings:create"), {**FORM, "action": "submit"})
    assert Listing.objects.get().status == "pending"


def test_price_is_dropped_unless_rent_or_sale(browser):
    browser.post(
        reverse("listings:create"), {**FORM, "terms": "free", "price": "50", "action": "draft"}
    )
    assert Listing.objects.get().price is None


def test_bad_postal_code_shows_a_french_error_and_keeps_the_input(browser):
    response = browser.post(
        reverse("listings:create"),
        {**FORM, "location": "other", "postal_code": "00000", "action": "submit"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Code postal inconnu" in html
    assert FORM["title"].replace("'", "&#x27;") in html
    assert not Listing.objects.exists()


def test_other_location_without_postal_code_is_an_error(browser):
    response = browser.post(reverse("listings:create"), {**FORM, "location": "other"})
    assert response.status_code == 200
    assert "Indiquez le code postal du lieu." in response.content.decode()


def test_unit_not_fitting_the_category_is_shown_on_the_field(browser):
    response = browser.post(reverse("listings:create"), {**FORM, "unit": "person"})
    assert response.status_code == 200
    assert "Cette unité ne convient pas à la catégorie" in response.content.decode()


def test_window_in_the_wrong_order_is_an_error(browser):
    response = browser.post(reverse("listings:create"), {**FORM, "available_until": "2026-11-01"})
    assert "La fin de disponibilité doit être postérieure" in response.content.decode()


def test_anonymous_create_redirects_to_login(client):
    response = client.get(reverse("listings:create"))
    assert response.status_code == 302
    assert "/comptes/login/" in response["Location"]


@pytest.mark.parametrize("status", ["suspended", "rejected"])
def test_a_refused_or_suspended_company_cannot_open_the_create_page(client, status):
    membership = factories.MembershipFactory(company=factories.CompanyFactory(status=status))
    client.force_login(membership.user)
    response = client.post(reverse("listings:create"), {**FORM, "action": "draft"})
    assert response.status_code == 302
    assert not Listing.objects.exists()


@pytest.fixture
def waiting(client):
    """A member of a company waiting for verification, logged in."""
    membership = factories.MembershipFactory(company=factories.CompanyFactory(status="pending"))
    client.force_login(membership.user)
    return membership


def test_a_waiting_company_saves_a_draft_and_is_told_why_it_cannot_submit(client, waiting):
    html = client.get(reverse("listings:create")).content.decode()
    assert 'value="draft"' in html and 'value="submit"' not in html
    assert "en attente de vérification" in html and "24 h" in html
    response = client.post(reverse("listings:create"), {**FORM, "action": "draft"})
    listing = Listing.objects.get()
    assert response.status_code == 302 and listing.status == "draft"
    assert listing.company == waiting.company


def test_a_waiting_company_asking_to_submit_gets_a_draft(client, waiting):
    client.post(reverse("listings:create"), {**FORM, "action": "submit"})
    assert Listing.objects.get().status == "draft"


def test_a_waiting_company_edits_and_deletes_its_draft_but_cannot_submit_it(client, waiting):
    client.post(reverse("listings:create"), {**FORM, "action": "draft"})
    listing = Listing.objects.get()
    edit = reverse("listings:edit", args=[listing.pk])
    html = client.get(edit).content.decode()
    assert 'value="submit"' not in html and "Photos" in html
    client.post(edit, {**FORM, "title": "Stockage sec corrigé", "action": "submit"})
    listing.refresh_from_db()
    assert (listing.title, listing.status) == ("Stockage sec corrigé", "draft")
    assert client.post(reverse("listings:submit", args=[listing.pk])).status_code == 403
    listing.refresh_from_db()
    assert listing.status == "draft"
    mine = client.get(reverse("listings:mine")).content.decode()
    assert "Préparer une annonce" in mine and reverse("listings:delete", args=[listing.pk]) in mine
    client.post(reverse("listings:delete", args=[listing.pk]))
    assert not Listing.objects.exists()


def test_api_submit_of_a_waiting_company_draft_is_refused(client, waiting):
    client.post(reverse("listings:create"), {**FORM, "action": "draft"})
    listing = Listing.objects.get()
    response = client.post(f"/api/v1/listings/{listing.pk}/submit/")
    assert response.status_code == 403
    listing.refresh_from_db()
    assert listing.status == "draft"


def test_a_company_sent_back_to_pending_cannot_edit_its_published_listing(
    client, company, company_admin
):
    listing = make_listing(company, company_admin, "published")
    Company.objects.filter(pk=company.pk).update(status="pending")
    client.force_login(company_admin)
    assert client.get(reverse("listings:edit", args=[listing.pk])).status_code == 403


def test_edit_page_prefills_and_saves(browser, company, company_admin):
    listing = make_listing(company, company_admin, "draft", postal_code="69200")
    url = reverse("listings:edit", args=[listing.pk])
    html = browser.get(url).content.decode()
    assert 'value="69200"' in html
    assert "Photos" in html
    response = browser.post(url, {**FORM, "title": "Titre corrigé", "action": "save"})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.title, listing.status) == ("Titre corrigé", "draft")


def test_editing_a_published_listing_warns_and_returns_to_pending(browser, company, company_admin):
    listing = make_listing(company, company_admin, "published")
    url = reverse("listings:edit", args=[listing.pk])
    assert "la renvoie en validation" in browser.get(url).content.decode()
    response = browser.post(url, {**FORM, "action": "save"}, follow=True)
    listing.refresh_from_db()
    assert listing.status == "pending"
    assert "repasse en validation" in response.content.decode()


def test_edit_page_of_another_company_is_403_or_404(client, other_admin, company, company_admin):
    client.force_login(other_admin)
    published = make_listing(company, company_admin, "published")
    draft = make_listing(company, company_admin, "draft")
    assert client.get(reverse("listings:edit", args=[published.pk])).status_code == 403
    assert client.get(reverse("listings:edit", args=[draft.pk])).status_code == 404


def test_mine_lists_every_status_with_reasons_and_actions(browser, company, company_admin):
    rejected = make_listing(company, company_admin, "rejected")
    published = make_listing(company, company_admin, "published")
    make_listing(company, company_admin, "draft")
    response = browser.get(reverse("listings:mine"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mes annonces" in html
    assert "Trop vague." in html  # the rejection reason
    assert "status-rejected" in html and "status-published" in html and "status-draft" in html
    assert reverse("listings:submit", args=[rejected.pk]) in html
    assert reverse("listings:renew", args=[published.pk]) in html
    assert reverse("listings:close", args=[published.pk]) in html


def test_mine_filters_by_status(browser, company, company_admin):
    make_listing(company, company_admin, "draft", title="Brouillon A")
    make_listing(company, company_admin, "published", title="Publiée B")
    html = browser.get(reverse("listings:mine") + "?statut=draft").content.decode()
    assert "Brouillon A" in html and "Publiée B" not in html


def test_submit_renew_and_delete_buttons(browser, company, company_admin):
    draft = make_listing(company, company_admin, "draft")
    browser.post(reverse("listings:submit", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "pending"
    response = browser.post(reverse("listings:submit", args=[draft.pk]), follow=True)
    assert "Impossible de soumettre" in response.content.decode()
    browser.post(reverse("listings:delete", args=[draft.pk]))
    assert not Listing.objects.filter(pk=draft.pk).exists()


def test_close_page_records_the_partner(
    browser, company, company_admin, other_company, other_admin
):
    listing = make_listing(company, company_admin, "published")
    bystander = factories.CompanyFactory(name="Entreprise sans contact")
    conversation_start(listing=listing, by=other_admin, body="Bonjour, toujours disponible ?")
    url = reverse("listings:close", args=[listing.pk])
    html = browser.get(url).content.decode()
    assert other_company.name in html
    assert bystander.name not in html  # only companies that wrote about the listing
    assert f'value="{company.pk}"' not in html  # not its own company
    response = browser.post(url, {"outcome": "fulfilled", "partner_company": other_company.pk})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.status, listing.partner_company) == ("fulfilled", other_company)


def test_detail_for_visitors_has_no_contact_and_invites_to_register(client, company, company_admin):
    Company.objects.filter(pk=company.pk).update(phone="04 72 11 22 33")
    listing = make_listing(company, company_admin, "published")
    response = client.get(reverse("listings:detail", args=[listing.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert listing.title in html
    assert company.name in html
    assert "04 72 11 22 33" not in html
    assert company_admin.email not in html
    assert "Inscrivez votre entreprise" in html
    assert "leaflet/leaflet.js" in html
    assert 'id="listing-map-config"' in html


def test_detail_for_verified_members_shows_contact(client, other_admin, company, company_admin):
    Company.objects.filter(pk=company.pk).update(phone="04 72 11 22 33")
    listing = make_listing(company, company_admin, "published")
    client.force_login(other_admin)
    html = client.get(reverse("listings:detail", args=[listing.pk])).content.decode()
    assert "04 72 11 22 33" in html
    assert company_admin.email in html
    try:
        start_url = reverse("messaging:start", args=[listing.pk])
    except NoReverseMatch:
        assert "Contacter l&#x27;entreprise" not in html
    else:
        assert start_url in html
    report_url = reverse("moderation:report_create")
    assert f"{report_url}?target_type=listing&amp;target_id={listing.pk}" in html


def test_detail_has_no_report_link_for_visitors_or_the_owner(client, company, company_admin):
    listing = make_listing(company, company_admin, "published")
    report_url = reverse("moderation:report_create")
    assert (
        report_url not in client.get(reverse("listings:detail", args=[listing.pk])).content.decode()
    )
    client.force_login(company_admin)
    assert (
        report_url not in client.get(reverse("listings:detail", args=[listing.pk])).content.decode()
    )


def test_detail_of_a_draft_is_404_for_others_and_shown_to_the_owner(
    client, browser, other_admin, company, company_admin
):
    listing = make_listing(company, company_admin, "draft")
    url = reverse("listings:detail", args=[listing.pk])
    owner_html = browser.get(url).content.decode()
    assert "Brouillon" in owner_html or "brouillon" in owner_html
    client.logout()
    client.force_login(other_admin)
    assert client.get(url).status_code == 404


def test_detail_shows_the_moderators_reason_to_the_owner(browser, company, company_admin):
    listing = make_listing(company, company_admin, "hidden")
    html = browser.get(reverse("listings:detail", args=[listing.pk])).content.decode()
    assert "Doublon." in html


def test_listing_card_shows_distance_only_when_annotated(company, company_admin):
    from bourse.listings.cards import listing_cards

    listing = make_listing(company, company_admin, "published")
    assert " km" not in listing_cards([listing])
    listing.distance_km = 12.4
    assert "à 12 km" in listing_cards([listing])


def test_mine_page_query_count_does_not_grow_with_the_page(browser, company, company_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert browser.get(reverse("listings:mine")).status_code == 200
        return len(ctx.captured_queries)

    make_listing(company, company_admin, "published")
    few = count()
    for status in ("draft", "rejected", "fulfilled", "pending", "expired", "hidden"):
        make_listing(company, company_admin, status)
    assert count() == few


def test_user_without_company_is_sent_to_declare_it(client, user):
    client.force_login(user)
    response = client.get(reverse("listings:create"), follow=True)
    assert "Déclarez d&#x27;abord votre entreprise" in response.content.decode()
    response = client.get(reverse("listings:mine"))
    assert response.status_code == 302


def test_a_suspended_company_s_listings_page_says_so_and_offers_no_action(client):
    company = factories.CompanyFactory(status="suspended")
    membership = factories.MembershipFactory(company=company)
    listing = factories.ListingFactory(company=company, status="draft")
    client.force_login(membership.user)
    html = client.get(reverse("listings:mine")).content.decode()
    assert "Votre entreprise est suspendue" in html
    assert reverse("listings:create") not in html
    assert reverse("listings:edit", args=[listing.pk]) not in html
    assert reverse("listings:delete", args=[listing.pk]) not in html
