"""The demo matches the demo listings it created, among demo companies, in the app only."""

import io
import random

from django.core import mail

from bourse.demo import matching as demo
from bourse.matching.models import Match, SavedSearch
from bourse.notifications.models import Notification
from tests import factories


def test_demo_matches_its_own_listings_among_demo_companies_without_email(
    need, other_company, family, django_capture_on_commit_callbacks
):
    factories.MembershipFactory(company=need.company)
    factories.MembershipFactory(company=other_company)
    offer = factories.ListingFactory(
        company=other_company,
        kind="offer",
        category=family[1],
        postal_code="69003",
        title="Entrepôt pour palettes",
        description="200 m2 avec quai de chargement.",
    )
    # A company registered by hand offers the same thing next door: never matched here.
    hand_made = factories.ListingFactory(kind="offer", category=family[1], postal_code="69002")
    companies = [need.company, other_company]
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(random.Random(1), io.StringIO(), companies=companies, listings=[need, offer])
    assert Match.objects.count() == 1
    assert Match.objects.get().notified_at is not None
    assert Notification.objects.filter(kind="match").count() == 2
    assert not Notification.objects.filter(company=hand_made.company).exists()
    searches = SavedSearch.objects.count()
    assert searches >= 1
    assert not SavedSearch.objects.exclude(company__in=companies).exists()

    # A second run (which created no listing) matches nothing.
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(random.Random(1), io.StringIO(), companies=companies, listings=[])
    assert Match.objects.count() == 1
    assert Notification.objects.filter(kind="match").count() == 2
    assert SavedSearch.objects.count() == searches
    assert mail.outbox == []
