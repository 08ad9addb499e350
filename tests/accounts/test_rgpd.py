"""RGPD: a user's messages are in their export; deleting the account anonymises them."""

import pytest

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db

messaging_services = pytest.importorskip("messaging.services")


@pytest.fixture
def conversation_with_messages(company, company_admin, other_company, other_admin):
    listing = factories.ListingFactory(company=company)
    conversation, _created = messaging_services.conversation_start(
        listing=listing, by=other_admin, body="Bonjour, votre chariot est-il disponible ?"
    )
    messaging_services.message_send(
        conversation=conversation, by=company_admin, body="Oui, dès lundi."
    )
    return conversation


def test_export_lists_the_messages_the_user_sent(
    client_for, other_admin, conversation_with_messages
):
    data = client_for(other_admin).get("/api/v1/me/export/").json()
    assert [m["body"] for m in data["messages_sent"]] == [
        "Bonjour, votre chariot est-il disponible ?"
    ]
    assert data["messages_sent"][0]["conversation"] == conversation_with_messages.pk


def test_deleting_the_account_keeps_the_messages_without_their_author(
    reauthenticated_client_for, company_admin, other_admin, conversation_with_messages
):
    email = other_admin.email
    assert reauthenticated_client_for(other_admin).delete("/api/v1/me/").status_code == 204
    assert not User.objects.filter(email=email).exists()
    messages = list(conversation_with_messages.messages.order_by("id"))
    assert [m.body for m in messages] == [
        "Bonjour, votre chariot est-il disponible ?",
        "Oui, dès lundi.",
    ]
    assert messages[0].sender_id is None
    assert messages[1].sender_id == company_admin.pk
