"""Dates on the French pages are written in French ("24 janvier 2027"), not with the
English-looking three-letter month of Django's "M" format ("24 Jan 2027")."""

import datetime

import pytest
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Membership
from bourse.listings.models import Listing
from tests import factories

pytestmark = pytest.mark.django_db

MOMENT = timezone.make_aware(datetime.datetime(2027, 1, 24, 12, 0))


@pytest.fixture
def admin_client(client, company):
    user = factories.MembershipFactory(company=company, role=Membership.Role.ADMIN).user
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return client, user


def test_my_listings_page_writes_the_expiry_and_update_dates_in_french(admin_client, company):
    client, _user = admin_client
    listing = factories.ListingFactory(company=company, title="Chariot à prêter")
    Listing.objects.filter(pk=listing.pk).update(expires_at=MOMENT, updated_at=MOMENT)

    html = client.get("/annonces/mes-annonces/").content.decode()

    assert "jusqu&#x27;au 24 janvier 2027" in html or "jusqu'au 24 janvier 2027" in html
    assert ">24 janvier 2027</td>" in html
    assert "Jan 2027" not in html


def test_company_page_writes_the_invitation_date_in_french(admin_client, company):
    client, user = admin_client
    invitation = account_services.invitation_create(
        company=company, by=user, email="collegue@example.fr"
    )
    type(invitation).objects.filter(pk=invitation.pk).update(created_at=MOMENT)

    html = client.get("/entreprise/").content.decode()

    assert "collegue@example.fr" in html and "24 janvier 2027" in html
    assert "Jan 2027" not in html
