"""'Signaler' on the partner's messages: the report opens the conversation to the moderation."""

import html as htmllib
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from bourse.moderation.models import Report
from messaging import services
from tests import factories

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a class="report-link small" href="([^"]+)"')


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def message_fragment(page_html: str, message) -> str:
    return page_html.split(f'id="m{message.pk}"')[1].split("</li>")[0]


def report_links(fragment: str) -> list[str]:
    return [htmllib.unescape(href) for href in LINK.findall(fragment)]


def test_report_link_is_on_the_partners_messages_not_on_ones_own(conversation, owner, writer):
    theirs = conversation.messages.get()
    mine, _ = services.message_send(conversation=conversation, by=owner, body="Oui, il l'est.")
    page = logged_in(owner).get(f"/messages/{conversation.pk}/").content.decode()
    [href, person_href] = report_links(message_fragment(page, theirs))
    assert dict(parse_qsl(urlsplit(href).query)) == {
        "target_type": "message",
        "target_id": str(theirs.pk),
        "next": f"/messages/{conversation.pk}/",
    }
    # The sender can be reported too (a person, not only what they wrote).
    assert dict(parse_qsl(urlsplit(person_href).query)) == {
        "target_type": "user",
        "target_id": str(theirs.sender_id),
        "next": f"/messages/{conversation.pk}/",
    }
    assert report_links(message_fragment(page, mine)) == []
    assert 'data-report-url="/moderation/signaler/"' in page

    # The other side sees the mirror image.
    page = logged_in(writer).get(f"/messages/{conversation.pk}/").content.decode()
    assert report_links(message_fragment(page, theirs)) == []
    assert len(report_links(message_fragment(page, mine))) == 2


def test_reporting_a_message_opens_the_conversation_read_only_to_the_territory_moderator(
    conversation, owner
):
    moderator = factories.ModeratorFactory(departements=[conversation.listing.departement]).user
    other_territory = factories.ModeratorFactory(departements=["75"]).user
    assert logged_in(moderator).get(f"/messages/{conversation.pk}/").status_code == 404

    theirs = conversation.messages.get()
    client = logged_in(owner)
    page = client.get(f"/messages/{conversation.pk}/").content.decode()
    [href, _person_href] = report_links(message_fragment(page, theirs))
    form_page = client.get(href)
    assert form_page.status_code == 200
    assert f'value="{theirs.pk}"' in form_page.content.decode()
    data = dict(parse_qsl(urlsplit(href).query), reason="Il demande un acompte en espèces.")
    response = client.post(urlsplit(href).path, data)
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{conversation.pk}/"
    report = Report.objects.get()
    assert (report.target_type, report.target_id) == ("message", theirs.pk)

    read = logged_in(moderator).get(f"/messages/{conversation.pk}/")
    assert read.status_code == 200
    html = read.content.decode()
    assert "lecture seule" in html
    assert "data-chat-form" not in html
    assert "report-link" not in html and "data-report-url" not in html
    assert logged_in(other_territory).get(f"/messages/{conversation.pk}/").status_code == 404


def test_a_suspended_company_gets_no_report_link(conversation, owner, company):
    company.status = company.Status.SUSPENDED
    company.save()
    page = logged_in(owner).get(f"/messages/{conversation.pk}/").content.decode()
    assert "report-link" not in page
