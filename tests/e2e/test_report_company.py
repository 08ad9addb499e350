"""A verified company can report another company from its public page (the API contract allows
reports on companies; the page had no "Signaler" link), and the report reaches the moderator."""

import pytest

from bourse.moderation.models import Report
from tests import factories

pytestmark = pytest.mark.django_db


def report_href(company) -> str:
    return f"/moderation/signaler/?target_type=company&amp;target_id={company.pk}"


def test_member_of_a_verified_company_can_report_another_company(client, company, other_admin):
    client.force_login(other_admin)
    html = client.get(f"/entreprises/{company.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert report_href(company) in html

    response = client.post(
        "/moderation/signaler/",
        {
            "target_type": "company",
            "target_id": company.pk,
            "reason": "Cette entreprise demande un acompte hors plateforme.",
            "next": f"/entreprises/{company.pk}/",
        },
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.target_type, report.target_id) == ("company", company.pk)


def test_no_report_link_for_its_own_members_visitors_or_pending_companies(client, company):
    own = factories.MembershipFactory(company=company).user
    pending = factories.MembershipFactory(company=factories.CompanyFactory(status="pending")).user
    url = f"/entreprises/{company.pk}/"
    assert report_href(company) not in client.get(url).content.decode()
    for user in (own, pending):
        client.force_login(user)
        assert report_href(company) not in client.get(url).content.decode()
