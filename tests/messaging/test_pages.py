from datetime import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Company
from messaging import services
from messaging.models import Conversation, Message, ReadMark
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_inbox_lists_conversations_with_unread_badge(conversation, owner, writer, listing):
    page = logged_in(owner).get("/messages/")
    assert page.status_code == 200
    html = page.content.decode()
    assert writer.membership.company.name in html
    assert listing.title in html
    assert "Bonjour, votre chariot est-il disponible ?" in html
    assert "data-unread>1</span>" in html


def test_inbox_redirects_anonymous_to_login(client):
    response = client.get("/messages/")
    assert response.status_code == 302
    assert "/comptes/login/" in response["Location"]


def test_nav_shows_the_unread_total(conversation, owner, writer):
    html = logged_in(owner).get("/messages/").content.decode()
    assert '<span class="badge" data-unread-total>1</span>' in html
    html = logged_in(writer).get("/messages/").content.decode()
    assert '<span class="badge" data-unread-total hidden>0</span>' in html


def test_unread_total_endpoint(conversation, owner, client):
    assert logged_in(owner).get("/messages/non-lus/").json() == {"total": 1, "notifications": 0}
    assert client.get("/messages/non-lus/").status_code == 401


def test_opening_the_conversation_marks_it_read(conversation, owner, company):
    page = logged_in(owner).get(f"/messages/{conversation.pk}/")
    assert page.status_code == 200
    mark = ReadMark.objects.get(conversation=conversation, company=company)
    assert mark.last_read_message_id == conversation.messages.get().pk
    assert logged_in(owner).get("/messages/non-lus/").json() == {"total": 0, "notifications": 0}


def test_message_bodies_are_escaped_in_the_page(conversation, owner, writer):
    services.message_send(conversation=conversation, by=writer, body='<script>alert("x")</script>')
    html = logged_in(owner).get(f"/messages/{conversation.pk}/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")</script>' not in html


def test_plain_form_post_sends_and_a_resubmission_is_not_a_duplicate(conversation, owner):
    client = logged_in(owner)
    data = {"body": "Envoyé sans JavaScript", "client_id": "form-1"}
    response = client.post(f"/messages/{conversation.pk}/", data)
    assert response.status_code == 302
    message = Message.objects.get(body="Envoyé sans JavaScript")
    assert response["Location"].endswith(f"/messages/{conversation.pk}/#m{message.pk}")
    client.post(f"/messages/{conversation.pk}/", data)
    assert Message.objects.filter(body="Envoyé sans JavaScript").count() == 1


def test_empty_message_shows_a_french_error(conversation, owner):
    response = logged_in(owner).post(f"/messages/{conversation.pk}/", {"body": "   "})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()


def test_too_long_message_keeps_the_text(conversation, owner):
    text = "y" * 5001
    response = logged_in(owner).post(f"/messages/{conversation.pk}/", {"body": text})
    html = response.content.decode()
    assert response.status_code == 200
    assert "5000" in html and text in html
    assert conversation.messages.count() == 1


def test_conversation_page_shows_lu_when_the_partner_read(conversation, owner, writer):
    mine, _ = services.message_send(conversation=conversation, by=owner, body="Réponse")
    services.mark_read(conversation=conversation, by=writer, up_to=mine.pk)
    html = logged_in(owner).get(f"/messages/{conversation.pk}/").content.decode()
    assert f'id="m{mine.pk}"' in html
    fragment = html.split(f'id="m{mine.pk}"')[1].split("</li>")[0]
    assert "data-read>" in fragment  # not hidden


def test_older_messages_are_paged(conversation, owner, company):
    Message.objects.bulk_create(
        [
            Message(conversation=conversation, sender=owner, company=company, body=f"vieux {i}")
            for i in range(60)
        ]
    )
    html = logged_in(owner).get(f"/messages/{conversation.pk}/").content.decode()
    assert "vieux 59" in html and "vieux 5<" not in html
    assert "Messages précédents" in html


def test_suspended_company_sees_the_conversation_without_form(conversation, writer, other_company):
    other_company.status = Company.Status.SUSPENDED
    other_company.save()
    client = logged_in(writer)
    html = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert "data-chat-form" not in html
    assert "vérifiée" in html
    assert client.post(f"/messages/{conversation.pk}/", {"body": "x"}).status_code == 403


def test_start_page_opens_a_conversation(listing, writer):
    client = logged_in(writer)
    page = client.get(f"/messages/contacter/{listing.pk}/")
    assert page.status_code == 200
    assert "<h1>Contacter l'entreprise</h1>" in page.content.decode()
    response = client.post(
        f"/messages/contacter/{listing.pk}/", {"body": "Premier message", "client_id": "s1"}
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{conversation.pk}/"
    # Reopening the same page offers the existing conversation; the message is added to it.
    assert (
        "Voir la conversation" in client.get(f"/messages/contacter/{listing.pk}/").content.decode()
    )
    client.post(f"/messages/contacter/{listing.pk}/", {"body": "Deuxième", "client_id": "s2"})
    assert Conversation.objects.count() == 1
    assert conversation.messages.count() == 2


def test_start_page_refuses_own_listing_and_pending_companies(listing, owner):
    html = logged_in(owner).get(f"/messages/contacter/{listing.pk}/").content.decode()
    assert "C&#x27;est une annonce de votre entreprise." in html
    assert "<textarea" not in html
    pending = factories.MembershipFactory(
        company=factories.CompanyFactory(status=Company.Status.PENDING)
    ).user
    response = logged_in(pending).post(f"/messages/contacter/{listing.pk}/", {"body": "Hop"})
    assert response.status_code == 403
    assert not Conversation.objects.exists()


def test_start_page_for_a_listing_that_is_not_published(listing, writer):
    listing.status = "draft"
    listing.save()
    html = logged_in(writer).get(f"/messages/contacter/{listing.pk}/").content.decode()
    assert "pas publiée" in html


def test_message_dates_name_the_month_in_french(conversation, owner):
    november = timezone.make_aware(datetime(2026, 11, 25, 21, 9), timezone.get_default_timezone())
    conversation.messages.update(created_at=november)
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=november)
    client = logged_in(owner)
    html = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert ">25 novembre, 21:09</time>" in html
    assert "Nov" not in html
    inbox = client.get("/messages/").content.decode()
    assert ">25 novembre 2026, 21:09</time>" in inbox
    assert "Nov" not in inbox
