"""Notification preferences honoured by matching's e-mails: new matches at once, as a daily
digest or never; the saved-search digest daily, weekly or never."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from bourse.listings.models import Listing
from bourse.listings.signals import listing_published
from bourse.matching import services as matching
from bourse.matching.models import SavedSearchHit
from bourse.notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


# --- Matches: at once, daily digest, never ----------------------------------------------------
@pytest.fixture
def trio(company):
    """Three members of the need's company: at once, daily digest, never."""
    users = [factories.MembershipFactory(company=company).user for _ in range(3)]
    for person, choice in zip(users, ["instant", "daily", "never"], strict=True):
        User.objects.filter(pk=person.pk).update(
            match_emails=choice, match_digest_until=timezone.now() - timedelta(hours=1)
        )
    return users


def publish(listing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        listing_published.send(sender=Listing, listing_id=listing.pk)


def test_match_emails_follow_each_members_choice(
    need, offer, trio, django_capture_on_commit_callbacks
):
    instant, daily, never = trio
    publish(offer, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(company=need.company, kind="match").count() == 1
    mine = [m for m in mail.outbox if m.to[0] in {u.email for u in trio}]
    assert [m.to[0] for m in mine] == [instant.email]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert matching.match_digest_send() == 1
    [digest] = mail.outbox
    assert digest.to == [daily.email]
    assert "1 nouvelle suggestion pour vos annonces" in digest.subject
    assert offer.title in digest.body
    assert f"/annonces/{offer.pk}/" in digest.body

    # The next day's digest does not repeat it.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert matching.match_digest_send(now=timezone.now() + timedelta(days=1)) == 0
    assert mail.outbox == []


def test_the_daily_match_digest_is_a_scheduled_job():
    from bourse.core.schedule import autodiscover

    jobs = autodiscover()
    assert jobs["matching.match_digest"].every == timedelta(days=1)
    assert jobs["matching.saved_search_weekly_digest"].every == timedelta(days=7)


# --- Saved-search digest: daily, weekly, never ------------------------------------------------
def test_saved_search_digest_daily_weekly_never(
    company, family, offer, django_capture_on_commit_callbacks
):
    daily, weekly, never = (factories.MembershipFactory(company=company).user for _ in range(3))
    User.objects.filter(pk=weekly.pk).update(saved_search_digest="weekly")
    User.objects.filter(pk=never.pk).update(saved_search_digest="never")
    matching.saved_search_create(
        company=company,
        by=daily,
        name="Entrepôts autour de Lyon",
        q="entrepôts quai",
        kind="offer",
        category=family[0],
        postal_code="69002",
        latitude=45.76,
        longitude=4.83,
        radius_km=100,
    )
    publish(offer, django_capture_on_commit_callbacks)
    assert SavedSearchHit.objects.count() == 1

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_saved_search_digest", stdout=io.StringIO())
    assert [m.to[0] for m in mail.outbox] == [daily.email]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert matching.saved_search_weekly_send() == 1
        # The same week again: nothing twice.
        matching.saved_search_weekly_send()
    [weekly_mail] = mail.outbox
    assert weekly_mail.to == [weekly.email]
    assert offer.title in weekly_mail.body

    # A week later the hit is old news.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert matching.saved_search_weekly_send(now=timezone.now() + timedelta(days=8)) == 0
