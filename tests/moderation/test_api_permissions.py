"""The permission matrix of the moderation API: who gets 401, 403, 404 or 200 on what.

Every object below lies in Rhône (69). "other_moderator" covers only Paris (75): for them the
objects do not exist (404), and the lists are empty.
"""

import pytest

from accounts.models import Company
from bourse.moderation.models import AuditLogEntry, Report
from bourse.moderation.services import company_verify
from tests import factories

from .conftest import ROLES

pytestmark = pytest.mark.django_db

ACTION_EXPECTED = {
    "anonymous": 401,
    "plain_user": 403,
    "company_member": 403,
    "other_moderator": 404,
    "moderator": 200,
    "national": 200,
}
LIST_EXPECTED = {
    "anonymous": 401,
    "plain_user": 403,
    "company_member": 403,
    "other_moderator": 200,
    "moderator": 200,
    "national": 200,
}
SEES_RHONE = {"moderator", "national"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/moderation/companies/",
        "/api/v1/moderation/listings/",
        "/api/v1/moderation/reports/",
        "/api/v1/moderation/log/",
    ],
)
def test_moderation_lists_are_for_moderators_and_scoped_to_their_territory(as_role, role, path):
    company = factories.CompanyFactory(status=Company.Status.PENDING)
    listing = factories.ListingFactory(company=company, status="pending")
    report = factories.ReportFactory(target_id=company.pk)
    moderator = factories.ModeratorFactory(departements=["69"]).user
    entry = company_verify(company=company, by=moderator) and AuditLogEntry.objects.get()
    expected_id = {
        "/api/v1/moderation/companies/": company.pk,
        "/api/v1/moderation/listings/": listing.pk,
        "/api/v1/moderation/reports/": report.pk,
        "/api/v1/moderation/log/": entry.pk,
    }[path]

    response = as_role(role).get(path)

    assert response.status_code == LIST_EXPECTED[role]
    if response.status_code == 200:
        ids = [row["id"] for row in response.json()["results"]]
        assert (expected_id in ids) == (role in SEES_RHONE)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "action,status_before,data,status_after",
    [
        ("verify", "pending", {}, "verified"),
        ("reject", "pending", {"reason": "SIRET fermé"}, "rejected"),
        ("suspend", "verified", {"reason": "Annonces trompeuses"}, "suspended"),
        ("reinstate", "suspended", {}, "verified"),
    ],
)
def test_company_actions_matrix(as_role, role, action, status_before, data, status_after):
    company = factories.CompanyFactory(status=status_before)

    response = as_role(role).post(f"/api/v1/moderation/companies/{company.pk}/{action}/", data)

    assert response.status_code == ACTION_EXPECTED[role]
    company.refresh_from_db()
    if response.status_code == 200:
        assert response.json()["status"] == status_after
        assert company.status == status_after
    else:
        assert company.status == status_before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "action,status_before,data,status_after",
    [
        ("approve", "pending", {}, "published"),
        ("reject", "pending", {"reason": "Photo sans rapport"}, "rejected"),
        ("hide", "published", {"reason": "Contenu interdit"}, "hidden"),
    ],
)
def test_listing_actions_matrix(as_role, role, action, status_before, data, status_after):
    listing = factories.ListingFactory(status=status_before)

    response = as_role(role).post(f"/api/v1/moderation/listings/{listing.pk}/{action}/", data)

    assert response.status_code == ACTION_EXPECTED[role]
    listing.refresh_from_db()
    assert listing.status == (status_after if response.status_code == 200 else status_before)


@pytest.mark.parametrize("role", ROLES)
def test_report_resolve_matrix(as_role, role):
    report = factories.ReportFactory()

    response = as_role(role).post(
        f"/api/v1/moderation/reports/{report.pk}/resolve/", {"decision": "dismissed", "note": ""}
    )

    assert response.status_code == ACTION_EXPECTED[role]
    report.refresh_from_db()
    expected = Report.Status.RESOLVED if response.status_code == 200 else Report.Status.OPEN
    assert report.status == expected


@pytest.mark.parametrize("role", ROLES)
def test_stats_of_a_departement_matrix(as_role, role):
    factories.CompanyFactory()

    response = as_role(role).get("/api/v1/moderation/stats/?departement=69")

    assert response.status_code == ACTION_EXPECTED[role]
    if response.status_code == 200:
        assert response.json()["companies"] == {"verified": 1}


def test_moderator_outside_territory_gets_404_on_unknown_ids_too(client_for, moderator_69):
    response = client_for(moderator_69).post("/api/v1/moderation/companies/999999/verify/")
    assert response.status_code == 404


def test_session_token_header_is_accepted_and_anonymous_gets_401(api_client):
    response = api_client.get("/api/v1/moderation/companies/")
    assert response.status_code == 401


def test_a_moderator_does_not_moderate_their_own_company_or_its_listings(client_for, client):
    company = factories.CompanyFactory(status="pending")
    moderator = factories.ModeratorFactory(departements=["69"]).user
    factories.MembershipFactory(company=company, user=moderator)
    listing = factories.ListingFactory(company=company, status="pending")
    api = client_for(moderator)

    assert api.post(f"/api/v1/moderation/companies/{company.pk}/verify/").status_code == 403
    assert api.post(f"/api/v1/moderation/listings/{listing.pk}/approve/").status_code == 403
    client.force_login(moderator)
    page = client.post(f"/moderation/entreprises/{company.pk}/action/", {"action": "verify"})
    assert page.status_code == 403
    assert "un autre modérateur" in page.content.decode()
    company.refresh_from_db()
    listing.refresh_from_db()
    assert (company.status, listing.status) == ("pending", "pending")
