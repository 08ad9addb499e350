"""When the last member of a company leaves it or deletes their account, its listings are
withdrawn and the company leaves the exchange (its row kept); with members left, nothing moves."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Company, Invitation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def listings(company):
    statuses = ["published", "draft", "pending", "expired", "fulfilled", "withdrawn"]
    return {status: factories.ListingFactory(company=company, status=status) for status in statuses}


def statuses_of(listings):
    for listing in listings.values():
        listing.refresh_from_db()
    return {key: listing.status for key, listing in listings.items()}


def test_last_member_leaving_withdraws_the_listings_and_the_company_leaves(
    company, company_admin, listings
):
    invitation = factories.InvitationFactory(company=company, invited_by=company_admin)
    other_listing = factories.ListingFactory()

    services.membership_remove(membership=company_admin.membership, by=company_admin)

    company.refresh_from_db()
    assert company.status == Company.Status.LEFT
    assert company.status_reason and company.status_changed_at
    assert statuses_of(listings) == {
        "published": "withdrawn",
        "draft": "withdrawn",
        "pending": "withdrawn",
        "expired": "withdrawn",
        "fulfilled": "fulfilled",  # a deal done stays done (statistics)
        "withdrawn": "withdrawn",
    }
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    other_listing.refresh_from_db()
    assert other_listing.status == "published"
    assert Company.objects.filter(pk=company.pk).exists()  # kept for the audit


def test_last_member_deleting_the_account_does_the_same(company, company_admin, listings):
    services.user_delete(user=company_admin)
    company.refresh_from_db()
    assert company.status == Company.Status.LEFT
    assert statuses_of(listings)["published"] == "withdrawn"


def test_with_a_member_left_nothing_moves(company, company_admin, company_member, listings):
    services.membership_remove(membership=company_member.membership, by=company_member)
    company.refresh_from_db()
    assert company.status == Company.Status.VERIFIED
    assert statuses_of(listings)["published"] == "published"


def test_deleting_the_admin_with_a_member_left_hands_over(company, company_admin, company_member):
    listing = factories.ListingFactory(company=company)
    services.user_delete(user=company_admin)
    company.refresh_from_db()
    listing.refresh_from_db()
    assert company.status == Company.Status.VERIFIED and listing.status == "published"
    assert company_member.membership.__class__.objects.get(user=company_member).is_admin


def test_the_last_admin_still_cannot_leave_members_behind(company, company_admin, company_member):
    with pytest.raises(ValidationError):
        services.membership_remove(membership=company_admin.membership, by=company_admin)
    company.refresh_from_db()
    assert company.status == Company.Status.VERIFIED


def test_a_company_that_left_is_out_of_search(client, company, company_admin):
    listing = factories.ListingFactory(company=company, title="Chariot élévateur à prêter")
    assert listing.title in client.get("/annonces/").content.decode()
    services.membership_remove(membership=company_admin.membership, by=company_admin)
    assert listing.title not in client.get("/annonces/").content.decode()


def test_the_page_says_what_leaving_does_and_the_button_works(client, company, company_admin):
    client.force_login(company_admin)
    html = client.get("/entreprise/").content.decode()
    assert (
        "Quitter l&#x27;entreprise et la bourse" in html
        or "Quitter l'entreprise et la bourse" in html
    )
    response = client.post(
        f"/entreprise/membres/{company_admin.membership.pk}/retirer/", follow=True
    )
    assert "elle a quitté la bourse" in response.content.decode()
    company.refresh_from_db()
    assert company.status == Company.Status.LEFT
