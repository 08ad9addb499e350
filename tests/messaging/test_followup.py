"""Deals followed up: 21 days after a conversation starts, each company is asked once whether an
exchange happened; its signed links (valid, expired, reused, tampered) record one answer."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from messaging import followup
from messaging.models import DealFollowUp
from tests import factories

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def conversation(company, company_admin, other_company, other_admin):
    listing = factories.ListingFactory(company=company)
    return factories.ConversationFactory(
        listing=listing, other_company=other_company, created_at=timezone.now() - timedelta(days=22)
    )


def test_each_company_is_asked_once(
    conversation, company_admin, other_admin, django_capture_on_commit_callbacks
):
    young = factories.ConversationFactory(created_at=timezone.now() - timedelta(days=5))
    old = factories.ConversationFactory(created_at=timezone.now() - timedelta(days=400))
    with django_capture_on_commit_callbacks(execute=True):
        assert followup.ask() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([company_admin.email, other_admin.email])
    assert "/messages/suivi/" in mail.outbox[0].body
    assert followup.ask() == 0
    assert not DealFollowUp.objects.filter(conversation__in=[young, old]).exists()


def _links(conversation, company):
    followup.ask()
    follow_up = DealFollowUp.objects.get(conversation=conversation, company=company)
    return follow_up, {a: path_of(followup.url_for(follow_up, a)) for a in ("yes", "no", "ongoing")}


def test_yes_with_quantity_marks_the_listing_fulfilled_once(conversation, company, other_company):
    follow_up, links = _links(conversation, company)
    page = Client().get(links["yes"])
    assert page.status_code == 200 and 'name="fulfil"' in page.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None  # opening the link records nothing
    response = Client().post(links["yes"], {"quantity": "12,5", "fulfil": "on"})
    assert response.status_code == 200
    follow_up.refresh_from_db()
    assert (follow_up.answer, str(follow_up.quantity), follow_up.listing_fulfilled) == (
        "yes",
        "12.50",
        True,
    )
    conversation.listing.refresh_from_db()
    assert conversation.listing.status == "fulfilled"
    assert conversation.listing.partner_company_id == other_company.pk
    # Reused, or another answer of the same e-mail: nothing changes.
    assert Client().post(links["no"]).status_code == 410
    follow_up.refresh_from_db()
    assert follow_up.answer == "yes"


def test_the_partner_answers_without_touching_the_listing(conversation, other_company):
    follow_up, links = _links(conversation, other_company)
    assert 'name="fulfil"' not in Client().get(links["yes"]).content.decode()
    assert Client().post(links["yes"], {"fulfil": "on"}).status_code == 200
    conversation.listing.refresh_from_db()
    assert conversation.listing.status == "published"
    follow_up.refresh_from_db()
    assert follow_up.answer == "yes" and follow_up.quantity is None


def test_no_and_ongoing_are_stored(conversation, company, other_company):
    _, links = _links(conversation, company)
    _, partner_links = _links(conversation, other_company)
    assert Client().post(links["ongoing"]).status_code == 200
    assert Client().post(partner_links["no"]).status_code == 200
    answers = dict(DealFollowUp.objects.values_list("company_id", "answer"))
    assert answers == {company.pk: "ongoing", other_company.pk: "no"}


def test_a_bad_quantity_is_refused_on_the_page(conversation, company):
    follow_up, links = _links(conversation, company)
    response = Client().post(links["yes"], {"quantity": "-3"})
    assert response.status_code == 400 and "quantité positive" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None


def test_expired_link_is_refused(conversation, company, settings):
    follow_up, links = _links(conversation, company)
    settings.FRESHNESS_LINK_DAYS = -1
    assert Client().post(links["yes"]).status_code == 410
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None


def test_tampered_link_is_refused(conversation, company):
    follow_up, links = _links(conversation, company)
    token = links["yes"].rstrip("/").rsplit("/", 1)[1]
    forged = signing.dumps({"f": follow_up.pk, "a": "yes"}, salt="autre")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "x"):
        assert Client().post(f"/messages/suivi/{bad}/").status_code == 400
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None
