"""`load_demo` as `make run` runs it (on two départements rather than seven, to keep the suite
fast), then a second run after a person has registered a company by hand, which the demo never
touches."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import Company
from bourse.demo import companies, listings
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


@pytest.fixture
def smaller_demo(monkeypatch):
    monkeypatch.setattr(companies, "DEPARTEMENTS", {"69": 16, "42": 10})
    monkeypatch.setattr(companies, "PENDING_COUNT", 3)
    monkeypatch.setattr(companies, "SUSPENDED_COUNT", 1)
    monkeypatch.setattr(listings, "TARGET", 60)


def test_load_demo_twice_touches_only_the_demo_companies(smaller_demo):
    call_command("load_demo", stdout=io.StringIO())
    first = counts()
    assert first["Company"] == 26 and first["Listing"] >= 50
    assert first["Match"] >= 1 and first["Conversation"] >= 12

    # Every demo member one logs in with has a conversation waiting.
    for email, departement, _postal_code, status in companies.EASY_LOGINS:
        if status != "verified" or departement not in companies.DEPARTEMENTS:
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


def test_make_run_gives_the_served_address_to_the_links_in_e_mails():
    """`make run HOST=... PORT=...` serves there; SITE_URL (the links in e-mails) follows."""
    if shutil.which("make") is None:
        pytest.skip("needs make")
    root = Path(__file__).resolve().parents[2]
    plan = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=9000"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    commands = [line for line in plan.splitlines() if "load_demo" in line or "uvicorn" in line]
    assert len(commands) == 2
    assert all("SITE_URL=http://0.0.0.0:9000" in line for line in commands)
