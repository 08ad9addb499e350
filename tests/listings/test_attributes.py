"""The attributes that decide a substitute: asked per category in the form and the API, stored,
shown on the listing."""

import pytest
from django.urls import reverse

from bourse.listings.models import Category, Listing

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "kind": "need",
    "title": "Chariot élévateur 3 t pour deux semaines",
    "description": "Notre chariot est en panne : il nous faut un élévateur gaz ou diesel.",
    "category": "manutention",
    "terms": "rent",
}


@pytest.fixture
def api(client_for, company_admin):
    return client_for(company_admin)


def test_api_stores_and_returns_the_attributes_of_the_category(api):
    response = api.post(
        "/api/v1/listings/",
        {**PAYLOAD, "attributes": {"capacity_t": 3, "lift_height_m": "4,5"}},
        format="json",
    )
    assert response.status_code == 400  # a number, not a French decimal string
    assert "attributes" in response.json()
    response = api.post(
        "/api/v1/listings/",
        {**PAYLOAD, "attributes": {"capacity_t": 3, "lift_height_m": 4.5}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["attributes"] == {"capacity_t": 3.0, "lift_height_m": 4.5}
    listing = Listing.objects.get(pk=response.json()["id"])
    assert listing.attributes == {"capacity_t": 3.0, "lift_height_m": 4.5}
    body = api.get(f"/api/v1/listings/{listing.pk}/").json()
    assert body["attributes"] == {"capacity_t": 3.0, "lift_height_m": 4.5}


def test_api_refuses_attributes_the_category_does_not_ask_for(api):
    response = api.post(
        "/api/v1/listings/",
        {**PAYLOAD, "attributes": {"temp_min": 2, "temp_max": 8}},
        format="json",
    )
    assert response.status_code == 400
    assert "temp_max" in response.json()["attributes"][0]


@pytest.mark.parametrize(
    "attributes",
    [{"capacity_t": -1}, {"caces": ["9"]}, {"capacity_t": "beaucoup"}],
)
def test_api_bad_attribute_is_400_naming_the_field(api, attributes):
    payload = {**PAYLOAD, "category": "pret-personnel", "attributes": attributes}
    if "capacity_t" in attributes:
        payload["category"] = "manutention"
    response = api.post("/api/v1/listings/", payload, format="json")
    assert response.status_code == 400
    assert "attributes" in response.json()


def test_a_listing_without_attributes_answers_an_empty_object(api):
    response = api.post("/api/v1/listings/", PAYLOAD, format="json")
    assert response.status_code == 201
    assert response.json()["attributes"] == {}


def test_another_category_keeps_only_the_attributes_it_asks_for(api):
    created = api.post(
        "/api/v1/listings/",
        {**PAYLOAD, "submit": False, "attributes": {"capacity_t": 3, "lift_height_m": 4}},
        format="json",
    ).json()
    response = api.patch(
        f"/api/v1/listings/{created['id']}/", {"category": "vehicules"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["attributes"] == {"capacity_t": 3.0}


def test_categories_tell_which_attributes_their_listings_are_asked(api_client):
    body = {c["slug"]: c for c in api_client.get("/api/v1/categories/").json()}
    assert body["froid"]["attributes"] == ["temperature", "surface_m2"]
    assert body["pret-personnel"]["attributes"] == ["caces", "licence", "adr"]


def test_form_asks_the_attributes_and_the_listing_shows_them(client, company_admin):
    client.force_login(company_admin)
    page = client.get(reverse("listings:create")).content.decode()
    assert 'data-attribute-field="temperature"' in page
    assert "category-attributes" in page
    response = client.post(
        reverse("listings:create"),
        {
            "kind": "offer",
            "title": "Chambre froide positive, 40 palettes",
            "description": "Entrepôt frigorifique, quai, températures dirigées.",
            "category": "froid",
            "terms": "rent",
            "location": "company",
            "radius_km": "50",
            "attr_temp_min": "2",
            "attr_temp_max": "8",
            # Not asked in this category: ignored.
            "attr_capacity_t": "3",
            "action": "draft",
        },
    )
    assert response.status_code == 302
    listing = Listing.objects.get(title="Chambre froide positive, 40 palettes")
    assert listing.attributes == {"temp_min": 2.0, "temp_max": 8.0}
    edit = client.get(reverse("listings:edit", args=[listing.pk])).content.decode()
    assert 'name="attr_temp_min" value="2"' in edit
    detail = client.get(reverse("listings:detail", args=[listing.pk])).content.decode()
    assert "Température (°C)" in detail
    assert "2 à 8 °C" in detail


def test_staff_choose_the_attributes_of_a_category_in_the_admin(admin_client):
    category = Category.objects.get(slug="outillage")
    response = admin_client.post(
        reverse("admin:listings_category_change", args=[category.pk]),
        {
            "slug": "outillage",
            "name": "Outillage",
            "name_en": "Tools",
            "parent": category.parent_id,
            "position": category.position,
            "units": ["unit"],
            "attributes": ["capacity_t"],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    category.refresh_from_db()
    assert category.attributes == ["capacity_t"]
