"""Notification preferences: the API, the account page's section, and every e-mail honouring
them (matches at once / daily digest / never, unread-message reminders, saved-search digest
daily / weekly / never)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Membership, User
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
