"""GET /api/v1/listings/{id}/matches/ per the contract (docs/api.md), dismissals and saved
searches over the API."""

import pytest

from bourse.matching import services
from bourse.matching.models import Dismissal, SavedSearch
from tests import factories
from tests.contract import LISTING_FIELDS


def url(listing):
    return f"/api/v1/listings/{listing.pk}/matches/"


@pytest.fixture
def offers(family):
    """Offers of other companies around Lyon: exact category near, exact farther, sibling."""
    return [
        factories.ListingFactory(
            kind="offer", category=family[1], postal_code="69003", title="Entrepôt avec quai"
        ),
        factories.ListingFactory(
            kind="offer", category=family[1], postal_code="69400", title="Entrepôt à palettes"
        ),
        factories.ListingFactory(
            kind="offer", category=family[2], postal_code="69003", title="Chambre froide"
        ),
    ]


def test_member_gets_matches_best_first_with_the_contract_shape(
    client_for, company_member, need, offers
):
    response = client_for(company_member).get(url(need))
    assert response.status_code == 200
    data = response.json()
    assert isinstance(data, list)
    assert [m["listing"]["id"] for m in data][0] == offers[0].pk
    assert {m["listing"]["id"] for m in data} == {o.pk for o in offers}
    assert [m["score"] for m in data] == sorted((m["score"] for m in data), reverse=True)
    first = data[0]
    assert set(first) == {"listing", "score", "distance_km", "reasons"}
    assert set(first["listing"]) == LISTING_FIELDS
    assert first["listing"]["company"] == {
        "id": offers[0].company_id,
        "name": offers[0].company.name,
    }
    assert set(first["reasons"]) == {
        "category",
        "distance",
        "availability",
        "quantity",
        "text",
        "requirements",
        "feedback",
    }
    assert all(0 <= v <= 1 for v in first["reasons"].values())
    assert 0 <= first["score"] <= 1
    assert first["reasons"]["category"] == 1.0
    sibling = next(m for m in data if m["listing"]["id"] == offers[2].pk)
    assert sibling["reasons"]["category"] == 0.5
    assert 0 < first["distance_km"] < 10


def test_at_most_twenty_and_query_count_is_bounded(
    client_for, company_member, need, family, django_assert_max_num_queries
):
    for i in range(30):
        factories.ListingFactory(kind="offer", category=family[1 + i % 2], postal_code="69003")
    services.suggestion_lists_fill()  # what the rematch task stored when they were published
    client = client_for(company_member)
    with django_assert_max_num_queries(10):
        response = client.get(url(need))
    assert len(response.json()) == 20


def test_anonymous_gets_401(api_client, need):
    assert api_client.get(url(need)).status_code == 401


def test_member_of_another_company_gets_403_on_a_published_listing(client_for, other_admin, need):
    assert client_for(other_admin).get(url(need)).status_code == 403


def test_member_of_another_company_gets_404_on_a_listing_it_cannot_see(
    client_for, other_admin, need
):
    need.status = "draft"
    need.save()
    assert client_for(other_admin).get(url(need)).status_code == 404
    assert client_for(other_admin).get("/api/v1/listings/999999/matches/").status_code == 404


def test_user_without_company_gets_403(client_for, user, need):
    assert client_for(user).get(url(need)).status_code == 403


def test_owner_sees_empty_list_for_a_listing_not_published(
    client_for, company_member, need, offers
):
    need.status = "pending"
    need.save()
    response = client_for(company_member).get(url(need))
    assert response.status_code == 200
    assert response.json() == []


# --- Dismissals ---------------------------------------------------------------------------
def dismiss_url(listing, other):
    return f"/api/v1/listings/{listing.pk}/matches/{other.pk}/dismiss/"


def test_dismissed_suggestion_disappears_and_stays_dismissed(
    client_for, company_member, need, offers
):
    client = client_for(company_member)
    assert client.post(dismiss_url(need, offers[0])).status_code == 204
    assert client.post(dismiss_url(need, offers[0])).status_code == 204
    ids = [m["listing"]["id"] for m in client.get(url(need)).json()]
    assert offers[0].pk not in ids and len(ids) == 2
    # Also from the company's other listings.
    other_need = factories.ListingFactory(company=need.company, kind="need", category=need.category)
    assert offers[0].pk not in [m["listing"]["id"] for m in client.get(url(other_need)).json()]
    assert client.delete(dismiss_url(need, offers[0])).status_code == 204
    assert offers[0].pk in [m["listing"]["id"] for m in client.get(url(need)).json()]


