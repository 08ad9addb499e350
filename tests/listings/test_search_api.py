"""GET /api/v1/listings/ (docs/api.md "Listings"): shape, filters, errors, query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bourse.geo import data as geo
from bourse.geo.distance import haversine_km
from tests import factories
from tests.contract import LISTING_FIELDS

from . import search_support as s

pytestmark = pytest.mark.django_db

URL = "/api/v1/listings/"


def test_anonymous_gets_a_paginated_list_with_the_listing_shape(api_client):
    row = factories.ListingFactory(title="Palettes Europe")
    response = api_client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    assert body["next"] is None and body["previous"] is None
    (result,) = body["results"]
    assert set(result) == LISTING_FIELDS  # no distance without a point, no contact ever
    assert result["id"] == row.pk
    assert result["company"] == {"id": row.company_id, "name": row.company.name}
    assert result["category"] == row.category.slug


def test_results_never_carry_contact_details(api_client, company_member, client_for):
    company = factories.CompanyFactory(phone="04 72 00 00 00", website="https://exemple.fr")
    factories.ListingFactory(company=company)
    for client in (api_client, client_for(company_member)):
        text = client.get(URL).content.decode()
        assert "04 72 00 00 00" not in text
        assert "exemple.fr" not in text
        assert "contact" not in client.get(URL).json()["results"][0]


def test_pages_of_twenty(api_client):
    company = factories.CompanyFactory()
    for i in range(23):
        factories.ListingFactory(company=company, published_ago=timedelta(minutes=i))
    first = api_client.get(URL).json()
    assert first["count"] == 23
    assert len(first["results"]) == 20
    assert first["next"].endswith("?page=2")
    second = api_client.get(URL, {"page": 2}).json()
    assert len(second["results"]) == 3
    assert second["previous"] is not None
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 23


def test_near_postal_code_adds_distance_and_orders_by_distance(api_client):
    lyon = geo.lookup("69001")
    far = factories.ListingFactory(postal_code="42000")
    near = factories.ListingFactory(postal_code="69003")
    factories.ListingFactory(postal_code="75001")  # Paris, outside 100 km
    response = api_client.get(URL, {"near": "69001", "radius_km": 100, "ordering": "distance"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [near.pk, far.pk]
    for result, row in zip(results, [near, far], strict=True):
        expected = haversine_km(lyon.latitude, lyon.longitude, row.latitude, row.longitude)
        assert result["distance_km"] == pytest.approx(expected, abs=0.001)


def test_lat_lon_with_default_radius_of_50_km(api_client):
    km_per_degree = 111.19508
    lat, lon = 45.0, 5.0
    inside = factories.ListingFactory(latitude=lat + 49.9 / km_per_degree, longitude=lon)
    factories.ListingFactory(latitude=lat + 50.1 / km_per_degree, longitude=lon)
    body = api_client.get(URL, {"lat": lat, "lon": lon}).json()
    assert [r["id"] for r in body["results"]] == [inside.pk]
    assert body["results"][0]["distance_km"] == pytest.approx(49.9, abs=0.01)


def test_filters_combine(api_client):
    parent = s.category("transport-test", "Transport (test)")
    child = s.category("camion-test", "Camion (test)", parent=parent)
    company = factories.CompanyFactory()
    wanted = factories.ListingFactory(
        company=company, category=child, kind="need", title="Camion frigorifique"
    )
    factories.ListingFactory(
        company=company, category=child, kind="offer", title="Camion frigorifique"
    )
    factories.ListingFactory(
        category=child, kind="need", title="Camion frigorifique"
    )  # another company
    factories.ListingFactory(company=company, category=child, kind="need", title="Chariot")
    response = api_client.get(
        URL,
        {"kind": "need", "category": "transport-test", "company": company.pk, "q": "camions"},
    )
    assert [r["id"] for r in response.json()["results"]] == [wanted.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"near": "00000"}, "near"),
        ({"near": "lyon"}, "near"),
        ({"lat": "91", "lon": "4"}, "lat"),
        ({"lat": "abc", "lon": "4"}, "lat"),
        ({"lat": "45", "lon": "-181"}, "lon"),
        ({"lat": "45"}, "lon"),
        ({"lat": "nan", "lon": "4"}, "lat"),
        ({"near": "69001", "radius_km": "0"}, "radius_km"),
        ({"near": "69001", "radius_km": "1001"}, "radius_km"),
        ({"near": "69001", "radius_km": "loin"}, "radius_km"),
        ({"ordering": "distance"}, "ordering"),
        ({"ordering": "title"}, "ordering"),
        ({"kind": "gift"}, "kind"),
        ({"category": "n-existe-pas"}, "category"),
        ({"company": "abc"}, "company"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_client, query, field):
    response = api_client.get(URL, query)
    assert response.status_code == 400
    body = response.json()
    assert field in body
    assert isinstance(body[field], list) and body[field][0]


@pytest.mark.parametrize(
    "field", ["q", "category", "kind", "near", "lat", "lon", "radius_km", "company", "ordering"]
)
@pytest.mark.parametrize("junk", ["\x00", "\x1b[2J", "\u202e"])
def test_control_characters_are_a_400_naming_the_parameter_never_a_500(api_client, field, junk):
    """NUL (which PostgreSQL refuses in text), other control characters and bidi overrides."""
    factories.ListingFactory()
    response = api_client.get(URL, {"lat": "45", "lon": "4", field: f"pal{junk}ettes"})
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert "caractères non autorisés" in response.json()[field][0]


def test_radius_bounds_are_accepted(api_client):
    factories.ListingFactory()
    for radius in ("1", "1000", "12.5"):
        assert api_client.get(URL, {"near": "69002", "radius_km": radius}).status_code == 200


def test_query_count_does_not_grow_with_the_page(api_client):
    """One listing or twenty, with photos: the same number of queries (no N+1)."""

    def count_queries(query) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = api_client.get(URL, query)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    lone = factories.ListingFactory(postal_code="13001")
    factories.ListingPhotoFactory(listing=lone)
    marseille = {"near": "13001", "radius_km": "20", "ordering": "distance"}
    count_queries(marseille)  # once a minute: the crises of the area (bourse.listings.crises)
    few = (count_queries({}), count_queries(marseille))
    for i in range(19):
        row = factories.ListingFactory(postal_code="13001", published_ago=timedelta(minutes=i))
        factories.ListingPhotoFactory(listing=row)
    body = api_client.get(URL, marseille).json()
    assert body["count"] == 20 and len(body["results"]) == 20
    assert all(len(r["photos"]) == 1 for r in body["results"])
    assert (count_queries({}), count_queries(marseille)) == few


@pytest.mark.parametrize("asked", ["last", "2", "abc", "9"])
def test_around_a_point_any_page_asked_gives_the_paginators_answer(api_client, asked):
    """The search is told which page comes before it counts (engine.expect_page): whatever the
    client asks — "last", a number, junk, past the end — the answer is the paginator's own."""
    company = factories.CompanyFactory(postal_code="69003")
    for i in range(23):
        factories.ListingFactory(company=company, published_ago=timedelta(minutes=i))
    near = {"lat": "45.76", "lon": "4.84", "radius_km": "50"}
    every = [r["id"] for r in api_client.get(URL, near).json()["results"]]
    every += [r["id"] for r in api_client.get(URL, {**near, "page": 2}).json()["results"]]
    assert len(set(every)) == 23
    response = api_client.get(URL, {**near, "page": asked})
    if asked in ("abc", "9"):
        assert response.status_code == 404
        return
    assert response.json()["count"] == 23
    assert [r["id"] for r in response.json()["results"]] == every[20:]
