"""Listings that stay true: the "still current?" e-mail and its one-click links (valid, expired,
reused, tampered), and the job that sends it once per publication period."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from bourse.core.models import OutboxEntry
from bourse.listings import freshness
from bourse.listings.models import Listing
from tests import factories

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def expiring(company, company_admin, company_member):
    return factories.ListingFactory(company=company, expires_in=timedelta(days=5))


def test_the_job_asks_each_member_once(
    expiring, company_admin, company_member, django_capture_on_commit_callbacks
):
    fresh = factories.ListingFactory(company=expiring.company)
    with django_capture_on_commit_callbacks(execute=True):
        assert freshness.ask_freshness() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [company_admin.email, company_member.email]
    )
    body = mail.outbox[0].body
    assert expiring.title in body and "/annonces/actualite/" in body
    assert freshness.ask_freshness() == 0
    assert freshness.ask_freshness(now=timezone.now() + timedelta(days=3)) == 0
    assert OutboxEntry.objects.count() == 2
    fresh.refresh_from_db()
    assert fresh.freshness_asked_at is None


def test_an_idle_listing_is_asked_once(company, company_admin):
    idle = factories.ListingFactory(company=company, published_ago=timedelta(days=22))
    Listing.objects.filter(pk=idle.pk).update(updated_at=timezone.now() - timedelta(days=22))
    assert freshness.ask_freshness() == 1
    assert freshness.ask_freshness(now=timezone.now() + timedelta(days=10)) == 0


def test_renew_link_works_once(expiring):
    before = expiring.expires_at
    url = path_of(freshness.url_for(expiring, "renew"))
    client = Client()
    page = client.get(url)
    assert page.status_code == 200 and "Oui, toujours d" in page.content.decode()
    expiring.refresh_from_db()
    assert expiring.expires_at == before  # opening the link alone changes nothing
    assert client.post(url).status_code == 200
    expiring.refresh_from_db()
    assert expiring.expires_at > before + timedelta(days=30)
    # Reused: the listing changed since, the link does nothing.
    assert client.post(url).status_code == 410
    renewed_until = expiring.expires_at
    expiring.refresh_from_db()
    assert expiring.expires_at == renewed_until


def test_fulfil_link_marks_it_fulfilled_once(expiring):
    url = path_of(freshness.url_for(expiring, "fulfil"))
    renew = path_of(freshness.url_for(expiring, "renew"))
    assert Client().post(url).status_code == 200
    expiring.refresh_from_db()
    assert expiring.status == "fulfilled"
    assert Client().post(url).status_code == 410
    assert Client().post(renew).status_code == 410  # the other answer is spent too
    expiring.refresh_from_db()
    assert expiring.status == "fulfilled"


def test_expired_link_is_refused(expiring, settings):
    url = path_of(freshness.url_for(expiring, "renew"))
    settings.FRESHNESS_LINK_DAYS = -1
    response = Client().post(url)
    assert response.status_code == 410 and "expiré" in response.content.decode()
    expiring.refresh_from_db()
    assert expiring.expires_at < timezone.now() + timedelta(days=6)


def test_tampered_link_is_refused(expiring, other_company):
    other = factories.ListingFactory(company=other_company)
    token = freshness.token_for(expiring, "renew")
    forged = signing.dumps({"l": other.pk, "a": "fulfil", "e": 0}, salt="autre")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "n-importe"):
        response = Client().post(f"/annonces/actualite/{bad}/")
        assert response.status_code == 400
    other.refresh_from_db()
    assert other.status == "published"