def test_dismiss_forbidden_paths(client_for, api_client, company_member, other_admin, need, offers):
    assert api_client.post(dismiss_url(need, offers[0])).status_code == 401
    # Not a member of the listing's company.
    assert client_for(other_admin).post(dismiss_url(need, offers[0])).status_code == 403
    # A listing the caller cannot see.
    hidden = factories.ListingFactory(kind="offer", category=need.category, status="draft")
    assert client_for(company_member).post(dismiss_url(need, hidden)).status_code == 404
    # Its own company's listing.
    own = factories.ListingFactory(company=need.company, kind="offer", category=need.category)
    assert client_for(company_member).post(dismiss_url(need, own)).status_code == 404
    assert Dismissal.objects.count() == 0


# --- Saved searches -----------------------------------------------------------------------
SAVED = "/api/v1/saved-searches/"


def test_saved_search_crud_for_the_callers_company(client_for, company_member, family):
    client = client_for(company_member)
    response = client.post(
        SAVED,
        {
            "name": "Froid à Lyon",
            "q": "chambre froide",
            "kind": "offer",
            "category": family[0].slug,
            "postal_code": "69002",
            "radius_km": 40,
        },
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["category"] == family[0].slug
    assert created["latitude"] == pytest.approx(45.75, abs=0.1)
    assert created["last_alerted_at"] is None
    listing = client.get(SAVED).json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == created["id"]
    detail = f"{SAVED}{created['id']}/"
    response = client.patch(detail, {"radius_km": 80})
    assert response.status_code == 200 and response.json()["radius_km"] == 80
    assert client.delete(detail).status_code == 204
    assert SavedSearch.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "postal_code": "00000"}, "postal_code"),
        ({"name": "x", "radius_km": 0}, "radius_km"),
        ({"name": "x", "kind": "gift"}, "kind"),
        ({"name": "x", "category": "inconnue"}, "category"),
        ({"name": "x", "latitude": 45.7}, "longitude"),
        ({}, "name"),
    ],
)
def test_saved_search_bad_input_is_400_naming_the_field(client_for, company_member, payload, field):
    response = client_for(company_member).post(SAVED, payload)
    assert response.status_code == 400
    assert field in response.json()


def test_saved_search_forbidden_paths(client_for, api_client, company_member, other_admin, user):
    assert api_client.get(SAVED).status_code == 401
    assert client_for(user).get(SAVED).status_code == 403  # no company
    pending = factories.MembershipFactory(company=factories.CompanyFactory(status="pending")).user
    assert client_for(pending).post(SAVED, {"name": "x"}).status_code == 403
    mine = client_for(company_member).post(SAVED, {"name": "x", "q": "palettes"}).json()
    detail = f"{SAVED}{mine['id']}/"
    other = client_for(other_admin)
    assert other.get(detail).status_code == 404
    assert other.patch(detail, {"name": "volée"}).status_code == 404
    assert other.delete(detail).status_code == 404
    assert other.get(SAVED).json()["count"] == 0
    assert SavedSearch.objects.get().name == "x"


def test_matches_endpoint_is_in_the_openapi_schema(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    if response.status_code == 406:
        response = api_client.get("/api/schema/?format=json")
    text = response.content.decode()
    assert "/api/v1/listings/{id}/matches/" in text
    assert "MatchReasons" in text


def test_saved_search_place_can_be_removed(client_for, company_member):
    client = client_for(company_member)
    created = client.post(SAVED, {"name": "x", "q": "bois", "postal_code": "69002"}).json()
    assert created["latitude"] is not None
    response = client.patch(f"{SAVED}{created['id']}/", {"postal_code": ""})
    assert response.status_code == 200
    assert response.json()["latitude"] is None and response.json()["longitude"] is None
