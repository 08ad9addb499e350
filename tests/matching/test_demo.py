"""The demo loader matches the demo listings once, in the app only (no e-mail)."""

import io
import random

from django.core import mail

from bourse.matching import demo
from bourse.matching.models import Match, SavedSearch
from bourse.notifications.models import Notification
from tests import factories


def test_demo_load_is_idempotent_and_sends_no_email(
    need, other_company, family, django_capture_on_commit_callbacks
):
    factories.MembershipFactory(company=need.company)
    factories.MembershipFactory(company=other_company)
    factories.ListingFactory(
        company=other_company,
        kind="offer",
        category=family[1],
        postal_code="69003",
        title="Entrepôt pour palettes",
        description="200 m2 avec quai de chargement.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(random.Random(1), io.StringIO())
    matches = Match.objects.count()
    notes = Notification.objects.filter(kind="match").count()
    searches = SavedSearch.objects.count()
    assert matches == 1 and notes == 2 and searches >= 1
    assert Match.objects.get().notified_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(random.Random(1), io.StringIO())
    assert Match.objects.count() == matches
    assert Notification.objects.filter(kind="match").count() == notes
    assert SavedSearch.objects.count() == searches
    assert mail.outbox == []
