"""The "still current?" question counts its publication period with the lifetime the listing was
given: CRISIS_LISTING_LIFETIME_DAYS when a crisis covered its département at its publication or
renewal, LISTING_LIFETIME_DAYS otherwise."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bourse.listings import freshness
from bourse.listings.crises import Crisis
from bourse.listings.models import Listing
from tests import factories

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _lifetimes(settings):
    settings.LISTING_LIFETIME_DAYS = 60
    settings.CRISIS_LISTING_LIFETIME_DAYS = 120


def crisis(departements, *, started, ended=None, closed=None) -> Crisis:
    now = timezone.now()
    return Crisis.objects.create(
        title="Crue de la Saône",
        message="Entraide prioritaire.",
        departements=departements,
        starts_at=now - started,
        ends_at=now - ended if ended is not None else None,
        closed_at=now - closed if closed is not None else None,
        opened_by_email="conseiller@cci.fr",
    )


def listing(company, *, published, expires, asked, postal_code="69002", touched=30 * DAY):
    """Published `published` ago, expiring in `expires`, asked `asked` ago, last changed
    `touched` ago (idle: the job asks unless it asked in this period)."""
    made = factories.ListingFactory(
        company=company, postal_code=postal_code, published_ago=published, expires_in=expires
    )
    now = timezone.now()
    Listing.objects.filter(pk=made.pk).update(
        freshness_asked_at=now - asked, updated_at=now - touched
    )
    return made


def asked_about(made) -> bool:
    made.refresh_from_db()
    return made.freshness_asked_at > timezone.now() - timedelta(minutes=1)


def test_a_listing_given_the_crisis_lifetime_is_asked_once_in_its_long_period(
    company, company_admin
):
    crisis(["69"], started=200 * DAY)
    # Published in the crisis 100 days ago for 120 days, asked at day 22 (78 days ago): with
    # the normal 60 days that question would belong to a past period and be asked again.
    long_one = listing(company, published=100 * DAY, expires=20 * DAY, asked=78 * DAY)

    assert freshness.ask_freshness() == 0
    assert not asked_about(long_one)
    assert mail.outbox == []


def test_outside_the_crisis_area_the_normal_period_counts(other_company, other_admin):
    crisis(["69"], started=200 * DAY)
    # Marseille: renewed 40 days ago for 60 days; the question 78 days ago was the last period's.
    marseille = listing(
        other_company, published=100 * DAY, expires=20 * DAY, asked=78 * DAY, postal_code="13001"
    )

    assert freshness.ask_freshness() == 1
    assert asked_about(marseille)


def test_a_crisis_that_began_after_the_renewal_does_not_hide_the_new_period(company, company_admin):
    crisis(["69"], started=2 * DAY)
    # Renewed 5 days ago for the normal 60 days, before the crisis; asked 20 days ago, in the
    # period before. Counting 120 days back from its expiry would skip this period's question.
    renewed = listing(company, published=100 * DAY, expires=55 * DAY, asked=20 * DAY)

    assert freshness.ask_freshness() == 1
    assert asked_about(renewed)


def test_a_listing_published_in_a_crisis_is_asked_in_its_period_once(company, company_admin):
    crisis(["69"], started=200 * DAY)
    fresh = listing(company, published=25 * DAY, expires=95 * DAY, asked=300 * DAY)

    assert freshness.ask_freshness() == 1  # idle for 21 days: asked
    assert freshness.ask_freshness(now=timezone.now() + 90 * DAY) == 0  # expiring: not again
    assert asked_about(fresh)


def test_when_the_crisis_ended_between_both_lifetimes_are_possible_and_it_asks(
    company, company_admin
):
    # The crisis covered the moment 120 days before expiry and ended (closed) before the moment
    # 60 days before it: published in the crisis for 120 days, or renewed after it for 60. The
    # question is asked rather than skipped (at most once more in a long period).
    crisis(["69"], started=200 * DAY, closed=80 * DAY)
    unsure = listing(company, published=100 * DAY, expires=20 * DAY, asked=78 * DAY)

    assert freshness.ask_freshness() == 1
    assert asked_about(unsure)


def test_a_crisis_over_for_longer_than_a_crisis_lifetime_is_not_read(company, company_admin):
    spans_before = freshness.crisis_spans(timezone.now())
    crisis(["69"], started=400 * DAY, ended=200 * DAY)
    still_read = crisis(["42"], started=400 * DAY, ended=100 * DAY)

    spans = freshness.crisis_spans(timezone.now())

    assert spans_before == []
    assert [span.departements for span in spans] == [frozenset(still_read.departements)]
