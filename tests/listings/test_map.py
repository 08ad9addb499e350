"""The map of every matching listing: GET /api/v1/listings/map/ (compact, cached per filter set)
and the page /annonces/carte/ (docs/search.md, "The map")."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bourse.listings import services
from bourse.listings.search import points
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/listings/map/"
PAGE = "/annonces/carte/"


def ids_of(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {point[0] for point in response.json()["points"]}


def test_every_live_listing_as_one_compact_array(api_client):
    category = factories.CategoryFactory(slug="palettes-test")
    offer = factories.ListingFactory(postal_code="69003", category=category)
    need = factories.ListingFactory(postal_code="42000", kind="need", category=category)
    factories.ListingFactory(status="draft")
    factories.ListingFactory(expires_in=timedelta(days=-1))
    factories.ListingFactory(company=factories.CompanyFactory(status="suspended"))

    response = api_client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"count", "truncated", "scale", "kinds", "categories", "points"}
    assert body["count"] == 2 and body["truncated"] is False
    assert body["kinds"] == ["offer", "need"]
    assert body["categories"] == {str(category.pk): "palettes-test"}
    by_id = {p[0]: p for p in body["points"]}
    assert set(by_id) == {offer.pk, need.pk}
    # Coordinates in thousandths of a degree (~100 m), as integers.
    assert body["scale"] == 1000
    pk, lat, lon, kind, category_id = by_id[offer.pk]
    assert (pk, kind, category_id) == (offer.pk, 0, category.pk)
    assert abs(lat - offer.latitude * 1000) <= 0.5 and abs(lon - offer.longitude * 1000) <= 0.5
    assert by_id[need.pk][3] == 1
    assert "title" not in response.content.decode()  # read when a marker opens
    assert "." not in json.dumps(body["points"])


def test_the_search_filters_apply(api_client):
    parent = factories.CategoryFactory()
    child = factories.CategoryFactory(parent=parent)
    lyon = factories.ListingFactory(postal_code="69003", title="Palettes lyonnaises")
    lyon_need = factories.ListingFactory(postal_code="69003", kind="need", category=child)
    stetienne = factories.ListingFactory(postal_code="42000", title="Palettes stéphanoises")
    paris = factories.ListingFactory(postal_code="75011", category=child)

    assert ids_of(api_client.get(URL, {"kind": "need"})) == {lyon_need.pk}
    assert ids_of(api_client.get(URL, {"category": parent.slug})) == {lyon_need.pk, paris.pk}
    assert ids_of(api_client.get(URL, {"q": "palettes"})) == {lyon.pk, stetienne.pk}
    assert ids_of(api_client.get(URL, {"departement": "69"})) == {lyon.pk, lyon_need.pk}
    near = {"near": "69003", "radius_km": "20"}
    assert ids_of(api_client.get(URL, near)) == {lyon.pk, lyon_need.pk}
    near["radius_km"] = "60"
    assert ids_of(api_client.get(URL, near)) == {lyon.pk, lyon_need.pk, stetienne.pk}
    # An ordering (kept in a search's link) changes nothing on a map.
    assert ids_of(api_client.get(URL, {"ordering": "distance"})) == {
        lyon.pk,
        lyon_need.pk,
        stetienne.pk,
        paris.pk,
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"departement": "100"}, "departement"),
        ({"departement": "6\x00"}, "departement"),
        ({"kind": "sale"}, "kind"),
        ({"category": "nope"}, "category"),
        ({"lat": "45.7"}, "lon"),
        ({"near": "00000"}, "near"),
        ({"radius_km": "5000", "near": "69003"}, "radius_km"),
    ],
)
def test_bad_filters_answer_400_naming_the_parameter(api_client, query, field):
    response = api_client.get(URL, query)
    assert response.status_code == 400
    assert field in response.json()


def test_departement_filters_the_search_too(api_client):
    lyon = factories.ListingFactory(postal_code="69003")
    factories.ListingFactory(postal_code="42000")
    body = api_client.get("/api/v1/listings/", {"departement": "69"}).json()
    assert [r["id"] for r in body["results"]] == [lyon.pk]
    corsica = factories.ListingFactory(postal_code="20000")
    body = api_client.get("/api/v1/listings/", {"departement": "2a"}).json()
    assert [r["id"] for r in body["results"]] == [corsica.pk]


def test_answer_is_cached_per_filter_set_until_a_listing_changes(
    api_client, company_admin, django_capture_on_commit_callbacks
):
    listing = factories.ListingFactory(company=company_admin.membership.company)
    first = api_client.get(URL, {"departement": listing.departement})
    with CaptureQueriesContext(connection) as queries:
        again = api_client.get(URL, {"departement": listing.departement})
    assert again.content == first.content
    assert len(queries) == 0
    # Other filters are another entry.
    assert ids_of(api_client.get(URL, {"kind": "need"})) == set()

    with django_capture_on_commit_callbacks(execute=True):
        services.listing_close(listing=listing, by=company_admin, outcome="withdrawn")
    assert ids_of(api_client.get(URL, {"departement": listing.departement})) == set()


def test_a_company_suspended_leaves_the_cached_map(api_client, django_capture_on_commit_callbacks):
    listing = factories.ListingFactory()
    assert ids_of(api_client.get(URL)) == {listing.pk}
    company = listing.company
    company.status = "suspended"
    with django_capture_on_commit_callbacks(execute=True):
        company.save()
    assert ids_of(api_client.get(URL)) == set()


def test_beyond_the_limit_the_newest_are_sent_and_truncated_says_so(api_client, monkeypatch):
    monkeypatch.setattr(points, "MAX_POINTS", 2)
    rows = [factories.ListingFactory() for _ in range(3)]
    body = api_client.get(URL).json()
    assert body["truncated"] is True and body["count"] == 2
    assert {p[0] for p in body["points"]} == {rows[1].pk, rows[2].pk}


def test_a_cache_that_is_down_still_answers(api_client, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def down(*args, **kwargs):
        raise RedisConnectionError("down")

    listing = factories.ListingFactory()
    monkeypatch.setattr(points.cache, "get", down)
    monkeypatch.setattr(points.cache, "incr", down)
    assert ids_of(api_client.get(URL)) == {listing.pk}
    points.bump_generation()  # never raises into a write


# --- The page -------------------------------------------------------------------------------


def page_config(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="listings-map-config" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def test_page_shows_the_filters_and_feeds_the_map_with_them(client):
    factories.ListingFactory(postal_code="69003")
    response = client.get(PAGE, {"q": "palettes", "kind": "offer", "departement": "69"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Carte des annonces" in html
    assert '<option value="69" selected>69 – Rhône</option>' in html
    config = page_config(response)
    assert config["points"] == "/api/v1/listings/map/?q=palettes&kind=offer&departement=69"
    assert config["outline"].endswith(".geojson")
    assert config["frame"] is True
    assert config["detail_api"] == "/api/v1/listings/0/"
    assert config["detail_page"] == "/annonces/0/"
    assert config["list"] == "/annonces/?q=palettes&kind=offer&departement=69"
    # The list of the same search is one click away.
    assert 'href="/annonces/?q=palettes&amp;kind=offer&amp;departement=69"' in html


def test_page_around_my_company_sends_the_company_point(client, company_member):
    client.force_login(company_member)
    company = company_member.membership.company
    response = client.get(PAGE, {"around": "company", "radius_km": "25"})
    config = page_config(response)
    assert f"lat={company.latitude}" in config["points"]
    assert "radius_km=25" in config["points"]
    assert config["list"] == "/annonces/?"  # a place's list brings its own point
    assert config["radius_km"] == 25.0


def test_page_with_bad_filters_says_why_in_french_and_loads_nothing(client):
    response = client.get(PAGE, {"departement": "999", "q": "bois"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Département inconnu : « 999 »." in html
    assert 'value="bois"' in html  # what was typed is kept
    assert page_config(response)["points"] is None


def test_search_page_links_to_the_map_of_the_same_search(client):
    response = client.get("/annonces/", {"q": "palettes", "near": "69003"})
    assert 'href="/annonces/carte/?q=palettes&amp;near=69003"' in response.content.decode()
    assert ">Voir sur la carte<" in response.content.decode()


def test_listing_page_map_is_a_region_not_an_image(client):
    listing = factories.ListingFactory()
    html = client.get(f"/annonces/{listing.pk}/").content.decode()
    assert 'id="listing-map" class="map map-small" role="region"' in html
    assert "geo/departements" in html  # the outline under the tiles
