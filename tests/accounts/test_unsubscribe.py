"""One-click unsubscribe links (RFC 8058): in the e-mail's text and headers, no login needed,
single purpose, valid once; tampered links change nothing."""

import base64
import json
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from accounts import unsubscribe
from accounts.models import User
from bourse.notifications.services import email_company_members
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(company):
    return factories.MembershipFactory(company=company).user


def match_email(company, django_capture_on_commit_callbacks, key="match:1"):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        email_company_members(
            company=company, key=key, subject="Nouvelle suggestion", body="…", kind="match"
        )
    [message] = mail.outbox
    return message


def link_of(message) -> str:
    return message.extra_headers["List-Unsubscribe"].strip("<>")


def test_match_email_carries_the_link_in_text_and_headers(
    company, person, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://bourse.example.fr"
    message = match_email(company, django_capture_on_commit_callbacks)
    url = link_of(message)
    assert url.startswith("https://bourse.example.fr/desabonnement/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Pour ne plus recevoir ces e-mails, en un clic : {url}" in message.body
    # The headers survive into the message as sent.
    sent = message.message()
    assert sent["List-Unsubscribe"] == f"<{url}>"


def test_a_status_email_has_no_link(company, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_company_members(company=company, key="status:1", subject="Vérifiée", body="…")
    [message] = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_valid_link_turns_off_that_preference_only_without_login(
    company, person, client, django_capture_on_commit_callbacks
):
    url = link_of(match_email(company, django_capture_on_commit_callbacks))
    response = client.get(path_of(url))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vous ne recevrez plus les e-mails de nouvelles suggestions" in page
    assert "Mes e-mails et notifications" in page  # how to turn them back on
    person.refresh_from_db()
    assert person.match_emails == "never"
    assert (person.message_reminders, person.saved_search_digest) == (True, "daily")
    # And no e-mail of a new match any more.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        email_company_members(company=company, key="match:2", subject="x", body="y", kind="match")
    assert mail.outbox == []


def test_mail_clients_one_click_post_needs_no_cookie_nor_csrf(company, person):
    url = unsubscribe.url_for(person, "message_reminders")
    response = Client(enforce_csrf_checks=True).post(
        path_of(url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.message_reminders is False


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: t.replace(t.split(":")[0], t.split(":")[0][::-1]),  # payload changed
        lambda t: "n'importe-quoi",
    ],
)
def test_tampered_link_changes_nothing(person, client, tamper):
    token = unsubscribe.token_for(person, "match_emails")
    response = client.get(f"/desabonnement/{tamper(token)}/")
    assert response.status_code == 400
    assert "Lien invalide" in response.content.decode()
    person.refresh_from_db()
    assert person.match_emails == "instant"


def test_a_link_for_someone_else_cannot_be_forged(person, company):
    other = factories.MembershipFactory(company=company).user
    token = unsubscribe.token_for(person, "match_emails")
    payload = json.loads(base64.urlsafe_b64decode(token.split(":")[0] + "=="))
    payload["u"] = other.pk
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    assert unsubscribe.unsubscribe(forged + ":" + token.split(":", 1)[1]).status == "invalid"
    other.refresh_from_db()
    assert other.match_emails == "instant"


def test_reused_link_changes_nothing_even_after_turning_back_on(person, client):
    path = path_of(unsubscribe.url_for(person, "saved_search_digest"))
    assert client.get(path).status_code == 200
    person.refresh_from_db()
    assert person.saved_search_digest == "never"

    again = client.get(path)
    assert again.status_code == 410
    assert "Ce lien a déjà servi" in again.content.decode()

    # Turned back on from the account page: the old link still does nothing.
    client.force_login(person)
    client.post(
        "/mon-compte/preferences/",
        {
            "match_emails": "instant",
            "message_reminders": "on",
            "saved_search_digest": "weekly",
            "language": "fr",
        },
    )
    client.logout()
    assert client.get(path).status_code == 410
    person.refresh_from_db()
    assert person.saved_search_digest == "weekly"
    # A new e-mail's link works again.
    assert (
        client.get(path_of(unsubscribe.url_for(person, "saved_search_digest"))).status_code == 200
    )
    assert User.objects.get(pk=person.pk).saved_search_digest == "never"


def test_a_changed_preference_retires_the_links_sent_before(person, client_for, client):
    path = path_of(unsubscribe.url_for(person, "match_emails"))
    client_for(person).patch("/api/v1/me/preferences/", {"match_emails": "daily"}, format="json")
    assert client.get(path).status_code == 410
    person.refresh_from_db()
    assert person.match_emails == "daily"
