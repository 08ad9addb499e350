"""RGPD on the web page: "Télécharger mes données" lists the messages the user sent, like the
API export (the page's request.user is a lazy object, which the export once did not see
through)."""

import json

import pytest

from messaging import services as messaging_services
from tests import factories

pytestmark = pytest.mark.django_db


def test_web_export_lists_the_messages_the_user_sent(
    client, company, company_admin, other_company, other_admin
):
    listing = factories.ListingFactory(company=company)
    conversation, _created = messaging_services.conversation_start(
        listing=listing, by=other_admin, body="Bonjour, votre chariot est-il disponible ?"
    )
    messaging_services.message_send(
        conversation=conversation, by=company_admin, body="Oui, dès lundi."
    )
    client.force_login(other_admin)

    response = client.get("/mon-compte/export/")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert [m["body"] for m in data["messages_sent"]] == [
        "Bonjour, votre chariot est-il disponible ?"
    ]
    assert data["messages_sent"][0]["conversation"] == conversation.pk
