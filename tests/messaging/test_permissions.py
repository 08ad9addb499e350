"""Who may read and write a conversation: a matrix over the API and the pages."""

import pytest

from bourse.moderation.models import AuditLogEntry, Report
from messaging import services
from tests import factories

pytestmark = pytest.mark.django_db


def can(client, conversation) -> dict:
    first = conversation.messages.order_by("id").first()
    return {
        "list": client.get(f"/api/v1/conversations/{conversation.pk}/messages/").status_code,
        "page": client.get(f"/messages/{conversation.pk}/").status_code,
        "send": client.post(
            f"/api/v1/conversations/{conversation.pk}/messages/", {"body": "essai"}
        ).status_code,
        "read": client.post(
            f"/api/v1/conversations/{conversation.pk}/read/", {"up_to": first.pk}
        ).status_code,
    }


def web_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


class JsonClient:
    """API calls as JSON, pages as HTML, one logged-in session."""

    def __init__(self, user):
        self.client = web_client(user)

    def get(self, url):
        return self.client.get(url)

    def post(self, url, data):
        return self.client.post(url, data, content_type="application/json")


@pytest.mark.parametrize("who", ["owner", "owner_colleague", "writer", "writer_colleague"])
def test_members_of_both_companies_read_and_write(request, conversation, who):
    user = request.getfixturevalue(who)
    assert can(JsonClient(user), conversation) == {
        "list": 200,
        "page": 200,
        "send": 201,
        "read": 204,
    }


@pytest.mark.parametrize("who", ["outsider", "user", "moderator"])
def test_everyone_else_gets_404(request, conversation, who):
    user = request.getfixturevalue(who)
    assert can(JsonClient(user), conversation) == {
        "list": 404,
        "page": 404,
        "send": 404,
        "read": 404,
    }
    assert conversation.messages.count() == 1


def report_first_message(conversation, reporter):
    return factories.ReportFactory(
        reporter=reporter,
        reporter_company=reporter.membership.company,
        target_type=Report.TargetType.MESSAGE,
        target_id=conversation.messages.order_by("id").first().pk,
        departement=conversation.listing.departement,
        reason="Propos insultants",
    )


def test_moderator_reads_a_reported_conversation_read_only(conversation, owner, moderator):
    report_first_message(conversation, owner)
    assert can(JsonClient(moderator), conversation) == {
        "list": 200,
        "page": 200,
        "send": 403,
        "read": 403,
    }
    assert conversation.messages.count() == 1
    assert AuditLogEntry.objects.filter(
        action=AuditLogEntry.Action.CONVERSATION_READ, target_id=conversation.pk
    ).exists()


def test_moderator_outside_territory_gets_404_even_when_reported(conversation, owner):
    report_first_message(conversation, owner)
    elsewhere = factories.ModeratorFactory(departements=["13"]).user
    assert can(JsonClient(elsewhere), conversation)["list"] == 404


def test_a_report_on_another_conversation_opens_nothing(conversation, owner, listing, moderator):
    third = factories.MembershipFactory(company=factories.CompanyFactory()).user
    other, _ = services.conversation_start(listing=listing, by=third, body="Autre")
    report_first_message(other, owner)
    assert can(JsonClient(moderator), conversation)["list"] == 404
