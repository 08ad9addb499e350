"""People are named by their names wherever they appear, never by their e-mail."""

import pytest
from django.test import Client
from django.urls import reverse

from messaging.events import message_payload
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def claire(company):
    user = factories.UserFactory(
        email="claire.martin@transports-martin.fr",
        first_name="Claire",
        last_name="Martin",
        job_title="Gérante",
    )
    factories.MembershipFactory(user=user, company=company, role="admin")
    return user


def test_display_name_is_the_name_and_never_the_e_mail(claire, company):
    assert claire.display_name == "Claire Martin"
    assert claire.display_name_with_company == f"Claire Martin ({company.name})"
    nameless = factories.UserFactory(email="jdupont@exemple.fr", first_name="", last_name="")
    assert nameless.display_name == f"Membre n° {nameless.pk}"
    assert "jdupont" not in nameless.display_name_with_company


def test_chat_inbox_and_socket_events_name_the_sender(claire, company, other_company):
    writer = factories.MembershipFactory(
        company=other_company, user__first_name="Paul", user__last_name="Girard"
    ).user
    conversation = factories.ConversationFactory(
        listing=factories.ListingFactory(company=company), other_company=other_company
    )
    message = factories.MessageFactory(
        conversation=conversation, sender=writer, body="Votre chariot est-il libre ?"
    )
    html = logged_in(claire).get(f"/messages/{conversation.pk}/").content.decode()
    assert "Paul Girard" in html and writer.email.split("@")[0] not in html
    html = logged_in(claire).get("/messages/").content.decode()
    assert "Paul Girard : Votre chariot est-il libre ?" in html
    assert message_payload(message)["sender"] == {"id": writer.pk, "name": "Paul Girard"}


def test_members_page_shows_names_and_job_titles(claire, company):
    colleague = factories.MembershipFactory(
        company=company, user__first_name="Lucie", user__last_name="Morel", user__job_title=""
    ).user
    html = logged_in(claire).get("/entreprise/").content.decode()
    assert "Claire Martin" in html and "Gérante" in html and "Lucie Morel" in html
    html = logged_in(colleague).get(f"/entreprises/{company.pk}/").content.decode()
    assert "<strong>Claire Martin</strong>, Gérante" in html


def test_moderators_see_names_on_reports_and_the_call_list(claire, company):
    moderator = factories.ModeratorFactory(
        departements=["69"], user__first_name="Mathilde", user__last_name="Garnier"
    ).user
    factories.ReportFactory(target_type="user", target_id=claire.pk, departement="69")
    html = logged_in(moderator).get(reverse("moderation:reports")).content.decode()
    assert "Claire Martin" in html and "claire.martin@" not in html


def test_the_call_list_names_the_contact_and_shows_the_phone_the_french_way(company):
    from datetime import timedelta

    author = factories.MembershipFactory(
        company=company, user__first_name="Claire", user__last_name="Martin"
    ).user
    author.phone = "+33612345678"
    author.save(update_fields=["phone"])
    factories.ListingFactory(
        company=company, created_by=author, kind="need", published_ago=timedelta(days=10)
    )
    moderator = factories.ModeratorFactory(departements=["69"]).user
    html = (
        logged_in(moderator)
        .get(reverse("moderation:unanswered"), {"departement": "69"})
        .content.decode()
    )
    assert "Claire Martin" in html and "06 12 34 56 78" in html


def test_the_moderation_log_names_a_person_with_their_company(claire, company):
    from django.db import transaction

    from bourse.moderation.models import AuditLogEntry

    moderator = factories.ModeratorFactory(
        departements=["69"], user__first_name="Mathilde", user__last_name="Garnier"
    ).user
    with transaction.atomic():
        AuditLogEntry.objects.record(
            actor=moderator,
            action="report.resolve",
            target_type="user",
            target_id=claire.pk,
            departement="69",
        )
    html = logged_in(moderator).get(reverse("moderation:log")).content.decode()
    assert "Mathilde Garnier" in html
    assert f"personne « Claire Martin ({company.name}) »" in html
