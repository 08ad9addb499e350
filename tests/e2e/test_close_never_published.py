"""Closing a listing that was never published (draft, pending, rejected): the page offers
only "Retirée" (a deal cannot have been done through it) and no partner company."""

import re

import pytest
from django.urls import reverse

from accounts.models import Membership
from bourse.listings.models import Listing
from messaging.services import conversation_start
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, company):
    user = factories.MembershipFactory(company=company, role=Membership.Role.ADMIN).user
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return client


@pytest.mark.parametrize("status", ["draft", "pending", "rejected"])
def test_a_never_published_listing_can_only_be_withdrawn(admin_client, company, status):
    other = factories.CompanyFactory(name="Entreprise Voisine")
    listing = factories.ListingFactory(company=company, status=status, published_at=None)
    url = reverse("listings:close", args=[listing.pk])

    html = admin_client.get(url).content.decode()
    assert re.search(r'<input[^>]*value="withdrawn"[^>]*checked', html)
    assert 'value="fulfilled"' not in html
    assert 'name="partner_company"' not in html and other.name not in html

    response = admin_client.post(url, {"outcome": "withdrawn"})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == "withdrawn" and listing.partner_company is None


def test_fulfilled_is_refused_for_a_draft_even_when_posted(admin_client, company):
    listing = factories.ListingFactory(company=company, status="draft", published_at=None)
    url = reverse("listings:close", args=[listing.pk])
    response = admin_client.post(url, {"outcome": "fulfilled"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Listing.objects.get(pk=listing.pk).status == "draft"


def test_a_published_listing_still_offers_both_outcomes_and_the_partner(admin_client, company):
    other = factories.CompanyFactory(name="Entreprise Voisine")
    listing = factories.ListingFactory(company=company)
    # The partner is chosen among the companies that wrote about the listing.
    writer = factories.MembershipFactory(company=other).user
    conversation_start(listing=listing, by=writer, body="Bonjour, est-ce toujours disponible ?")
    html = admin_client.get(reverse("listings:close", args=[listing.pk])).content.decode()
    assert 'value="fulfilled"' in html and 'value="withdrawn"' in html
    assert 'name="partner_company"' in html and other.name in html
