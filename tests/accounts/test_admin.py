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
