"""Notification preferences: the API, the account page's section, and every e-mail honouring
them (matches at once / daily digest / never, unread-message reminders, saved-search digest
daily / weekly / never)."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Membership, User
from bourse.listings.models import Listing
from bourse.listings.signals import listing_published
from bourse.matching import services as matching
from bourse.matching.models import SavedSearchHit
from bourse.notifications.models import Notification
from messaging.models import Message
from messaging.reminders import send_message_reminders
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/preferences/"
DEFAULTS = {
    "match_emails": "instant",
    "message_reminders": True,
    "saved_search_digest": "daily",
    "language": "fr",
}


# --- API --------------------------------------------------------------------------------------
def test_api_reads_the_defaults_and_patches_some(user, client_for):
    client = client_for(user)
    assert client.get(URL).json() == DEFAULTS
    response = client.patch(URL, {"match_emails": "daily", "language": "en"}, format="json")
    assert response.status_code == 200
    assert response.json() == {**DEFAULTS, "match_emails": "daily", "language": "en"}
    user.refresh_from_db()
    assert (user.match_emails, user.language, user.message_reminders) == ("daily", "en", True)
    assert user.match_digest_until is not None  # the first digest starts from now


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("match_emails", "weekly"),
        ("saved_search_digest", "hourly"),
        ("language", "de"),
        ("message_reminders", "peut-être"),
    ],
)
def test_api_refuses_an_unknown_value_naming_the_field(user, client_for, field, value):
    response = client_for(user).patch(URL, {field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    user.refresh_from_db()
    assert getattr(user, field) == DEFAULTS[field]


def test_api_needs_a_login(api_client):
    assert api_client.get(URL).status_code in (401, 403)
    assert api_client.patch(URL, {"language": "en"}, format="json").status_code in (401, 403)


# --- Account page -----------------------------------------------------------------------------
def test_account_page_shows_and_saves_the_preferences(user, client):
    client.force_login(user)
    page = client.get("/mon-compte/").content.decode()
    assert "Mes e-mails et notifications" in page
    assert 'name="match_emails"' in page and 'value="daily"' in page
    response = client.post(
        "/mon-compte/preferences/",
        {"match_emails": "never", "saved_search_digest": "weekly", "language": "fr"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    # An unticked box is "no reminders".
    assert (user.match_emails, user.saved_search_digest, user.message_reminders) == (
        "never",
        "weekly",
        False,
    )
    assert (
        "préférences de notification ont été enregistrées"
        in client.get("/mon-compte/").content.decode()
    )


def test_account_page_refuses_a_bad_value_in_french(user, client):
    client.force_login(user)
    response = client.post(
        "/mon-compte/preferences/",
        {"match_emails": "weekly", "saved_search_digest": "daily", "language": "fr"},
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    user.refresh_from_db()
    assert user.match_emails == "instant"


# --- Matches: at once, daily digest, never ----------------------------------------------------
@pytest.fixture
def offer(other_company, family):
    return factories.ListingFactory(
        company=other_company,
        kind="offer",
        category=family[1],
        radius_km=80,
        title="Entrepôt avec quai, place pour 300 palettes",
        description="Entrepôt sec, quai de chargement, accès poids lourds.",
    )


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
    assert "1 nouvelle correspondance pour vos annonces" in digest.subject
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


# --- Unread-message reminders -----------------------------------------------------------------
def test_reminders_skip_members_who_turned_them_off(
    company, other_company, family, django_capture_on_commit_callbacks
):
    from messaging import services as messaging

    keen = factories.MembershipFactory(company=company).user
    quiet = factories.MembershipFactory(company=company).user
    User.objects.filter(pk=quiet.pk).update(message_reminders=False)
    writer = factories.MembershipFactory(company=other_company).user
    listing = factories.ListingFactory(company=company, kind="offer", category=family[1])
    conversation, _created = messaging.conversation_start(
        listing=listing, by=writer, body="Bonjour, disponible ?"
    )
    Message.objects.filter(conversation=conversation).update(
        created_at=timezone.now() - timedelta(minutes=11)
    )
    Membership.objects.update(joined_at=timezone.now() - timedelta(days=30))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_message_reminders() == 1
    assert [m.to[0] for m in mail.outbox] == [keen.email]


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
