"""Listing moderation through the API: H3's services do the change, this API scopes and checks."""

import pytest
from django.core import mail

from bourse.listings.models import Listing
from bourse.moderation.models import AuditLogEntry
from bourse.notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


def url(listing, action):
    return f"/api/v1/moderation/listings/{listing.pk}/{action}/"


def test_approve_publishes_logs_and_tells_the_company(
    client_for, moderator_69, django_capture_on_commit_callbacks
):
    listing = factories.ListingFactory(status="pending", published_at=None, expires_at=None)
    member = factories.MembershipFactory(company=listing.company).user

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(moderator_69).post(url(listing, "approve"))

    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert list(Listing.objects.published()) == [listing]
    assert AuditLogEntry.objects.get().action == "listing.approve"
    assert Notification.objects.filter(company=listing.company, kind="listing_status").exists()
    assert [m.to for m in mail.outbox] == [[member.email]]


@pytest.mark.parametrize("action,status", [("reject", "pending"), ("hide", "published")])
def test_reason_is_required_to_reject_or_hide_a_listing(client_for, moderator_69, action, status):
    listing = factories.ListingFactory(status=status)

    response = client_for(moderator_69).post(url(listing, action), {"reason": ""})

    assert response.status_code == 400
    assert "reason" in response.json()
    listing.refresh_from_db()
    assert listing.status == status


def test_hide_reason_is_shown_to_the_company(client_for, moderator_69):
    listing = factories.ListingFactory()

    response = client_for(moderator_69).post(url(listing, "hide"), {"reason": "Produit interdit"})

    assert response.json()["status"] == "hidden"
    assert response.json()["rejection_reason"] == "Produit interdit"


@pytest.mark.parametrize(
    "action,status,data",
    [
        ("approve", "published", {}),
        ("approve", "draft", {}),
        ("reject", "published", {"reason": "x"}),
        ("hide", "pending", {"reason": "x"}),
    ],
)
def test_invalid_listing_transition_is_400(client_for, moderator_69, action, status, data):
    listing = factories.ListingFactory(status=status)

    response = client_for(moderator_69).post(url(listing, action), data)

    assert response.status_code == 400
    assert response.json()  # a message says why
    listing.refresh_from_db()
    assert listing.status == status
    assert not AuditLogEntry.objects.exists()


def test_listing_territory_is_the_listing_departement_not_the_company(
    client_for, moderator_69, moderator_75
):
    # A Lyon company offering storage in Paris: the Paris moderator handles it.
    listing = factories.ListingFactory(status="pending", postal_code="75011")
    assert listing.departement == "75"

    assert client_for(moderator_69).post(url(listing, "approve")).status_code == 404
    assert client_for(moderator_75).post(url(listing, "approve")).status_code == 200


def test_listing_queue_query_count_is_pinned(client_for, national, django_assert_num_queries):
    for _ in range(4):
        factories.ListingFactory(status="pending")
    client = client_for(national)

    # count, page (with company and category), photos
    with django_assert_num_queries(3):
        response = client.get("/api/v1/moderation/listings/?status=pending")

    body = response.json()
    assert body["count"] == 4
    first = body["results"][0]
    assert {"id", "title", "company", "photos", "category", "departement"} <= set(first)
    assert first["company"]["status"] == "verified"
