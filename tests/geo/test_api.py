"""GET /api/v1/geo/postal-codes/: postal code autocomplete from the offline table."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_postal_code_prefix_lists_places_of_that_prefix(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/api/v1/geo/postal-codes/?q=690")
    assert response.status_code == 200
    places = response.json()
    assert isinstance(places, list)
    assert 0 < len(places) <= 20
    assert all(p["postal_code"].startswith("690") for p in places)
    assert set(places[0]) == {"postal_code", "commune", "departement", "latitude", "longitude"}
    lyon = [p for p in places if p["postal_code"] == "69001"]
    assert lyon and lyon[0]["commune"].startswith("Lyon") and lyon[0]["departement"] == "69"


def test_short_prefix_is_capped_at_20():
    places = Client().get("/api/v1/geo/postal-codes/?q=6").json()
    assert len(places) == 20


def test_commune_name_without_accents_matches():
    places = Client().get("/api/v1/geo/postal-codes/?q=saint-etienne").json()
    assert any(p["commune"] == "Saint-Étienne" and p["postal_code"] == "42000" for p in places)


def test_overseas_postal_codes_are_found():
    places = Client().get("/api/v1/geo/postal-codes/?q=97400").json()
    assert places and places[0]["departement"] == "974"


@pytest.mark.parametrize("query", ["", "   ", "00000", "zzzzzz"])
def test_empty_or_unknown_query_gives_an_empty_list(query):
    response = Client().get("/api/v1/geo/postal-codes/", {"q": query})
    assert response.status_code == 200
    assert response.json() == []


def test_autocomplete_ignores_a_bad_session_token():
    # Anonymous forms use it: no authentication is attempted, a stale token is no error.
    response = Client().get("/api/v1/geo/postal-codes/?q=42", headers={"X-Session-Token": "perime"})
    assert response.status_code == 200
