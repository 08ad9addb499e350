"""RGPD retention jobs: stale drafts deleted, inactive conversations anonymised, unused accounts
warned then deleted. Each run twice gives the same result (idempotent), and the scheduler knows
them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Company, User
from bourse.core import schedule
from bourse.core.models import OutboxEntry
from bourse.listings import services as listing_services
from bourse.listings.models import Listing
from messaging import services as messaging_services
from messaging.models import Conversation, Message
from tests import factories

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def test_the_scheduler_runs_the_three_jobs():
    jobs = schedule.autodiscover()
    for name in (
        "listings.delete_stale_drafts",
        "messaging.anonymise_inactive_conversations",
        "accounts.retire_inactive_accounts",
    ):
        assert jobs[name].every == timedelta(days=1)


# --- Drafts ------------------------------------------------------------------------------------


def test_drafts_untouched_for_six_months_are_deleted(company):
    stale = factories.ListingFactory(company=company, status="draft")
    recent = factories.ListingFactory(company=company, status="draft")
    old_published = factories.ListingFactory(company=company, status="published")
    photo = factories.ListingPhotoFactory(listing=stale)
    Listing.objects.filter(pk__in=[stale.pk, old_published.pk]).update(
        updated_at=NOW - timedelta(days=184)
    )
    Listing.objects.filter(pk=recent.pk).update(updated_at=NOW - timedelta(days=170))

    assert listing_services.delete_stale_drafts(now=NOW) == 1
    assert not Listing.objects.filter(pk=stale.pk).exists()
    assert not type(photo).objects.filter(pk=photo.pk).exists()
    assert set(Listing.objects.values_list("pk", flat=True)) == {recent.pk, old_published.pk}
    assert listing_services.delete_stale_drafts(now=NOW) == 0


# --- Conversations -----------------------------------------------------------------------------


def test_conversations_inactive_for_two_years_are_anonymised(company_admin, other_admin):
    old = factories.ConversationFactory(created_at=NOW - timedelta(days=800))
    first = factories.MessageFactory(conversation=old, sender=other_admin, client_id="abc")
    factories.MessageFactory(conversation=old, sender=company_admin, company=old.owner_company)
    Conversation.objects.filter(pk=old.pk).update(updated_at=NOW - timedelta(days=731))
    live = factories.ConversationFactory(created_at=NOW - timedelta(days=800))
    kept = factories.MessageFactory(conversation=live, sender=other_admin, body="Toujours là")
    Conversation.objects.filter(pk=live.pk).update(updated_at=NOW - timedelta(days=700))

    assert messaging_services.anonymise_inactive_conversations(now=NOW) == 1
    bodies = set(
        Message.objects.filter(conversation=old).values_list("body", "sender", "client_id")
    )
    assert bodies == {(messaging_services.ANONYMISED_BODY, None, "")}
    old.refresh_from_db()
    assert old.anonymised_at == NOW
    assert Message.objects.get(pk=first.pk).company_id == first.company_id  # who talked stays
    kept.refresh_from_db()
    assert kept.body == "Toujours là" and kept.sender_id == other_admin.pk

    assert messaging_services.anonymise_inactive_conversations(now=NOW) == 0
    old.refresh_from_db()
    assert old.anonymised_at == NOW


def test_conversation_anonymisation_in_small_batches():
    for _ in range(3):
        conversation = factories.ConversationFactory(created_at=NOW - timedelta(days=800))
        factories.MessageFactory(conversation=conversation)
    assert messaging_services.anonymise_inactive_conversations(now=NOW, batch=2) == 3
    assert not Message.objects.exclude(body=messaging_services.ANONYMISED_BODY).exists()


# --- Accounts ----------------------------------------------------------------------------------


def _last_login(user, days_ago):
    User.objects.filter(pk=user.pk).update(last_login=NOW - timedelta(days=days_ago))


def test_unused_accounts_are_warned_then_deleted(
    company, company_admin, django_capture_on_commit_callbacks
):
    listing = factories.ListingFactory(company=company)
    active = factories.UserFactory()
    _last_login(company_admin, 740)
    _last_login(active, 30)
    never = factories.UserFactory()
    User.objects.filter(pk=never.pk).update(date_joined=NOW - timedelta(days=800))
    staff = factories.UserFactory(is_staff=True)
    _last_login(staff, 900)

    with django_capture_on_commit_callbacks(execute=True):
        assert account_services.retire_inactive_accounts(now=NOW) == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([company_admin.email, never.email])
    message = next(m for m in mail.outbox if m.to == [company_admin.email])
    assert "24 mois" in message.body
    assert (NOW + timedelta(days=30)).strftime("%d/%m/%Y") in message.body
    assert "/comptes/login/" in message.body

    # Run again the same day, or 29 days later: no second warning, nobody deleted.
    assert account_services.retire_inactive_accounts(now=NOW) == (0, 0)
    later = NOW + timedelta(days=29)
    assert account_services.retire_inactive_accounts(now=later) == (0, 0)
    assert OutboxEntry.objects.filter(key__startswith="accounts.inactivity_warning:").count() == 2

    # 30 days after the warning, still unused: deleted (and the company, left without
    # members, leaves the exchange with its listings).
    assert account_services.retire_inactive_accounts(now=NOW + timedelta(days=31)) == (0, 2)
    assert not User.objects.filter(pk__in=[company_admin.pk, never.pk]).exists()
    assert User.objects.filter(pk__in=[active.pk, staff.pk]).count() == 2
    company.refresh_from_db()
    listing.refresh_from_db()
    assert company.status == Company.Status.LEFT and listing.status == "withdrawn"


def test_logging_in_after_the_warning_keeps_the_account(company_admin):
    _last_login(company_admin, 740)
    assert account_services.retire_inactive_accounts(now=NOW) == (1, 0)
    company_admin.refresh_from_db()
    assert company_admin.inactivity_warned_at == NOW
    User.objects.filter(pk=company_admin.pk).update(last_login=NOW + timedelta(days=10))

    assert account_services.retire_inactive_accounts(now=NOW + timedelta(days=40)) == (0, 0)
    company_admin.refresh_from_db()
    assert company_admin.inactivity_warned_at is None
    assert User.objects.filter(pk=company_admin.pk).exists()
