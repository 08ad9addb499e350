"""A company verified less than NEW_COMPANY_DAYS ago opens a limited number of new conversations
a day: 429 in the API, a French message on the page; messages in its existing conversations
are never counted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import services
from messaging.models import Conversation, Message
from tests import factories

pytestmark = pytest.mark.django_db

CONVERSATIONS = "/api/v1/conversations/"


@pytest.fixture(autouse=True)
def _two_a_day(settings):
    settings.NEW_COMPANY_DAYS = 7
    settings.NEW_COMPANY_CONVERSATIONS_PER_DAY = 2


@pytest.fixture
def listings(company):
    return [factories.ListingFactory(company=company, title=f"Palette {i}") for i in range(3)]


def _verified(company, days_ago: float) -> None:
    company.status_changed_at = timezone.now() - timedelta(days=days_ago)
    company.save(update_fields=["status_changed_at"])


def test_api_new_company_gets_429_on_the_conversation_past_the_limit(
    client_for, listings, writer, other_company
):
    _verified(other_company, 2)
    client = client_for(writer)
    for listing in listings[:2]:
        response = client.post(CONVERSATIONS, {"listing": listing.pk, "body": "Bonjour"})
        assert response.status_code == 201, response.content
    refused = client.post(CONVERSATIONS, {"listing": listings[2].pk, "body": "Bonjour"})
    assert refused.status_code == 429
    assert "au plus 2 nouvelles conversations par jour" in refused.json()["detail"]
    # The first conversation leaves the 24-hour window in a little under a day.
    assert 23 * 3600 < int(refused["Retry-After"]) <= 24 * 3600 + 1
    assert Conversation.objects.filter(other_company=other_company).count() == 2
    assert not Conversation.objects.filter(listing=listings[2]).exists()


def test_messages_in_existing_conversations_are_not_counted(
    client_for, listings, writer, other_company
):
    _verified(other_company, 2)
    client = client_for(writer)
    first = client.post(CONVERSATIONS, {"listing": listings[0].pk, "body": "Bonjour"}).json()
    client.post(CONVERSATIONS, {"listing": listings[1].pk, "body": "Bonjour"})
    # At the limit: writing again about the same listing reuses the conversation (200)...
    again = client.post(CONVERSATIONS, {"listing": listings[0].pk, "body": "Toujours là ?"})
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    # ... and so does a message sent in it.
    sent = client.post(f"/api/v1/conversations/{first['id']}/messages/", {"body": "Merci"})
    assert sent.status_code == 201, sent.content
    assert Message.objects.filter(conversation_id=first["id"]).count() == 3


def test_company_verified_long_ago_is_not_limited(client_for, listings, writer, other_company):
    _verified(other_company, 8)
    client = client_for(writer)
    for listing in listings:
        response = client.post(CONVERSATIONS, {"listing": listing.pk, "body": "Bonjour"})
        assert response.status_code == 201, response.content


def test_conversations_older_than_a_day_free_their_place(listings, writer, other_company):
    _verified(other_company, 3)
    services.conversation_start(listing=listings[0], by=writer, body="Bonjour")
    services.conversation_start(listing=listings[1], by=writer, body="Bonjour")
    with pytest.raises(services.NewCompanyLimit):
        services.conversation_start(listing=listings[2], by=writer, body="Bonjour")
    Conversation.objects.filter(listing=listings[0]).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    _conversation, created = services.conversation_start(
        listing=listings[2], by=writer, body="Bonjour"
    )
    assert created


def test_page_shows_the_limit_in_french(client, listings, writer, other_company):
    _verified(other_company, 1)
    client.force_login(writer)
    for listing in listings[:2]:
        response = client.post(f"/messages/contacter/{listing.pk}/", {"body": "Bonjour"})
        assert response.status_code == 302
    refused = client.post(f"/messages/contacter/{listings[2].pk}/", {"body": "Bonjour"})
    assert refused.status_code == 429
    content = refused.content.decode()
    assert "vérifiée il y a moins de 7 jours" in content
    assert "au plus 2 nouvelles conversations par jour" in content
    assert not Conversation.objects.filter(listing=listings[2]).exists()
