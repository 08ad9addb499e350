"""The search page /annonces/: French, for everyone, results as cards and on a map."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Membership
from bourse.geo import data as geo
from tests import factories

from . import search_support as s

pytestmark = pytest.mark.django_db


def page(client, **query):
    response = client.get(reverse("listings:search"), query)
    assert response.status_code == 200
    return response, response.content.decode()


def json_block(html: str, element_id: str):
    start = html.index(f'<script id="{element_id}" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def map_points(html: str) -> list[dict]:
    return json_block(html, "search-map-points")


def test_page_is_at_annonces_and_in_french(client):
    assert reverse("listings:search") == "/annonces/"
    factories.ListingFactory(title="Entrepôt de 300 m²")
    response, html = page(client)
    assert '<html lang="fr">' in html
    assert "Rechercher" in html
    assert "Entrepôt de 300 m²" in html
    assert "1 annonce" in html
    assert 'id="search-map"' in html
    assert "leaflet/leaflet.js" in html and "js/map.js" in html


def test_visitor_sees_listings_without_contact_and_is_invited_to_register(client):
    company = factories.CompanyFactory(phone="04 78 11 22 33", website="https://contact.example")
    factories.ListingFactory(company=company, title="Palettes à donner")
    _, html = page(client)
    assert "Palettes à donner" in html
    assert "04 78 11 22 33" not in html
    assert "contact.example" not in html
    assert reverse("account_signup") in html
    assert "inscrivez la vôtre" in html


def test_search_by_text_and_postal_code_shows_the_results_and_the_map(client):
    near = factories.ListingFactory(postal_code="69003", title="Chariot élévateur")
    factories.ListingFactory(postal_code="69003", title="Local commercial vide")
    factories.ListingFactory(postal_code="13001", title="Chariot élévateur")  # Marseille, far
    _, html = page(client, q="chariots", near="69001", radius_km="50", ordering="distance")
    assert "1 annonce" in html
    assert "autour de Lyon" in html
    points = map_points(html)
    assert [(p["title"], p["url"]) for p in points] == [
        ("Chariot élévateur", reverse("listings:detail", args=[near.pk]))
    ]
    assert "Local commercial vide" not in html
    assert " km" in html  # the card shows the distance


def test_kind_and_parent_category_filters(client):
    parent = s.category("mat-test", "Matériaux (test)")
    child = s.category("bois-test", "Bois (test)", parent=parent)
    factories.ListingFactory(category=child, kind="offer", title="Planches de chêne")
    factories.ListingFactory(category=child, kind="need", title="Recherche planches")
    _, html = page(client, kind="offer", category="mat-test")
    assert "Planches de chêne" in html
    assert "Recherche planches" not in html
    assert '<optgroup label="Matériaux (test)">' in html


def test_listings_sharing_a_commune_share_map_coordinates(client):
    for i in range(3):
        factories.ListingFactory(postal_code="42000", title=f"Annonce stéphanoise {i}")
    _, html = page(client)
    points = map_points(html)
    assert len({(p["lat"], p["lon"]) for p in points}) == 1  # one marker, grouped by map.js
    assert len(points) == 3


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"near": "99999"}, "Code postal inconnu"),
        ({"radius_km": "5000", "near": "69001"}, "Le rayon doit être"),
        ({"ordering": "distance"}, "Le tri par distance demande un lieu"),
        ({"lat": "200", "lon": "3"}, "La latitude doit être"),
    ],
)
def test_bad_input_shows_a_french_error_and_keeps_what_was_typed(client, query, message):
    response, html = page(client, q="palettes", **query)
    assert message in html
    assert "La recherche n'a pas pu être faite" in html
    assert 'value="palettes"' in html


def test_a_nul_character_is_a_french_error_on_the_page(client):
    response, html = page(client, q="pal\x00ettes")
    assert response.status_code == 200
    assert "caractères non autorisés" in html


def test_empty_state_in_french(client):
    _, html = page(client, q="introuvable")
    assert "Aucune annonce ne correspond à votre recherche." in html


def test_pagination_keeps_the_query(client):
    company = factories.CompanyFactory()
    for i in range(25):
        factories.ListingFactory(
            company=company, title=f"Benne {i}", published_ago=timedelta(minutes=i)
        )
    _, html = page(client, q="benne")
    assert "25 annonces" in html
    assert "Page 1 sur 2" in html
    assert "?q=benne&amp;page=2" in html
    _, second = page(client, q="benne", page="2")
    assert "Page 2 sur 2" in second
    assert "Benne 24" in second


def test_member_can_search_around_their_company(client):
    company = factories.CompanyFactory(postal_code="42000")
    member = factories.MembershipFactory(company=company, role=Membership.Role.MEMBER).user
    client.force_login(member)
    near = factories.ListingFactory(postal_code="42000", title="Près de Saint-Étienne")
    factories.ListingFactory(postal_code="13001", title="À Marseille")
    _, html = page(client, around="company", radius_km="25")
    assert "Autour de mon entreprise" in html
    assert "Près de Saint-Étienne" in html
    assert "À Marseille" not in html
    assert "autour de votre entreprise" in html
    config = json_block(html, "search-map-config")
    place = geo.lookup("42000")
    assert config["center"] == [place.latitude, place.longitude]
    assert config["radius_km"] == 25
    assert near.title in [p["title"] for p in map_points(html)]


def test_around_company_is_ignored_for_visitors(client):
    factories.ListingFactory(postal_code="13001", title="À Marseille")
    _, html = page(client, around="company")
    assert "À Marseille" in html
    assert "Autour de mon entreprise" not in html


def test_radius_is_kept_when_another_field_is_wrong_and_any_radius_is_offered(client):
    _, html = page(client, near="99999", radius_km="100")
    assert '<option value="100" selected>' in html
    _, html = page(client, near="69001", radius_km="12.5")
    assert '<option value="12.5" selected>12,5 km</option>' in html


def test_a_page_past_the_end_around_a_point_shows_the_last_page(client):
    company = factories.CompanyFactory(postal_code="69003")
    for i in range(25):
        factories.ListingFactory(
            company=company, title=f"Benne {i}", published_ago=timedelta(minutes=i)
        )
    _, html = page(client, q="benne", lat="45.76", lon="4.84", radius_km="50", page="7")
    assert "25 annonces" in html
    assert "Page 2 sur 2" in html
    assert "Benne 24" in html and "Benne 0<" not in html
