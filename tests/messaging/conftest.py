"""Fixtures of the messaging tests: a live listing of `company` and a conversation about it."""

import pytest

from accounts.models import Membership
from messaging import services
from tests import factories


@pytest.fixture
def listing(company):
    """A published offer of `company` (Lyon)."""
    return factories.ListingFactory(company=company, title="Chariot élévateur à prêter")


@pytest.fixture
def owner(company):
    return factories.MembershipFactory(company=company, role=Membership.Role.ADMIN).user


@pytest.fixture
def owner_colleague(company):
    return factories.MembershipFactory(company=company, role=Membership.Role.MEMBER).user


@pytest.fixture
def writer(other_company):
    """A member of `other_company`, the company that contacts the listing's owner."""
    return factories.MembershipFactory(company=other_company).user


@pytest.fixture
def writer_colleague(other_company):
    return factories.MembershipFactory(company=other_company, role=Membership.Role.MEMBER).user


@pytest.fixture
def outsider(db):
    """A member of a third verified company."""
    return factories.MembershipFactory(company=factories.CompanyFactory(postal_code="42000")).user


@pytest.fixture
def conversation(listing, writer, owner):
    conversation, _created = services.conversation_start(
        listing=listing, by=writer, body="Bonjour, votre chariot est-il disponible ?"
    )
    return conversation


@pytest.fixture(autouse=True)
def _typing_throttle_forgotten():
    """Typing frames are throttled per user and conversation in the process: ids come back
    from one test to the next."""
    services._typing_relayed.clear()
    yield
    services._typing_relayed.clear()
