import pytest
from django.utils import timezone

from accounts.models import Company
from messaging import services
from messaging.models import Conversation, Message
from tests import factories

pytestmark = pytest.mark.django_db

CONVERSATIONS = "/api/v1/conversations/"


def messages_url(conversation) -> str:
    return f"/api/v1/conversations/{conversation.pk}/messages/"


def read_url(conversation) -> str:
    return f"/api/v1/conversations/{conversation.pk}/read/"


def test_start_conversation_returns_201_then_200_with_the_same_one(client_for, listing, writer):
    client = client_for(writer)
    first = client.post(CONVERSATIONS, {"listing": listing.pk, "body": "Bonjour"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert set(body) == {"id", "listing", "companies", "last_message", "unread_count", "updated_at"}
    assert body["listing"] == {"id": listing.pk, "title": listing.title, "kind": "offer"}
    assert [c["id"] for c in body["companies"]] == [
        listing.company_id,
        writer.membership.company_id,
    ]
    assert body["last_message"]["body"] == "Bonjour"
    assert body["unread_count"] == 0
    second = client.post(CONVERSATIONS, {"listing": listing.pk, "body": "Vous êtes là ?"})
    assert second.status_code == 200
    assert second.json()["id"] == body["id"]
    assert second.json()["last_message"]["body"] == "Vous êtes là ?"
    assert Message.objects.filter(conversation_id=body["id"]).count() == 2


def test_start_requires_authentication(api_client, listing):
    response = api_client.post(CONVERSATIONS, {"listing": listing.pk, "body": "Bonjour"})
    assert response.status_code == 401


def test_member_of_a_pending_company_cannot_start(client_for, listing):
    pending = factories.MembershipFactory(
        company=factories.CompanyFactory(status=Company.Status.PENDING)
    ).user
    response = client_for(pending).post(CONVERSATIONS, {"listing": listing.pk, "body": "Bonjour"})
    assert response.status_code == 403
    assert not Conversation.objects.exists()


def test_user_without_company_cannot_start(client_for, listing, user):
    response = client_for(user).post(CONVERSATIONS, {"listing": listing.pk, "body": "Bonjour"})
    assert response.status_code == 403


def test_owner_cannot_contact_its_own_listing(client_for, listing, owner):
    response = client_for(owner).post(CONVERSATIONS, {"listing": listing.pk, "body": "Moi"})
    assert response.status_code == 400
    assert "listing" in response.json()


@pytest.mark.parametrize("status", ["draft", "pending", "withdrawn", "hidden"])
def test_a_listing_that_is_not_live_cannot_be_contacted(client_for, listing, writer, status):
    listing.status = status
    listing.save()
    response = client_for(writer).post(CONVERSATIONS, {"listing": listing.pk, "body": "Bonjour"})
    assert response.status_code == 400
    assert "listing" in response.json()


def test_an_expired_listing_cannot_be_contacted(client_for, listing, writer):
    listing.expires_at = timezone.now() - timezone.timedelta(minutes=1)
    listing.save()
    response = client_for(writer).post(CONVERSATIONS, {"listing": listing.pk, "body": "Bonjour"})
    assert response.status_code == 400


def test_unknown_listing_is_a_400_on_the_listing_field(client_for, writer):
    response = client_for(writer).post(CONVERSATIONS, {"listing": 999999, "body": "Bonjour"})
    assert response.status_code == 400
    assert "listing" in response.json()


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_start_with_a_bad_body_is_a_400_on_body(client_for, listing, writer, body):
    response = client_for(writer).post(CONVERSATIONS, {"listing": listing.pk, "body": body})
    assert response.status_code == 400
    assert "body" in response.json()
    assert not Conversation.objects.exists()


def test_list_shows_own_company_conversations_most_recent_first(
    client_for, conversation, owner, writer, company
):
    other_listing = factories.ListingFactory(company=company, title="Palettes")
    later, _ = services.conversation_start(listing=other_listing, by=writer, body="Et celle-ci ?")
    response = client_for(owner).get(CONVERSATIONS)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 2
    assert [c["id"] for c in data["results"]] == [later.pk, conversation.pk]
    assert data["results"][0]["unread_count"] == 1
    message = data["results"][0]["last_message"]
    assert set(message) == {
        "id",
        "conversation",
        "body",
        "sender",
        "company",
        "created_at",
        "client_id",
    }
    assert message["sender"] == {"id": writer.pk, "name": writer.display_name}
    # A reply moves the older conversation to the top.
    services.message_send(conversation=conversation, by=owner, body="Réponse")
    data = client_for(owner).get(CONVERSATIONS).json()
    assert [c["id"] for c in data["results"]] == [conversation.pk, later.pk]


def test_list_is_empty_for_an_outsider_and_for_a_user_without_company(
    client_for, conversation, outsider, user
):
    assert client_for(outsider).get(CONVERSATIONS).json()["count"] == 0
    assert client_for(user).get(CONVERSATIONS).json()["count"] == 0


def test_list_query_count_does_not_grow_with_the_page(
    client_for, company, owner, django_assert_num_queries
):
    def add_conversations(n):
        for _ in range(n):
            writer = factories.MembershipFactory(company=factories.CompanyFactory()).user
            listing = factories.ListingFactory(company=company)
            services.conversation_start(listing=listing, by=writer, body="Bonjour")

    client = client_for(owner)
    add_conversations(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(CONVERSATIONS).json()["count"] == 2
    add_conversations(18)
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(client.get(CONVERSATIONS).json()["results"]) == 20


def test_list_is_paginated_by_20(client_for, company, owner):
    for _ in range(21):
        writer = factories.MembershipFactory(company=factories.CompanyFactory()).user
        services.conversation_start(
            listing=factories.ListingFactory(company=company), by=writer, body="Bonjour"
        )
    data = client_for(owner).get(CONVERSATIONS).json()
    assert data["count"] == 21 and len(data["results"]) == 20 and data["next"]
    assert len(client_for(owner).get(CONVERSATIONS + "?page=2").json()["results"]) == 1


def test_list_pages_follow_the_activity_and_keep_each_unread_count(client_for, company, owner):
    """The page is chosen by ids, then its rows are read: the two pages together are every
    conversation once, most recent activity first, each with its own unread count."""
    from messaging.models import Conversation

    for lines in range(1, 23):
        writer = factories.MembershipFactory(company=factories.CompanyFactory()).user
        started, _ = services.conversation_start(
            listing=factories.ListingFactory(company=company), by=writer, body="Bonjour"
        )
        for _ in range(lines % 4):
            services.message_send(conversation=started, by=writer, body="Encore")
    oldest = Conversation.objects.order_by("updated_at").first()
    services.message_send(conversation=oldest, by=owner, body="Réponse")
    client = client_for(owner)
    results = client.get(CONVERSATIONS).json()["results"]
    results += client.get(CONVERSATIONS + "?page=2").json()["results"]
    expected = Conversation.objects.with_unread_count(company.pk).order_by("-updated_at", "-id")
    assert [(c["id"], c["unread_count"]) for c in results] == [
        (c.pk, c.unread_count) for c in expected
    ]
    assert results[0]["id"] == oldest.pk
    assert results[0]["last_message"]["body"] == "Réponse"


def test_messages_newest_first_50_at_a_time(client_for, conversation, owner, writer):
    for i in range(60):
        factories.MessageFactory(
            conversation=conversation, sender=owner, company=owner.membership.company, body=f"m{i}"
        )
    client = client_for(writer)
    first = client.get(messages_url(conversation)).json()
    assert set(first) == {"results", "next_before"}
    ids = [m["id"] for m in first["results"]]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    assert first["next_before"] == ids[-1]
    second = client.get(messages_url(conversation) + f"?before={first['next_before']}").json()
    assert len(second["results"]) == 11  # 60 + the first message
    assert second["next_before"] is None
    assert max(m["id"] for m in second["results"]) < min(ids)


def test_messages_after_returns_what_was_missed_oldest_first(
    client_for, conversation, owner, writer
):
    first = conversation.messages.get()
    for i in range(3):
        services.message_send(conversation=conversation, by=owner, body=f"r{i}")
    data = client_for(writer).get(messages_url(conversation) + f"?after={first.pk}").json()
    assert [m["body"] for m in data["results"]] == ["r0", "r1", "r2"]
    assert data["next_after"] is None


def test_bad_cursor_is_a_400(client_for, conversation, writer):
    response = client_for(writer).get(messages_url(conversation) + "?before=abc")
    assert response.status_code == 400
    assert "before" in response.json()


def test_send_message_201_then_200_on_repeated_client_id(client_for, conversation, owner):
    client = client_for(owner)
    first = client.post(messages_url(conversation), {"body": "Oui", "client_id": "c-1"})
    assert first.status_code == 201
    again = client.post(messages_url(conversation), {"body": "Oui", "client_id": "c-1"})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert first.json()["client_id"] == "c-1"
    assert conversation.messages.count() == 2


def test_send_with_an_empty_or_too_long_body_is_400(client_for, conversation, owner):
    client = client_for(owner)
    assert client.post(messages_url(conversation), {"body": ""}).status_code == 400
    response = client.post(messages_url(conversation), {"body": "x" * 5001})
    assert response.status_code == 400 and "body" in response.json()
    nul = client.post(messages_url(conversation), {"body": "nul\x00"}, format="json")
    assert nul.status_code == 400 and "body" in nul.json()
    long_id = client.post(messages_url(conversation), {"body": "a", "client_id": "x" * 65})
    assert long_id.status_code == 400 and "client_id" in long_id.json()


def test_body_is_stored_as_plain_text(client_for, conversation, owner):
    body = "<script>alert('x')</script> & <b>gras</b>"
    response = client_for(owner).post(messages_url(conversation), {"body": body})
    assert response.json()["body"] == body


def test_too_many_messages_per_minute_is_429(client_for, conversation, owner):
    client = client_for(owner)
    for i in range(services.RATE_LIMIT_MESSAGES):
        assert client.post(messages_url(conversation), {"body": f"m{i}"}).status_code == 201
    response = client.post(messages_url(conversation), {"body": "de trop"})
    assert response.status_code == 429


def test_outsiders_get_404_everywhere(client_for, conversation, outsider, user):
    first = conversation.messages.get()
    for who in (outsider, user):
        client = client_for(who)
        assert client.get(messages_url(conversation)).status_code == 404
        assert client.post(messages_url(conversation), {"body": "Intrus"}).status_code == 404
        assert client.post(read_url(conversation), {"up_to": first.pk}).status_code == 404
    assert client_for(outsider).get("/api/v1/conversations/999999/messages/").status_code == 404
    assert conversation.messages.count() == 1


def test_anonymous_gets_401(api_client, conversation):
    assert api_client.get(messages_url(conversation)).status_code == 401
    assert api_client.get(CONVERSATIONS).status_code == 401


def test_suspended_company_cannot_send_but_can_read(
    client_for, conversation, writer, other_company
):
    other_company.status = Company.Status.SUSPENDED
    other_company.save()
    client = client_for(writer)
    assert client.get(messages_url(conversation)).status_code == 200
    assert client.post(messages_url(conversation), {"body": "Encore moi"}).status_code == 403


def test_read_marks_and_unread_count(client_for, conversation, owner, writer):
    client = client_for(owner)
    assert client.get(CONVERSATIONS).json()["results"][0]["unread_count"] == 1
    first = conversation.messages.get()
    response = client.post(read_url(conversation), {"up_to": first.pk})
    assert response.status_code == 204
    assert client.get(CONVERSATIONS).json()["results"][0]["unread_count"] == 0
    # The writer's side is unaffected.
    services.message_send(conversation=conversation, by=owner, body="Réponse")
    assert client_for(writer).get(CONVERSATIONS).json()["results"][0]["unread_count"] == 1


def test_read_up_to_a_foreign_message_is_400(client_for, conversation, owner, listing):
    elsewhere = factories.MembershipFactory(company=factories.CompanyFactory()).user
    other, _ = services.conversation_start(listing=listing, by=elsewhere, body="Autre")
    response = client_for(owner).post(read_url(conversation), {"up_to": other.messages.get().pk})
    assert response.status_code == 400
    assert "up_to" in response.json()
    assert client_for(owner).post(read_url(conversation), {}).status_code == 400


def test_deleted_sender_is_shown_anonymised(client_for, conversation, owner, writer):
    writer.delete()
    message = client_for(owner).get(messages_url(conversation)).json()["results"][0]
    assert message["sender"] == {"id": None, "name": "Utilisateur supprimé"}
    assert message["company"]["id"] == conversation.other_company_id


def test_times_carry_a_utc_offset(client_for, conversation, owner):
    message = client_for(owner).get(messages_url(conversation)).json()["results"][0]
    assert message["created_at"][-6] in "+-" and message["created_at"][-3] == ":"
