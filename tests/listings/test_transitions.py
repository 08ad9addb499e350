"""The listing's transitions table: what each status allows, to whom, and the refusal."""

import pytest

from bourse.core.errors import ServiceError
from bourse.listings.models import Listing
from tests import factories

Status = Listing.Status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "moderator", "company"),
    [
        (Status.DRAFT, [], ["edit", "submit", "withdraw"]),
        (Status.PENDING, ["approve", "reject"], ["edit", "withdraw"]),
        (Status.PUBLISHED, ["hide"], ["edit", "fulfil", "withdraw", "renew"]),
        (Status.REJECTED, [], ["edit", "submit", "withdraw"]),
        (Status.HIDDEN, [], ["edit", "submit", "fulfil", "withdraw"]),
        (Status.EXPIRED, [], ["edit", "fulfil", "withdraw", "renew"]),
        (Status.FULFILLED, [], []),
        (Status.WITHDRAWN, [], []),
    ],
)
def test_actions_by_status_and_actor(status, moderator, company):
    listing = Listing(status=status)
    assert listing.actions("moderator") == moderator
    assert listing.actions("company") == company


def test_every_target_is_a_status_and_only_reject_and_hide_need_a_reason():
    for transition in Listing.TRANSITIONS.values():
        assert transition.target is None or transition.target in Status.values
        assert transition.sources <= set(Status.values)
    assert {t.name for t in Listing.TRANSITIONS.values() if t.needs_reason} == {"reject", "hide"}


def test_a_move_that_does_not_apply_is_refused_on_status_and_changes_nothing():
    listing = factories.ListingFactory(status=Status.PUBLISHED)
    with pytest.raises(ServiceError) as caught:
        listing.approve()
    assert caught.value.message_dict == {
        "status": ["Impossible d'approuver une annonce au statut « publiée »."]
    }
    listing.refresh_from_db()
    assert listing.status == Status.PUBLISHED


def test_approve_publishes_for_the_lifetime(settings):
    settings.LISTING_LIFETIME_DAYS = 10
    listing = factories.ListingFactory(status=Status.PENDING, published_at=None, expires_at=None)
    listing.approve()
    listing.refresh_from_db()
    assert listing.status == Status.PUBLISHED
    assert (listing.expires_at - listing.published_at).days == 10
