"""Company moderation: transitions, reasons, e-mails, notifications and the audit log."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import Company
from bourse.listings.models import Listing
from bourse.moderation import services
from bourse.moderation.models import AuditLogEntry
from bourse.notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


def url(company, action):
    return f"/api/v1/moderation/companies/{company.pk}/{action}/"


def test_verify_writes_status_audit_notification_and_emails_every_member(
    client_for, moderator_69, django_capture_on_commit_callbacks
):
    company = factories.CompanyFactory(status=Company.Status.PENDING, status_changed_at=None)
    members = [factories.MembershipFactory(company=company).user for _ in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(moderator_69).post(url(company, "verify"))

    assert response.status_code == 200
    company.refresh_from_db()
    assert company.status == "verified"
    assert company.status_changed_at is not None
    entry = AuditLogEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_type, entry.target_id, entry.departement) == (
        moderator_69,
        "company.verify",
        "company",
        company.pk,
        "69",
    )
    assert entry.data == {"from": "pending", "to": "verified"}
    notification = Notification.objects.get(company=company)
    assert notification.kind == "company_status"
    assert notification.data["status"] == "verified"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in members)
    assert "vérifiée" in mail.outbox[0].subject


def test_reject_tells_the_company_the_reason(
    client_for, moderator_69, django_capture_on_commit_callbacks
):
    company = factories.CompanyFactory(status=Company.Status.PENDING)
    factories.MembershipFactory(company=company)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(moderator_69).post(
            url(company, "reject"), {"reason": "Le SIRET correspond à un établissement fermé."}
        )

    assert response.status_code == 200
    assert response.json()["status_reason"] == "Le SIRET correspond à un établissement fermé."
    assert "établissement fermé" in mail.outbox[0].body
    assert AuditLogEntry.objects.get().reason == "Le SIRET correspond à un établissement fermé."


@pytest.mark.parametrize("action", ["reject", "suspend"])
@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "   "}])
def test_reason_is_required_to_reject_or_suspend(client_for, moderator_69, action, payload):
    status = "pending" if action == "reject" else "verified"
    company = factories.CompanyFactory(status=status)

    response = client_for(moderator_69).post(url(company, action), payload)

    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    company.refresh_from_db()
    assert company.status == status
    assert not AuditLogEntry.objects.exists()


@pytest.mark.parametrize(
    "action,status,data",
    [
        ("verify", "verified", {}),
        ("verify", "suspended", {}),
        ("reject", "verified", {"reason": "x"}),
        ("reject", "rejected", {"reason": "x"}),
        ("suspend", "pending", {"reason": "x"}),
        ("suspend", "suspended", {"reason": "x"}),
        ("reinstate", "verified", {}),
        ("reinstate", "pending", {}),
    ],
)
def test_invalid_transition_is_400_with_a_clear_message(
    client_for, moderator_69, action, status, data
):
    company = factories.CompanyFactory(status=status)

    response = client_for(moderator_69).post(url(company, action), data)

    assert response.status_code == 400
    message = response.json()["non_field_errors"][0]
    assert "Action impossible" in message
    assert str(Company.Status(status).label) in message
    company.refresh_from_db()
    assert company.status == status
    assert not AuditLogEntry.objects.exists()
    assert not Notification.objects.exists()


def test_a_rejected_company_can_be_verified_after_a_recheck(moderator_69):
    company = factories.CompanyFactory(status=Company.Status.REJECTED, status_reason="SIRET faux")

    services.company_verify(company=company, by=moderator_69)

    company.refresh_from_db()
    assert company.status == "verified"
    assert company.status_reason == ""


def test_suspension_takes_listings_off_the_exchange_and_reinstatement_brings_them_back(
    moderator_69,
):
    listing = factories.ListingFactory()
    assert list(Listing.objects.published()) == [listing]

    services.company_suspend(company=listing.company, by=moderator_69, reason="Fraude")
    assert list(Listing.objects.published()) == []

    services.company_reinstate(company=listing.company, by=moderator_69)
    assert list(Listing.objects.published()) == [listing]
    assert list(AuditLogEntry.objects.values_list("action", flat=True)) == [
        "company.reinstate",
        "company.suspend",
    ]


def test_service_refuses_a_blank_reason_even_without_the_api(moderator_69):
    company = factories.CompanyFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.company_suspend(company=company, by=moderator_69, reason=" ")
    assert "reason" in excinfo.value.message_dict


def test_nothing_is_recorded_or_sent_when_the_change_rolls_back(
    moderator_69, django_capture_on_commit_callbacks, monkeypatch
):
    company = factories.CompanyFactory(status=Company.Status.PENDING)
    factories.MembershipFactory(company=company)

    def broken_notify(**kwargs):
        raise RuntimeError("notification store down")

    monkeypatch.setattr(services, "notify", broken_notify)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.company_verify(company=company, by=moderator_69)

    company.refresh_from_db()
    assert company.status == "pending"
    assert not AuditLogEntry.objects.exists()
    assert mail.outbox == []


def test_company_queue_filters_by_status_and_departement_and_pins_queries(
    client_for, national, django_assert_num_queries
):
    for _ in range(3):
        factories.MembershipFactory(company=factories.CompanyFactory(status="pending"))
    factories.CompanyFactory(status="pending", postal_code="42000")
    factories.CompanyFactory(status="verified")
    client = client_for(national)

    with django_assert_num_queries(2):  # count + page (the caller's moderator is cached)
        response = client.get("/api/v1/moderation/companies/?status=pending&departement=69")

    body = response.json()
    assert body["count"] == 3
    assert {row["departement"] for row in body["results"]} == {"69"}
    assert {row["members_count"] for row in body["results"]} == {1}
    assert client.get("/api/v1/moderation/companies/?status=pending").json()["count"] == 4
