"""Moderation at crisis volume, through the API: common reasons, and one action on a selection
(each item audited and told on its own; ids outside the territory answered as not found)."""

import pytest
from django.core import mail

from accounts.models import Company
from bourse.listings.models import Listing
from bourse.moderation.models import AuditLogEntry, ModerationReason
from tests import factories

pytestmark = pytest.mark.django_db


def reason(target: str, action: str) -> ModerationReason:
    return ModerationReason.objects.filter(target=target, action=action).first()


def test_seeded_reasons_per_target_and_action(client_for, moderator_69):
    response = client_for(moderator_69).get(
        "/api/v1/moderation/reasons/?target=company&action=reject"
    )
    assert response.status_code == 200
    reasons = response.json()
    assert len(reasons) >= 3
    assert set(reasons[0]) >= {"id", "text"}
    assert all(r["target"] == "company" and r["action"] == "reject" for r in reasons)


def test_retired_reason_is_no_longer_offered(client_for, moderator_69):
    retired = reason("listing", "hide")
    retired.active = False
    retired.save()
    ids = [r["id"] for r in client_for(moderator_69).get("/api/v1/moderation/reasons/").json()]
    assert retired.pk not in ids


def test_reason_filters_are_checked(client_for, moderator_69):
    response = client_for(moderator_69).get("/api/v1/moderation/reasons/?target=user&action=x")
    assert response.status_code == 400
    assert set(response.json()) == {"target", "action"}


@pytest.mark.parametrize("role", ["anonymous", "plain_user", "company_member"])
def test_reasons_are_for_moderators_only(as_role, role):
    assert as_role(role).get("/api/v1/moderation/reasons/").status_code in (401, 403)


def test_reject_with_a_common_reason_and_a_completion(client_for, moderator_69):
    company = factories.CompanyFactory(status=Company.Status.PENDING)
    chosen = reason("company", "reject")
    response = client_for(moderator_69).post(
        f"/api/v1/moderation/companies/{company.pk}/reject/",
        {"reason_id": chosen.pk, "reason": "Joignez un extrait Kbis de moins de 3 mois."},
        format="json",
    )
    assert response.status_code == 200
    company.refresh_from_db()
    assert company.status_reason == f"{chosen.text}\nJoignez un extrait Kbis de moins de 3 mois."
    assert AuditLogEntry.objects.get().reason == company.status_reason


def test_reason_of_another_action_is_refused(client_for, moderator_69):
    listing = factories.ListingFactory(status=Listing.Status.PENDING, published_at=None)
    response = client_for(moderator_69).post(
        f"/api/v1/moderation/listings/{listing.pk}/reject/",
        {"reason_id": reason("company", "suspend").pk},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["reason_id"]
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING


def test_bulk_verify_audits_and_tells_each_company(
    client_for, moderator_69, moderator_75, django_capture_on_commit_callbacks
):
    pending = [factories.CompanyFactory(status=Company.Status.PENDING) for _ in range(3)]
    for company in pending:
        factories.MembershipFactory(company=company)
    already = factories.CompanyFactory(status=Company.Status.VERIFIED)
    elsewhere = factories.CompanyFactory(status=Company.Status.PENDING, postal_code="75011")
    mail.outbox.clear()

    ids = [c.pk for c in pending] + [already.pk, elsewhere.pk, 999999]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(moderator_69).post(
            "/api/v1/moderation/companies/bulk/", {"action": "verify", "ids": ids}, format="json"
        )

    assert response.status_code == 200
    body = response.json()
    assert body["done"] == [c.pk for c in pending]
    assert set(body["failed"]) == {str(already.pk), str(elsewhere.pk), "999999"}
    assert body["failed"][str(elsewhere.pk)] == body["failed"]["999999"]  # not found, both
    assert Company.objects.filter(pk__in=body["done"], status="verified").count() == 3
    entries = AuditLogEntry.objects.filter(action="company.verify")
    assert sorted(entries.values_list("target_id", flat=True)) == sorted(body["done"])
    elsewhere.refresh_from_db()
    assert elsewhere.status == Company.Status.PENDING
    # One notice per company verified, to its member.
    assert len(mail.outbox) == 3


def test_bulk_reject_needs_a_reason_and_changes_nothing_without(client_for, moderator_69):
    listings = [
        factories.ListingFactory(status=Listing.Status.PENDING, published_at=None) for _ in range(2)
    ]
    response = client_for(moderator_69).post(
        "/api/v1/moderation/listings/bulk/",
        {"action": "reject", "ids": [x.pk for x in listings]},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert not Listing.objects.filter(status=Listing.Status.REJECTED).exists()


def test_bulk_reject_listings_with_a_common_reason(client_for, moderator_69):
    listings = [
        factories.ListingFactory(status=Listing.Status.PENDING, published_at=None) for _ in range(2)
    ]
    chosen = reason("listing", "reject")
    response = client_for(moderator_69).post(
        "/api/v1/moderation/listings/bulk/",
        {"action": "reject", "ids": [x.pk for x in listings], "reason_id": chosen.pk},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"done": [x.pk for x in listings], "failed": {}}
    for listing in listings:
        listing.refresh_from_db()
        assert listing.status == Listing.Status.REJECTED
        assert listing.rejection_reason == chosen.text
    assert AuditLogEntry.objects.filter(action="listing.reject").count() == 2


def test_moderator_never_moderates_their_own_company_in_bulk(client_for, moderator_69):
    own = factories.CompanyFactory(status=Company.Status.PENDING)
    factories.MembershipFactory(company=own, user=moderator_69)
    response = client_for(moderator_69).post(
        "/api/v1/moderation/companies/bulk/", {"action": "verify", "ids": [own.pk]}, format="json"
    )
    assert response.json()["done"] == []
    assert str(own.pk) in response.json()["failed"]


@pytest.mark.parametrize(
    "payload",
    [
        {"action": "reinstate", "ids": [1]},
        {"action": "verify", "ids": []},
        {"action": "verify", "ids": ["x"]},
        {"action": "verify", "ids": list(range(1, 202))},
        {"action": "verify"},
    ],
)
def test_bulk_input_is_checked(client_for, moderator_69, payload):
    response = client_for(moderator_69).post(
        "/api/v1/moderation/companies/bulk/", payload, format="json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["anonymous", "plain_user", "company_member"])
def test_bulk_is_for_moderators_only(as_role, role):
    company = factories.CompanyFactory(status=Company.Status.PENDING)
    response = as_role(role).post(
        "/api/v1/moderation/companies/bulk/",
        {"action": "verify", "ids": [company.pk]},
        format="json",
    )
    assert response.status_code in (401, 403)
    company.refresh_from_db()
    assert company.status == Company.Status.PENDING
