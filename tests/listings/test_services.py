"""Listing services: every transition, allowed and refused, and their side effects.

One file for the listing services' rules (a little over 500 lines): each test reads as one
rule of docs/product.md, in the order the listing lives them.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Company
from bourse.listings import services
from bourse.listings.models import Category, Listing
from bourse.listings.signals import listing_published
from bourse.moderation import services as moderation_services
from bourse.moderation.models import AuditLogEntry
from bourse.notifications.models import Notification
from tests import factories

from .write_support import listing_data, make_listing, moderator_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_ids():
    """Collects the listing ids `listing_published` is sent for."""
    received: list[int] = []

    def receiver(sender, listing_id, **kwargs):
        received.append(listing_id)

    listing_published.connect(receiver)
    yield received
    listing_published.disconnect(receiver)


def field_errors(exc_info) -> dict:
    return exc_info.value.message_dict


# --- Creation ---------------------------------------------------------------------------------


def test_create_without_submit_is_a_draft_at_the_company_location(company, company_admin):
    listing = services.listing_create(
        company=company, by=company_admin, data=listing_data(), submit=False
    )
    assert listing.status == "draft"
    assert listing.created_by == company_admin
    assert (listing.postal_code, listing.commune) == (company.postal_code, company.commune)
    assert (listing.latitude, listing.longitude) == (company.latitude, company.longitude)
    assert listing.published_at is None and listing.expires_at is None


def test_create_with_submit_is_pending_when_approval_required(company, company_admin, settings):
    settings.LISTINGS_REQUIRE_APPROVAL = True
    listing = services.listing_create(
        company=company, by=company_admin, data=listing_data(), submit=True
    )
    assert listing.status == "pending"
    assert not Listing.objects.published().filter(pk=listing.pk).exists()


def test_create_publishes_at_once_when_approval_is_off(
    company, company_admin, settings, django_capture_on_commit_callbacks, published_ids
):
    settings.LISTINGS_REQUIRE_APPROVAL = False
    settings.LISTING_LIFETIME_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        listing = services.listing_create(
            company=company, by=company_admin, data=listing_data(), submit=True
        )
    assert listing.status == "published"
    assert listing.expires_at - listing.published_at == timedelta(days=30)
    assert Listing.objects.published().filter(pk=listing.pk).exists()
    assert published_ids == [listing.pk]


def test_create_geocodes_another_postal_code(company, company_admin):
    listing = services.listing_create(
        company=company, by=company_admin, data=listing_data(postal_code="69200"), submit=False
    )
    assert listing.postal_code == "69200"
    assert listing.commune == "Vénissieux"
    assert listing.departement == "69"
    assert listing.latitude != company.latitude


def test_create_with_unknown_postal_code_names_the_field(company, company_admin):
    with pytest.raises(ValidationError) as exc_info:
        services.listing_create(
            company=company, by=company_admin, data=listing_data(postal_code="00000"), submit=True
        )
    assert "postal_code" in field_errors(exc_info)
    assert not Listing.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"available_from": date(2026, 5, 10), "available_until": date(2026, 5, 9)},
            "available_until",
        ),
        ({"radius_km": 0}, "radius_km"),
        ({"radius_km": 1001}, "radius_km"),
        ({"quantity": Decimal("0")}, "quantity"),
        ({"quantity": Decimal("-3")}, "quantity"),
        ({"unit": "kg"}, "unit"),  # kilograms of dry warehouse: not a unit of that category
        ({"unit": ""}, "unit"),  # a quantity needs its unit
        ({"price": Decimal("-1")}, "price"),
        ({"title": "  "}, "title"),
    ],
)
def test_create_refuses_invalid_values(company, company_admin, overrides, field):
    with pytest.raises(ValidationError) as exc_info:
        services.listing_create(
            company=company, by=company_admin, data=listing_data(**overrides), submit=True
        )
    assert field in field_errors(exc_info)
    assert not Listing.objects.exists()


def test_create_accepts_boundaries(company, company_admin):
    same_day = date(2026, 6, 1)
    listing = services.listing_create(
        company=company,
        by=company_admin,
        data=listing_data(
            radius_km=1000,
            price=Decimal("0"),
            available_from=same_day,
            available_until=same_day,
            quantity=None,
            unit="",
        ),
        submit=False,
    )
    assert listing.radius_km == 1000
    assert listing.quantity is None


def test_a_parent_category_allows_the_units_of_its_children(company, company_admin):
    listing = services.listing_create(
        company=company,
        by=company_admin,
        data=listing_data(category=Category.objects.get(slug="stockage"), unit="pallet"),
        submit=False,
    )
    assert listing.unit == "pallet"


# --- Submission, approval, rejection, hiding ---------------------------------------------------


@pytest.mark.parametrize("start", ["draft", "rejected", "hidden"])
def test_submit_sends_to_pending(company, company_admin, start):
    listing = make_listing(company, company_admin, start)
    listing = services.listing_submit(listing=listing, by=company_admin)
    assert listing.status == "pending"
    assert listing.rejection_reason == ""


@pytest.mark.parametrize("start", ["pending", "published", "fulfilled", "withdrawn", "expired"])
def test_submit_refused_from_other_statuses(company, company_admin, start):
    listing = make_listing(company, company_admin, start)
    with pytest.raises(ValidationError) as exc_info:
        services.listing_submit(listing=listing, by=company_admin)
    assert "status" in field_errors(exc_info)
    listing.refresh_from_db()
    assert listing.status == start


def test_submit_publishes_when_approval_is_off(company, company_admin, settings):
    listing = make_listing(company, company_admin, "draft")
    settings.LISTINGS_REQUIRE_APPROVAL = False
    listing = services.listing_submit(listing=listing, by=company_admin)
    assert listing.status == "published"
    assert listing.is_live


def test_approve_publishes_for_the_lifetime_audits_and_notifies(
    company, company_admin, company_member, settings, django_capture_on_commit_callbacks
):
    settings.LISTING_LIFETIME_DAYS = 60
    listing = make_listing(company, company_admin, "pending")
    moderator = moderator_user()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        listing = moderation_services.listing_approve(listing=listing, by=moderator)
    assert listing.status == "published"
    assert before <= listing.published_at <= timezone.now()
    assert listing.expires_at - listing.published_at == timedelta(days=60)

    entry = AuditLogEntry.objects.get(target_type="listing", target_id=listing.pk)
    assert entry.action == "listing.approve"
    assert entry.actor == moderator
    assert entry.departement == "69"

    notification = Notification.objects.get(company=company)
    assert notification.kind == "listing_status"
    assert listing.title in notification.title
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([company_admin.email, company_member.email])
    assert "publiée" in mail.outbox[0].subject


@pytest.mark.parametrize("start", ["draft", "published", "rejected", "hidden", "expired"])
def test_approve_refused_unless_pending(company, company_admin, start):
    listing = make_listing(company, company_admin, start)
    entries = AuditLogEntry.objects.count()
    with pytest.raises(ValidationError):
        moderation_services.listing_approve(listing=listing, by=moderator_user())
    listing.refresh_from_db()
    assert listing.status == start
    assert AuditLogEntry.objects.count() == entries


def test_reject_records_the_reason_audits_and_emails(
    company, company_admin, django_capture_on_commit_callbacks
):
    listing = make_listing(company, company_admin, "pending")
    moderator = moderator_user()
    with django_capture_on_commit_callbacks(execute=True):
        listing = moderation_services.listing_reject(
            listing=listing, by=moderator, reason="Photos sans rapport avec l'annonce."
        )
    assert listing.status == "rejected"
    assert listing.rejection_reason == "Photos sans rapport avec l'annonce."
    entry = AuditLogEntry.objects.get(target_id=listing.pk, action="listing.reject")
    assert entry.reason == "Photos sans rapport avec l'annonce."
    assert Notification.objects.filter(company=company, kind="listing_status").count() == 1
    assert len(mail.outbox) == 1
    assert "Photos sans rapport" in mail.outbox[0].body


def test_reject_without_reason_is_refused_and_changes_nothing(company, company_admin):
    listing = make_listing(company, company_admin, "pending")
    with pytest.raises(ValidationError) as exc_info:
        moderation_services.listing_reject(listing=listing, by=moderator_user(), reason="   ")
    assert "reason" in field_errors(exc_info)
    listing.refresh_from_db()
    assert listing.status == "pending"
    assert not AuditLogEntry.objects.filter(action="listing.reject").exists()


def test_reject_refused_for_a_published_listing(company, company_admin):
    listing = make_listing(company, company_admin, "published")
    with pytest.raises(ValidationError):
        moderation_services.listing_reject(listing=listing, by=moderator_user(), reason="Non.")


def test_hide_takes_a_published_listing_off_the_exchange(
    company, company_admin, django_capture_on_commit_callbacks
):
    listing = make_listing(company, company_admin, "published")
    with django_capture_on_commit_callbacks(execute=True):
        listing = moderation_services.listing_hide(
            listing=listing, by=moderator_user(), reason="Doublon."
        )
    assert listing.status == "hidden"
    assert listing.rejection_reason == "Doublon."
    assert not Listing.objects.published().filter(pk=listing.pk).exists()
    assert AuditLogEntry.objects.filter(target_id=listing.pk, action="listing.hide").exists()
    assert any("masquée" in message.subject for message in mail.outbox)


@pytest.mark.parametrize("start", ["draft", "pending", "rejected", "expired"])
def test_hide_refused_unless_published(company, company_admin, start):
    listing = make_listing(company, company_admin, start)
    with pytest.raises(ValidationError):
        moderation_services.listing_hide(listing=listing, by=moderator_user(), reason="Doublon.")


def test_hide_without_reason_is_refused(company, company_admin):
    listing = make_listing(company, company_admin, "published")
    with pytest.raises(ValidationError) as exc_info:
        moderation_services.listing_hide(listing=listing, by=moderator_user(), reason="")
    assert "reason" in field_errors(exc_info)


# --- Editing -----------------------------------------------------------------------------------


def test_substantive_edit_of_a_published_listing_sends_it_back_to_pending(company, company_admin):
    listing = make_listing(company, company_admin, "published")
    listing = services.listing_update(
        listing=listing, by=company_admin, data={"title": "Entrepôt sec 500 m²"}
    )
    assert listing.status == "pending"
    assert listing.title == "Entrepôt sec 500 m²"
    assert not Listing.objects.published().filter(pk=listing.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"description": "Autre description."},
        {"quantity": Decimal("350")},
        {"price": Decimal("900")},
        {"postal_code": "69200"},
        {"radius_km": 80},
        {"available_until": date.today() + timedelta(days=10)},
        {"kind": "need"},
        {"category": "froid"},
    ],
)
def test_every_substantive_field_counts(company, company_admin, change):
    listing = make_listing(company, company_admin, "published")
    if change.get("category"):
        change = {"category": Category.objects.get(slug=change["category"])}
    listing = services.listing_update(listing=listing, by=company_admin, data=change)
    assert listing.status == "pending"


def test_edit_with_unchanged_values_keeps_the_listing_published(company, company_admin):
    listing = make_listing(company, company_admin, "published")
    listing = services.listing_update(
        listing=listing,
        by=company_admin,
        data={"title": listing.title, "quantity": Decimal("400.00"), "postal_code": ""},
    )
    assert listing.status == "published"


def test_edit_of_a_published_listing_stays_published_without_approval(
    company, company_admin, settings, django_capture_on_commit_callbacks, published_ids
):
    listing = make_listing(company, company_admin, "published")
    published_ids.clear()  # the set-up published it once
    settings.LISTINGS_REQUIRE_APPROVAL = False
    with django_capture_on_commit_callbacks(execute=True):
        listing = services.listing_update(listing=listing, by=company_admin, data={"title": "Neuf"})
    assert listing.status == "published"
    assert published_ids == [listing.pk]  # matching recomputes from the new content
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(listing=listing, by=company_admin, data={"title": "Neuf"})
    assert published_ids == [listing.pk]  # nothing changed, nothing announced


def test_edit_of_a_draft_keeps_it_a_draft_and_validates(company, company_admin):
    listing = make_listing(company, company_admin, "draft")
    listing = services.listing_update(listing=listing, by=company_admin, data={"radius_km": 5})
    assert (listing.status, listing.radius_km) == ("draft", 5)
    with pytest.raises(ValidationError) as exc_info:
        services.listing_update(listing=listing, by=company_admin, data={"unit": "person"})
    assert "unit" in field_errors(exc_info)
    listing.refresh_from_db()
    assert listing.unit == "m2"


@pytest.mark.parametrize("start", ["fulfilled", "withdrawn"])
def test_closed_listings_cannot_be_edited(company, company_admin, start):
    listing = make_listing(company, company_admin, start)
    with pytest.raises(ValidationError) as exc_info:
        services.listing_update(listing=listing, by=company_admin, data={"title": "Neuf"})
    assert "status" in field_errors(exc_info)


# --- Closing, renewing, deleting --------------------------------------------------------------


def test_close_fulfilled_records_the_partner(company, company_admin, other_company):
    listing = make_listing(company, company_admin, "published")
    listing = services.listing_close(
        listing=listing, by=company_admin, outcome="fulfilled", partner_company=other_company
    )
    assert listing.status == "fulfilled"
    assert listing.partner_company == other_company
    assert listing.closed_at is not None
    assert not Listing.objects.published().filter(pk=listing.pk).exists()


@pytest.mark.parametrize("start", ["draft", "pending", "rejected", "published", "expired"])
def test_withdraw_is_allowed_from_any_open_status(company, company_admin, start):
    listing = make_listing(company, company_admin, start)
    listing = services.listing_close(listing=listing, by=company_admin, outcome="withdrawn")
    assert listing.status == "withdrawn"


@pytest.mark.parametrize("start", ["draft", "pending", "rejected", "withdrawn"])
def test_fulfilled_is_refused_before_publication_or_after_withdrawal(company, company_admin, start):
    listing = make_listing(company, company_admin, start)
    with pytest.raises(ValidationError):
        services.listing_close(listing=listing, by=company_admin, outcome="fulfilled")


def test_close_refuses_own_company_as_partner_and_unknown_outcome(company, company_admin):
    listing = make_listing(company, company_admin, "published")
    with pytest.raises(ValidationError) as exc_info:
        services.listing_close(
            listing=listing, by=company_admin, outcome="fulfilled", partner_company=company
        )
    assert "partner_company" in field_errors(exc_info)
    with pytest.raises(ValidationError) as exc_info:
        services.listing_close(listing=listing, by=company_admin, outcome="expired")
    assert "outcome" in field_errors(exc_info)
    listing.refresh_from_db()
    assert listing.status == "published"


def test_renew_pushes_expiry_forward(company, company_admin, settings):
    listing = make_listing(company, company_admin, "published")
    Listing.objects.filter(pk=listing.pk).update(expires_at=timezone.now() + timedelta(days=2))
    listing = services.listing_renew(listing=listing, by=company_admin)
    assert listing.expires_at > timezone.now() + timedelta(days=59)
    assert listing.status == "published"


def test_renew_brings_an_expired_listing_back_and_announces_it(
    company, company_admin, django_capture_on_commit_callbacks, published_ids
):
    listing = make_listing(company, company_admin, "expired")
    published_ids.clear()  # the set-up published it once
    assert listing.status == "expired"
    with django_capture_on_commit_callbacks(execute=True):
        listing = services.listing_renew(listing=listing, by=company_admin)
    assert listing.status == "published"
    assert Listing.objects.published().filter(pk=listing.pk).exists()
    assert published_ids == [listing.pk]


@pytest.mark.parametrize("start", ["draft", "pending", "rejected", "hidden", "fulfilled"])
def test_renew_refused_from_other_statuses(company, company_admin, start):
    listing = make_listing(company, company_admin, start)
    with pytest.raises(ValidationError):
        services.listing_renew(listing=listing, by=company_admin)


def test_delete_removes_the_listing(company, company_admin):
    listing = make_listing(company, company_admin, "published")
    services.listing_delete(listing=listing, by=company_admin)
    assert not Listing.objects.filter(pk=listing.pk).exists()


# --- Expiry -----------------------------------------------------------------------------------


def test_a_listing_past_expiry_leaves_published_before_the_job_runs(company, company_admin):
    listing = make_listing(company, company_admin, "published")
    Listing.objects.filter(pk=listing.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert not Listing.objects.published().filter(pk=listing.pk).exists()
    listing.refresh_from_db()
    assert listing.status == "published"  # the job has not run yet


def test_expire_listings_marks_only_past_expiry_and_notifies(company, company_admin):
    old = make_listing(company, company_admin, "published")
    fresh = make_listing(company, company_admin, "published")
    Listing.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    assert services.expire_listings() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == ("expired", "published")
    assert Notification.objects.filter(company=company, data__status="expired").count() == 1
    assert services.expire_listings() == 0


def test_expire_listings_task(company, company_admin):
    from bourse.listings.tasks import expire_listings_task

    listing = make_listing(company, company_admin, "published")
    Listing.objects.filter(pk=listing.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    result = expire_listings_task.enqueue()
    assert result.return_value == 1
    listing.refresh_from_db()
    assert listing.status == "expired"


def test_expire_listings_command(company, company_admin):
    from django.core.management import call_command

    listing = make_listing(company, company_admin, "published")
    Listing.objects.filter(pk=listing.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    call_command("expire_listings", verbosity=0)
    listing.refresh_from_db()
    assert listing.status == "expired"


# --- The listing_published signal --------------------------------------------------------------


def test_listing_published_is_sent_in_the_transaction_and_its_work_runs_after_commit(
    company, company_admin, django_capture_on_commit_callbacks, published_ids
):
    from bourse.core.models import OutboxEntry

    listing = make_listing(company, company_admin, "pending")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        moderation_services.listing_approve(listing=listing, by=moderator_user())
    # Sent inside the transaction: matching's rematch is stored with the change...
    assert published_ids == [listing.pk]
    rematch = OutboxEntry.objects.get(kind="task", key__startswith="matching.rematch:")
    assert rematch.payload["args"] == [listing.pk]
    assert rematch.status == "pending"  # ...and not run before commit
    for callback in callbacks:
        callback()
    rematch.refresh_from_db()
    assert rematch.status == "done"


def test_listing_published_is_not_sent_when_the_transaction_rolls_back(
    company, company_admin, django_capture_on_commit_callbacks, published_ids
):
    from bourse.core.models import OutboxEntry

    listing = make_listing(company, company_admin, "pending")
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                moderation_services.listing_approve(listing=listing, by=moderator_user())
                raise RuntimeError("something later in the request failed")
        except RuntimeError:
            pass
    # Nothing that follows from the publication survives it.
    assert not OutboxEntry.objects.exists()
    listing.refresh_from_db()
    assert listing.status == "pending"
    assert not AuditLogEntry.objects.filter(target_id=listing.pk).exists()


def test_quiet_publication_sends_no_signal(
    company, company_admin, django_capture_on_commit_callbacks, published_ids, settings
):
    settings.LISTINGS_REQUIRE_APPROVAL = False
    with django_capture_on_commit_callbacks(execute=True), services.quiet_publication():
        services.listing_create(company=company, by=company_admin, data=listing_data(), submit=True)
    assert published_ids == []


def test_published_excludes_listings_of_a_suspended_company(company, company_admin):
    listing = make_listing(company, company_admin, "published")
    Company.objects.filter(pk=company.pk).update(status="suspended")
    assert not Listing.objects.published().filter(pk=listing.pk).exists()


def test_membership_of_another_company_does_not_matter_to_services(other_company):
    # Services trust the caller's checks: a moderator approving needs no membership.
    member = factories.MembershipFactory(company=other_company).user
    listing = make_listing(other_company, member, "pending")
    assert (
        moderation_services.listing_approve(listing=listing, by=moderator_user()).status
        == "published"
    )
