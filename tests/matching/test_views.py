"""The French pages: suggestions with reasons and "Masquer", saved searches, the detail partial."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from bourse.matching.models import Dismissal, SavedSearch
from tests import factories


@pytest.fixture
def offer(family):
    return factories.ListingFactory(
        kind="offer",
        category=family[1],
        postal_code="69003",
        title="Entrepôt avec quai pour palettes",
        description="Quai de chargement couvert.",
    )


@pytest.fixture
def logged_in(client, company_member):
    client.force_login(company_member)
    return client


def test_suggestions_page_lists_counterparts_with_french_reasons(logged_in, need, offer):
    response = logged_in.get("/suggestions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert need.title in html and offer.title in html
    assert "même catégorie" in html
    assert "mots en commun : entrepôt, palettes, quai, chargement" in html
    assert f"/suggestions/contacter/{offer.pk}/" in html
    assert "Masquer" in html
    assert f'data-listing="{offer.pk}"' in html


def test_masquer_hides_the_suggestion_for_good(logged_in, need, offer):
    response = logged_in.post(f"/suggestions/masquer/{offer.pk}/", {"next": "/suggestions/"})
    assert response.status_code == 302 and response["Location"] == "/suggestions/"
    assert Dismissal.objects.filter(company=need.company, listing=offer).exists()
    html = logged_in.get("/suggestions/").content.decode()
    assert "ne vous sera plus suggérée" in html  # the flash message
    assert f'data-listing="{offer.pk}"' not in html


def test_masquer_refuses_foreign_redirects_and_invisible_listings(logged_in, need, offer, family):
    response = logged_in.post(
        f"/suggestions/masquer/{offer.pk}/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/suggestions/"
    draft = factories.ListingFactory(kind="offer", category=family[1], status="draft")
    assert logged_in.post(f"/suggestions/masquer/{draft.pk}/").status_code == 404
    assert logged_in.get(f"/suggestions/masquer/{offer.pk}/").status_code == 405


def test_suggestions_page_needs_login(client):
    response = client.get("/suggestions/")
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


def test_suggestions_page_without_published_listing_says_so(logged_in):
    html = logged_in.get("/suggestions/").content.decode()
    assert "pas encore d'annonce publiée" in html


def test_save_this_search_from_search_parameters(logged_in, family):
    response = logged_in.post(
        "/suggestions/recherches/enregistrer/",
        {
            "q": "chambre froide",
            "kind": "offer",
            "category": family[0].slug,
            "near": "69002",
            "radius_km": "30",
        },
    )
    assert response.status_code == 302
    search = SavedSearch.objects.get()
    assert search.q == "chambre froide" and search.category == family[0]
    assert search.postal_code == "69002" and search.radius_km == 30 and search.latitude
    assert "chambre froide" in search.name
    html = logged_in.get("/suggestions/recherches/").content.decode()
    assert search.name in html


def test_bad_saved_search_shows_a_french_message_and_keeps_the_input(logged_in):
    response = logged_in.post(
        "/suggestions/recherches/enregistrer/", {"q": "palettes", "near": "99999"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Code postal inconnu" in html
    assert 'value="palettes"' in html
    assert SavedSearch.objects.count() == 0
    response = logged_in.post("/suggestions/recherches/enregistrer/", {})
    assert "Indiquez au moins un critère" in response.content.decode()


def test_saved_search_of_another_company_cannot_be_deleted(
    client, other_admin, company, company_member
):
    from bourse.matching import services

    search = services.saved_search_create(company=company, by=company_member, name="x", q="bois")
    client.force_login(other_admin)
    assert client.post(f"/suggestions/recherches/{search.pk}/supprimer/").status_code == 404
    client.force_login(company_member)
    assert client.post(f"/suggestions/recherches/{search.pk}/supprimer/").status_code == 302
    assert SavedSearch.objects.count() == 0


def render_partial(user, listing):
    request = RequestFactory().get(f"/annonces/{listing.pk}/")
    request.user = user
    template = Template("{% load matching_tags %}{% listing_suggestions listing %}")
    return template.render(Context({"request": request, "listing": listing}))


def test_detail_partial_is_for_the_owner_only(company_member, other_admin, need, offer):
    html = render_partial(company_member, need)
    assert "Correspondances suggérées" in html and offer.title in html
    assert render_partial(other_admin, need).strip() == ""


def test_listing_page_shows_suggestions_to_its_owner_only(
    client, company_member, other_admin, need, offer
):
    client.force_login(company_member)
    html = client.get(f"/annonces/{need.pk}/").content.decode()
    assert "Correspondances suggérées" in html and offer.title in html
    client.force_login(other_admin)
    html = client.get(f"/annonces/{need.pk}/").content.decode()
    assert "Correspondances suggérées" not in html


def test_suggestions_page_query_count_is_bounded_per_listing(
    logged_in, need, family, django_assert_max_num_queries
):
    for i in range(2):
        factories.ListingFactory(company=need.company, kind="need", category=family[1 + i])
    for i in range(12):
        factories.ListingFactory(kind="offer", category=family[1 + i % 2], postal_code="69003")
    # Session, user, membership, the listings, then per listing: categories, MAX, candidates,
    # texts, the suggested rows and their photos (+ the savepoints of the read transaction).
    with django_assert_max_num_queries(12 + 3 * 10):
        response = logged_in.get("/suggestions/")
    assert response.content.decode().count('class="card listing-card suggestion"') == 15
