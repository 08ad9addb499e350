"""A moderator reads a conversation only when one of its messages was reported in their
territory; each read goes to the audit log."""

import pytest

from bourse.moderation.models import AuditLogEntry
from bourse.moderation.permissions import moderator_can_read_conversation
from bourse.moderation.services import conversation_read_record
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(make_conversation, other_company):
    listing = factories.ListingFactory(postal_code="69003")
    return make_conversation(
        listing,
        other_company,
        [(other_company, "Bonjour", None), (listing.company, "Envoyez un acompte", None)],
    )


def report_message(message, status="open"):
    return factories.ReportFactory(
        target_type="message", target_id=message.pk, departement="69", status=status
    )


def test_without_a_report_no_moderator_reads_it(conversation, moderator_69, national):
    assert not moderator_can_read_conversation(moderator_69, conversation)
    assert not moderator_can_read_conversation(national, conversation)


@pytest.mark.parametrize("status", ["open", "resolved"])
def test_a_reported_message_opens_it_to_the_territory_moderator(
    conversation, moderator_69, moderator_75, national, status
):
    report_message(conversation.messages.last(), status=status)

    assert moderator_can_read_conversation(moderator_69, conversation)
    assert moderator_can_read_conversation(national, conversation)
    assert not moderator_can_read_conversation(moderator_75, conversation)


def test_non_moderators_never_get_moderator_access(conversation):
    report_message(conversation.messages.first())
    member = factories.MembershipFactory(company=factories.CompanyFactory()).user
    assert not moderator_can_read_conversation(member, conversation)
    assert not moderator_can_read_conversation(None, conversation)


def test_a_report_of_another_conversation_does_not_open_this_one(
    conversation, moderator_69, make_conversation
):
    listing = factories.ListingFactory()
    other = make_conversation(listing, factories.CompanyFactory(), [(listing.company, "x", None)])
    report_message(other.messages.get())

    assert not moderator_can_read_conversation(moderator_69, conversation)


def test_each_read_is_recorded(conversation, moderator_69):
    conversation_read_record(by=moderator_69, conversation=conversation)

    entry = AuditLogEntry.objects.get()
    assert (entry.action, entry.target_type, entry.target_id, entry.departement) == (
        "conversation.read",
        "conversation",
        conversation.pk,
        "69",
    )
