"""The Django admin pages of accounts load for staff, and only for staff."""

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(db):
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    return client


def test_admin_lists_and_change_pages(admin_client_, company, company_admin):
    invitation = factories.InvitationFactory(company=company)
    membership = company_admin.membership
    pages = [
        "/admin/accounts/user/",
        f"/admin/accounts/user/{company_admin.pk}/change/",
        "/admin/accounts/user/add/",
        "/admin/accounts/company/",
        f"/admin/accounts/company/{company.pk}/change/",
        "/admin/accounts/membership/",
        f"/admin/accounts/membership/{membership.pk}/change/",
        "/admin/accounts/invitation/",
        f"/admin/accounts/invitation/{invitation.pk}/change/",
        "/admin/accounts/user/?q=entreprise-exemple",
        "/admin/accounts/company/?q=" + company.siret,
    ]
    for url in pages:
        assert admin_client_.get(url).status_code == 200, url


def test_admin_is_closed_to_ordinary_users(company_admin):
    client = Client()
    client.force_login(company_admin)
    response = client.get("/admin/accounts/company/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- No back door around the services -------------------------------------------------------


def test_a_company_place_and_identity_cannot_be_edited_in_the_admin(admin_client_, company):
    url = f"/admin/accounts/company/{company.pk}/change/"
    html = admin_client_.get(url).content.decode()
    for field in ("postal_code", "siret", "name", "address", "naf_code", "registry_status"):
        assert f'name="{field}"' not in html, field
    assert 'name="phone"' in html
    before = (company.postal_code, company.departement, company.siret)
    response = admin_client_.post(
        url,
        {
            "postal_code": "75001",
            "siret": factories.make_siret(),
            "phone": "04 78 00 00 00",
            "website": "",
            "description": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    company.refresh_from_db()
    assert (company.postal_code, company.departement, company.siret) == before
    assert company.phone == "+33478000000"  # checked and stored E.164, as everywhere
    assert admin_client_.get("/admin/accounts/company/add/").status_code == 403


def test_memberships_change_only_through_the_services_actions(
    admin_client_, company, company_admin, company_member
):
    url = "/admin/accounts/membership/"
    admin_membership, member_membership = company_admin.membership, company_member.membership
    change = admin_client_.get(f"{url}{admin_membership.pk}/change/").content.decode()
    assert 'name="role"' not in change
    assert admin_client_.get(f"{url}{admin_membership.pk}/delete/").status_code == 403
    assert admin_client_.get(f"{url}add/").status_code == 403

    def act(action, *memberships):
        return admin_client_.post(
            url,
            {"action": action, "_selected_action": [m.pk for m in memberships]},
            follow=True,
        ).content.decode()

    html = act("make_member", admin_membership)
    assert "garder au moins un administrateur" in html
    admin_membership.refresh_from_db()
    assert admin_membership.role == "admin"

    html = act("remove", admin_membership)
    assert "garder au moins un administrateur" in html
    act("remove", member_membership)
    assert list(company.memberships.values_list("pk", flat=True)) == [admin_membership.pk]

    act("make_admin", admin_membership)
    admin_membership.refresh_from_db()
    assert admin_membership.role == "admin"
