"""Listings API (write side, detail, mine) and categories: shapes, status codes, permissions.

One file for the listings API (a little over 500 lines), in the order of docs/api.md.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Company
from bourse.listings.models import Listing
from tests import factories
from tests.contract import LISTING_FIELDS

from .write_support import image_bytes, make_listing

pytestmark = pytest.mark.django_db


PAYLOAD = {
    "kind": "offer",
    "title": "Chariot élévateur 2,5 t disponible",
    "description": "Chariot thermique, révisé, disponible en semaine avec cariste si besoin.",
    "category": "manutention",
    "quantity": 1,
    "unit": "unit",
    "terms": "loan",
    "radius_km": 40,
    "available_from": "2026-12-01",
    "available_until": "2027-01-31",
}


@pytest.fixture
def admin_client(client_for, company_admin):
    return client_for(company_admin)


@pytest.fixture
def other_client(client_for, other_admin):
    return client_for(other_admin)


# --- Categories -------------------------------------------------------------------------------


def test_categories_are_a_flat_list_with_parent_slugs(api_client):
    response = api_client.get("/api/v1/categories/")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    by_slug = {c["slug"]: c for c in body}
    assert set(body[0]) == {"slug", "name", "parent", "attributes", "units"}
    assert by_slug["stockage"] == {
        "slug": "stockage",
        "name": "Stockage",
        "parent": None,
        "attributes": [],
        "units": ["m2", "m3", "pallet", "day", "unit"],  # those of its children
    }
    assert by_slug["entrepot-sec"] == {
        "slug": "entrepot-sec",
        "name": "Entrepôt sec",
        "parent": "stockage",
        "attributes": ["surface_m2", "ceiling_height_m", "hazard_classes"],
        "units": ["m2", "m3", "pallet", "day"],
    }
    assert by_slug["autre"]["parent"] is None
    parents = [c["slug"] for c in body if c["parent"] is None]
    assert parents == [
        "stockage",
        "matieres-premieres",
        "equipements",
        "transport-logistique",
        "main-d-oeuvre",
        "locaux",
        "services",
        "autre",
    ]
    # Each parent is followed by its children.
    assert body[1]["parent"] == "stockage"


def test_categories_in_english_with_accept_language(api_client):
    response = api_client.get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE="en")
    by_slug = {c["slug"]: c for c in response.json()}
    assert by_slug["entrepot-sec"]["name"] == "Dry warehouse"
    assert by_slug["main-d-oeuvre"]["name"] == "Workforce"


# --- Create -----------------------------------------------------------------------------------


def test_create_anonymous_is_401(api_client):
    assert api_client.post("/api/v1/listings/", PAYLOAD, format="json").status_code == 401
    assert not Listing.objects.exists()


def test_create_without_company_is_403(client_for, user):
    response = client_for(user).post("/api/v1/listings/", PAYLOAD, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("status", ["pending", "rejected", "suspended"])
def test_create_by_non_verified_company_is_403(client_for, status):
    membership = factories.MembershipFactory(company=factories.CompanyFactory(status=status))
    response = client_for(membership.user).post("/api/v1/listings/", PAYLOAD, format="json")
    assert response.status_code == 403
    assert not Listing.objects.exists()


def test_create_returns_201_pending_with_exactly_the_documented_fields(admin_client, company):
    response = admin_client.post("/api/v1/listings/", PAYLOAD, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == LISTING_FIELDS
    assert body["status"] == "pending"
    assert body["category"] == "manutention"
    assert body["company"] == {"id": company.pk, "name": company.name}
    assert body["photos"] == []
    assert body["postal_code"] == company.postal_code
    assert body["commune"] == company.commune
    assert body["available_from"] == "2026-12-01"
    assert body["quantity"] == 1
    assert body["price"] is None
    assert body["published_at"] is None and body["expires_at"] is None
    assert body["rejection_reason"] == ""
    assert body["created_at"].endswith(("Z", "+00:00", "+01:00", "+02:00"))


def test_create_with_submit_false_is_a_draft(admin_client):
    response = admin_client.post("/api/v1/listings/", {**PAYLOAD, "submit": False}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "draft"


def test_create_is_published_at_once_when_approval_is_off(admin_client, settings):
    settings.LISTINGS_REQUIRE_APPROVAL = False
    response = admin_client.post("/api/v1/listings/", PAYLOAD, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "published"
    assert body["published_at"] is not None and body["expires_at"] is not None
    assert Listing.objects.published().filter(pk=body["id"]).exists()


def test_create_with_null_optionals_uses_the_company_location(admin_client, company):
    payload = {**PAYLOAD, "postal_code": None, "quantity": None, "unit": None, "price": None}
    response = admin_client.post("/api/v1/listings/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["postal_code"], body["quantity"], body["unit"]) == (company.postal_code, None, "")


def test_create_at_another_postal_code(admin_client):
    response = admin_client.post(
        "/api/v1/listings/", {**PAYLOAD, "postal_code": "42000"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["postal_code"], body["commune"], body["departement"]) == (
        "42000",
        "Saint-Étienne",
        "42",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"postal_code": "00000"}, "postal_code"),
        ({"category": "pas-une-categorie"}, "category"),
        ({"unit": "kg"}, "unit"),
        ({"unit": "furlong"}, "unit"),
        ({"kind": "gift"}, "kind"),
        ({"terms": "cheap"}, "terms"),
        ({"radius_km": 0}, "radius_km"),
        ({"radius_km": 1001}, "radius_km"),
        ({"quantity": 0}, "quantity"),
        ({"price": -5}, "price"),
        ({"available_until": "2026-11-30"}, "available_until"),
        ({"title": ""}, "title"),
    ],
)
def test_create_bad_input_is_400_naming_the_field(admin_client, change, field):
    response = admin_client.post("/api/v1/listings/", {**PAYLOAD, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Listing.objects.exists()


def test_create_without_required_fields_names_them(admin_client):
    response = admin_client.post("/api/v1/listings/", {}, format="json")
    assert response.status_code == 400
    assert {"kind", "title", "description", "category", "terms"} <= set(response.json())


# --- Detail and visibility ----------------------------------------------------------------------


def test_published_listing_is_public_without_contact(api_client, company, company_admin):
    listing = make_listing(company, company_admin, "published")
    response = api_client.get(f"/api/v1/listings/{listing.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == LISTING_FIELDS  # no contact key at all
    assert body["status"] == "published"


def test_verified_member_of_another_company_sees_contact(other_client, company, company_admin):
    Company.objects.filter(pk=company.pk).update(phone="04 72 00 00 00")
    listing = make_listing(company, company_admin, "published")
    body = other_client.get(f"/api/v1/listings/{listing.pk}/").json()
    assert set(body) == LISTING_FIELDS | {"contact"}
    assert body["contact"] == {
        "phone": "04 72 00 00 00",
        "website": "",
        "email": company_admin.email,
    }


def test_member_of_non_verified_company_sees_no_contact(client_for, company, company_admin):
    listing = make_listing(company, company_admin, "published")
    pending = factories.MembershipFactory(company=factories.CompanyFactory(status="pending"))
    body = client_for(pending.user).get(f"/api/v1/listings/{listing.pk}/").json()
    assert "contact" not in body


@pytest.mark.parametrize(
    "status", ["draft", "pending", "rejected", "hidden", "fulfilled", "withdrawn", "expired"]
)
def test_non_published_listing_is_404_for_others_and_visible_to_owners(
    api_client, other_client, admin_client, client_for, company, company_admin, status
):
    listing = make_listing(company, company_admin, status)
    url = f"/api/v1/listings/{listing.pk}/"
    assert api_client.get(url).status_code == 404
    assert other_client.get(url).status_code == 404
    colleague = factories.MembershipFactory(company=company, role="member").user
    for client in (admin_client, client_for(colleague)):
        response = client.get(url)
        assert response.status_code == 200
        assert response.json()["status"] == status


def test_listing_past_expiry_is_404_for_others_before_the_job(
    api_client, admin_client, company, company_admin
):
    listing = make_listing(company, company_admin, "published")
    Listing.objects.filter(pk=listing.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_client.get(f"/api/v1/listings/{listing.pk}/").status_code == 404
    assert admin_client.get(f"/api/v1/listings/{listing.pk}/").status_code == 200


def test_listing_of_a_suspended_company_is_404_for_others(api_client, company, company_admin):
    listing = make_listing(company, company_admin, "published")
    Company.objects.filter(pk=company.pk).update(status="suspended")
    assert api_client.get(f"/api/v1/listings/{listing.pk}/").status_code == 404


def test_moderator_sees_a_pending_listing_of_their_territory_only(
    client_for, moderator, company, company_admin
):
    listing = make_listing(company, company_admin, "pending")
    assert client_for(moderator).get(f"/api/v1/listings/{listing.pk}/").status_code == 200
    outsider = factories.ModeratorFactory(departements=["75"]).user
    assert client_for(outsider).get(f"/api/v1/listings/{listing.pk}/").status_code == 404


def test_unknown_listing_is_404(api_client):
    assert api_client.get("/api/v1/listings/999999/").status_code == 404


# --- Writes: permission matrix -----------------------------------------------------------------

WRITES = [
    ("patch", "/api/v1/listings/{pk}/", {"title": "Pris !"}),
    ("delete", "/api/v1/listings/{pk}/", None),
    ("post", "/api/v1/listings/{pk}/submit/", None),
    ("post", "/api/v1/listings/{pk}/close/", {"outcome": "withdrawn"}),
    ("post", "/api/v1/listings/{pk}/renew/", None),
]


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_writes_anonymous_are_401(api_client, company, company_admin, method, path, payload):
    listing = make_listing(company, company_admin, "published")
    response = getattr(api_client, method)(path.format(pk=listing.pk), payload, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_writes_on_another_company_published_listing_are_403(
    other_client, company, company_admin, method, path, payload
):
    listing = make_listing(company, company_admin, "published")
    response = getattr(other_client, method)(path.format(pk=listing.pk), payload, format="json")
    assert response.status_code == 403
    listing.refresh_from_db()
    assert listing.status == "published"
    assert listing.title != "Pris !"


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_writes_on_another_company_draft_are_404(
    other_client, company, company_admin, method, path, payload
):
    listing = make_listing(company, company_admin, "draft")
    response = getattr(other_client, method)(path.format(pk=listing.pk), payload, format="json")
    assert response.status_code == 404
    assert Listing.objects.filter(pk=listing.pk, status="draft").exists()


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_writes_by_a_member_of_a_suspended_owner_are_403(
    client_for, company, company_admin, method, path, payload
):
    listing = make_listing(company, company_admin, "draft")
    Company.objects.filter(pk=company.pk).update(status="suspended")
    fresh_admin = type(company_admin).objects.get(pk=company_admin.pk)
    response = getattr(client_for(fresh_admin), method)(
        path.format(pk=listing.pk), payload, format="json"
    )
    assert response.status_code == 403


def test_photo_upload_by_another_company_is_403_and_stores_nothing(
    other_client, company, company_admin
):
    listing = make_listing(company, company_admin, "published")
    response = other_client.post(
        f"/api/v1/listings/{listing.pk}/photos/",
        {"image": _upload(image_bytes())},
        format="multipart",
    )
    assert response.status_code == 403
    assert not listing.photos.exists()


def _upload(content: bytes, name: str = "photo.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/jpeg")


# --- Writes by the owner -------------------------------------------------------------------------


def test_patch_substantive_edit_of_published_returns_pending(admin_client, company, company_admin):
    listing = make_listing(company, company_admin, "published")
    response = admin_client.patch(
        f"/api/v1/listings/{listing.pk}/", {"title": "Entrepôt sec 450 m²"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert response.json()["title"] == "Entrepôt sec 450 m²"


def test_patch_keeps_published_when_approval_is_off(admin_client, company, company_admin, settings):
    listing = make_listing(company, company_admin, "published")
    settings.LISTINGS_REQUIRE_APPROVAL = False
    response = admin_client.patch(
        f"/api/v1/listings/{listing.pk}/", {"radius_km": 120}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["radius_km"]) == ("published", 120)


def test_patch_bad_unit_for_category_is_400(admin_client, company, company_admin):
    listing = make_listing(company, company_admin, "draft")
    response = admin_client.patch(
        f"/api/v1/listings/{listing.pk}/", {"category": "metaux"}, format="json"
    )
    # Dry warehouse m² do not fit metals (t, kg, pallet): the unit is named.
    assert response.status_code == 400
    assert "unit" in response.json()


def test_submit_close_renew_delete_by_the_owner(
    admin_client, company, company_admin, other_company
):
    draft = make_listing(company, company_admin, "draft")
    response = admin_client.post(f"/api/v1/listings/{draft.pk}/submit/")
    assert (response.status_code, response.json()["status"]) == (200, "pending")
    response = admin_client.post(f"/api/v1/listings/{draft.pk}/submit/")
    assert response.status_code == 400
    assert "status" in response.json()

    published = make_listing(company, company_admin, "published")
    response = admin_client.post(f"/api/v1/listings/{published.pk}/renew/")
    assert response.status_code == 200
    response = admin_client.post(
        f"/api/v1/listings/{published.pk}/close/",
        {"outcome": "fulfilled", "partner_company": other_company.pk},
        format="json",
    )
    assert (response.status_code, response.json()["status"]) == (200, "fulfilled")
    published.refresh_from_db()
    assert published.partner_company == other_company

    response = admin_client.post(f"/api/v1/listings/{published.pk}/renew/")
    assert response.status_code == 400

    response = admin_client.delete(f"/api/v1/listings/{published.pk}/")
    assert response.status_code == 204
    assert not Listing.objects.filter(pk=published.pk).exists()


def test_close_with_bad_outcome_or_unknown_partner_is_400(admin_client, company, company_admin):
    listing = make_listing(company, company_admin, "published")
    url = f"/api/v1/listings/{listing.pk}/close/"
    response = admin_client.post(url, {"outcome": "sold"}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["outcome"])
    response = admin_client.post(
        url, {"outcome": "fulfilled", "partner_company": 987654}, format="json"
    )
    assert (response.status_code, list(response.json())) == (400, ["partner_company"])
    listing.refresh_from_db()
    assert listing.status == "published"


def test_renew_expired_listing_puts_it_back(admin_client, company, company_admin):
    listing = make_listing(company, company_admin, "expired")
    response = admin_client.post(f"/api/v1/listings/{listing.pk}/renew/")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert Listing.objects.published().filter(pk=listing.pk).exists()


# --- Mine ----------------------------------------------------------------------------------------


def test_mine_anonymous_is_401(api_client):
    assert api_client.get("/api/v1/listings/mine/").status_code == 401


def test_mine_without_company_is_403(client_for, user):
    assert client_for(user).get("/api/v1/listings/mine/").status_code == 403


def test_mine_lists_every_status_of_my_company_only(
    admin_client, company, company_admin, other_company, other_admin
):
    statuses = ["draft", "pending", "published", "rejected", "expired", "fulfilled"]
    for status in statuses:
        make_listing(company, company_admin, status)
    make_listing(other_company, other_admin, "published")
    response = admin_client.get("/api/v1/listings/mine/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == len(statuses)
    assert sorted(r["status"] for r in body["results"]) == sorted(statuses)
    assert set(body["results"][0]) == LISTING_FIELDS
    assert {r["company"]["id"] for r in body["results"]} == {company.pk}


def test_mine_query_count_does_not_grow_with_the_page(admin_client, company, company_admin):
    from bourse.listings import services

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get("/api/v1/listings/mine/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    first = make_listing(company, company_admin, "published")
    services.listing_photo_add(listing=first, by=company_admin, upload=_upload(image_bytes()))
    few = count_queries()
    for _ in range(6):
        listing = make_listing(company, company_admin, "draft")
        services.listing_photo_add(listing=listing, by=company_admin, upload=_upload(image_bytes()))
    many = count_queries()
    assert many == few
    assert few <= 6


def test_mine_pinned_query_count(client_for, company, company_admin, django_assert_num_queries):
    for status in ("draft", "published", "pending"):
        make_listing(company, company_admin, status)
    client = client_for(type(company_admin).objects.get(pk=company_admin.pk))
    # membership, count, listings (+company, category), photos
    with django_assert_num_queries(4):
        response = client.get("/api/v1/listings/mine/")
    assert response.json()["count"] == 3


# --- The collection path takes GET (search) and POST (create) -------------------------------------


def test_collection_get_still_searches_published_listings(api_client, company, company_admin):
    published = make_listing(company, company_admin, "published")
    make_listing(company, company_admin, "draft")
    response = api_client.get("/api/v1/listings/")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [published.pk]


def test_schema_documents_the_listing_endpoints(api_client):
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/listings/"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/listings/{id}/"])
    assert "post" in paths["/api/v1/listings/{id}/close/"]
    assert "post" in paths["/api/v1/listings/{id}/photos/"]
    assert "get" in paths["/api/v1/categories/"]
