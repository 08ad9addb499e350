"""`load_demo` as `make run` runs it: the whole data set, then a second run after a person has
registered a company by hand, which the demo never touches."""

import io

import pytest
from django.core.management import call_command

from accounts.models import Company
from bourse.demo.companies import EASY_LOGINS
from bourse.listings.models import Listing
from bourse.matching.models import Match, SavedSearchHit
from bourse.notifications.models import Notification
from messaging.models import Conversation, Message
from tests import factories

pytestmark = pytest.mark.django_db


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Company, Listing, Match, SavedSearchHit, Notification, Conversation, Message)
    }


def test_load_demo_twice_touches_only_the_demo_companies():
    call_command("load_demo", stdout=io.StringIO())
    first = counts()
    assert first["Listing"] >= 150 and first["Match"] >= 3 and first["Conversation"] >= 50

    # Every demo member one logs in with has a conversation waiting.
    for email, *_rest, status in EASY_LOGINS:
        if status != "verified":
            continue
        company = Company.objects.get(memberships__user__email=email)
        assert Conversation.objects.of_company(company.pk).exists(), email

    # A person registers a company by hand and publishes what demo companies also publish.
    member = factories.MembershipFactory(company=factories.CompanyFactory(postal_code="69003"))
    hand_made = member.company
    twin = Listing.objects.published().filter(company__departement="69").first()
    mine = factories.ListingFactory(
        company=hand_made, kind=twin.kind, category=twin.category, title=twin.title
    )

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    second = counts()
    assert second == {**first, "Company": first["Company"] + 1, "Listing": first["Listing"] + 1}
    assert list(hand_made.listings.all()) == [mine]
    assert not Notification.objects.filter(company=hand_made).exists()
    assert not Conversation.objects.of_company(hand_made.pk).exists()
    assert "0 demo listings created" in out.getvalue()
    assert "0 new matches" in out.getvalue()
