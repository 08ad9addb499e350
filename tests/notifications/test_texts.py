"""Notifications and their e-mails are written in the reader's language when read or sent,
whatever the language active when they were created."""

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from accounts.models import User
from bourse.moderation import services as moderation
from bourse.notifications.models import Notification
from bourse.notifications.texts import plural, render, text
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_company(db):
    return factories.CompanyFactory(status="pending", name="Froid Services du Rhône")


@pytest.fixture
def readers(pending_company):
    """Two members of the company: one reads French, the other English."""
    french = factories.MembershipFactory(company=pending_company).user
    english = factories.MembershipFactory(company=pending_company, role="member").user
    User.objects.filter(pk=english.pk).update(language="en")
    return french, english


def verify(company, moderator, django_capture_on_commit_callbacks, *, language="fr"):
    with translation.override(language), django_capture_on_commit_callbacks(execute=True):
        moderation.company_verify(company=company, by=moderator)


@pytest.mark.parametrize("created_in", ["fr", "en"])
def test_each_member_gets_the_email_in_their_language(
    pending_company, readers, moderator, django_capture_on_commit_callbacks, created_in
):
    french, english = readers
    verify(pending_company, moderator, django_capture_on_commit_callbacks, language=created_in)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert "Votre entreprise est vérifiée" in by_recipient[french.email].subject
    assert "Froid Services du Rhône a été vérifiée par un conseiller CCI" in (
        by_recipient[french.email].body
    )
    assert "Your company is verified" in by_recipient[english.email].subject
    assert "Votre entreprise" not in by_recipient[english.email].body


@pytest.mark.parametrize("created_in", ["fr", "en"])
def test_the_api_and_the_page_show_the_readers_language(
    pending_company,
    readers,
    moderator,
    client_for,
    client,
    django_capture_on_commit_callbacks,
    created_in,
):
    french, _english = readers
    verify(pending_company, moderator, django_capture_on_commit_callbacks, language=created_in)
    api = client_for(french)
    [fr_item] = api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="fr").json()["results"]
    [en_item] = api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert fr_item["title"] == "Votre entreprise est vérifiée"
    assert en_item["title"] == "Your company is verified"
    assert "Froid Services du Rhône" in en_item["body"]

    client.force_login(french)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Your company is verified" in client.get("/notifications/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Votre entreprise est vérifiée" in client.get("/notifications/").content.decode()


def test_a_row_from_before_keeps_its_stored_text(company):
    note = Notification.objects.create(company=company, kind="match", title="Ancien titre")
    with translation.override("en"):
        assert note.shown_title == "Ancien titre"


def test_plural_and_parameters_in_both_languages():
    one = plural(
        "Nouvelle annonce pour votre recherche %(names)s",
        "Nouvelle annonce pour vos recherches %(names)s",
        1,
        names="« Froid »",
    )
    two = {**one, "count": 2, "params": {**one["params"], "count": 2}}
    with translation.override("fr"):
        assert render(one) == "Nouvelle annonce pour votre recherche « Froid »"
        assert render(two) == "Nouvelle annonce pour vos recherches « Froid »"
    with translation.override("en"):
        assert render(one) == "New listing for your search « Froid »"
        assert render(two).startswith("New listing for your searches")


def test_a_broken_translation_falls_back_to_the_source_text(monkeypatch):
    spec = text("Annonce publiée : %(title)s", title="Chambre froide")
    monkeypatch.setattr(
        "bourse.notifications.texts.gettext", lambda msgid: "Published: %(missing)s"
    )
    assert render(spec) == "Annonce publiée : Chambre froide"
