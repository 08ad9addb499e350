"""The inbox page and the unread counts under many conversations: the page's rows are chosen
by their ids first (`Conversation.objects.newest_of`), the navigation's badge is not counted
twice, and the cheap filter before counting (`maybe_unread`) leaves no unread line out."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from messaging import queries, services
from messaging.models import Conversation
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _write_to(listing, n_lines: int = 1):
    """A member of a new company writes `n_lines` about `listing`: a conversation it opens."""
    writer = factories.MembershipFactory(company=factories.CompanyFactory()).user
    conversation, _created = services.conversation_start(listing=listing, by=writer, body="1")
    for k in range(2, n_lines + 1):
        services.message_send(conversation=conversation, by=writer, body=str(k))
    return conversation, writer


def test_inbox_badge_is_the_sum_of_its_rows_without_counting_the_messages_again(listing, owner):
    _write_to(listing, 2)
    _write_to(listing, 3)
    client = logged_in(owner)
    client.get("/messages/")
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/messages/").content.decode()
    assert '<span class="badge" data-unread-total>5</span>' in html
    assert html.count('class="card conversation-item is-unread"') == 2
    counts = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("SELECT COUNT(*)") and 'FROM "messaging_message"' in q["sql"]
    ]
    assert counts == []  # only the rows' own counts, inside the one query of the rows


def test_inbox_longer_than_its_page_counts_the_badge_over_every_conversation(
    listing, owner, monkeypatch
):
    for lines in (1, 2, 4):
        _write_to(listing, lines)
    monkeypatch.setattr(queries, "INBOX_SHOWN", 2)
    html = logged_in(owner).get("/messages/").content.decode()
    assert html.count('class="card conversation-item') == 2
    # The oldest conversation is not on the page; its line is in the badge.
    assert '<span class="badge" data-unread-total>7</span>' in html


def test_inbox_shows_the_most_recent_conversations_first(listing, owner):
    first, _ = _write_to(listing)
    second, _ = _write_to(listing)
    third, third_writer = _write_to(listing)
    services.message_send(
        conversation=first, by=first.other_company.memberships.get().user, body="Encore moi"
    )
    items = queries.inbox(owner.membership.company_id, limit=2)
    assert [item.conversation.pk for item in items] == [first.pk, third.pk]
    assert items[0].last_line.endswith(" : Encore moi")
    assert items[0].url == f"/messages/{first.pk}/"
    assert [item.unread_count for item in items] == [2, 1]
    assert second.pk not in [item.conversation.pk for item in items]
    assert third_writer.membership.company.name == items[1].partner_name


def test_a_reply_does_not_hide_the_partner_lines_before_it(listing, owner, company):
    conversation, _writer = _write_to(listing, 2)
    # The listing's company answers without opening the conversation: its own line is now the
    # newest, past its read mark, and the partner's two lines are still unread.
    services.message_send(conversation=conversation, by=owner, body="Réponse")
    assert queries.unread_total(company.pk) == 2
    services.mark_all_read(conversation=conversation, by=owner)
    assert queries.unread_total(company.pk) == 0
    assert not Conversation.objects.of_company(company.pk).maybe_unread(company.pk).exists()


def test_unread_total_matches_the_counts_of_every_conversation(listing, owner, company):
    conversations = [_write_to(listing, n)[0] for n in (1, 2, 3, 4)]
    services.mark_all_read(conversation=conversations[1], by=owner)
    services.mark_read(
        conversation=conversations[3],
        by=owner,
        up_to=conversations[3].messages.order_by("id")[1].pk,
    )
    annotated = Conversation.objects.with_unread_count(company.pk)
    expected = sum(c.unread_count for c in annotated)
    assert expected == 1 + 0 + 3 + 2
    assert queries.unread_total(company.pk) == expected
    unread = queries.inbox(company.pk, limit=10, unread_only=True)
    assert {item.conversation.pk for item in unread} == {
        conversations[0].pk,
        conversations[2].pk,
        conversations[3].pk,
    }


def test_a_conversation_without_a_recorded_last_line_is_still_counted(listing, owner, company):
    conversation, _writer = _write_to(listing, 2)
    Conversation.objects.filter(pk=conversation.pk).update(last_message=None)
    assert queries.unread_total(company.pk) == 2
