"""The cast of the moderation tests: one client per role, objects in Rhône (69)."""

import pytest
from rest_framework.test import APIClient

from tests import factories

ROLES = ["anonymous", "plain_user", "company_member", "other_moderator", "moderator", "national"]


@pytest.fixture
def moderator_69(db):
    return factories.ModeratorFactory(departements=["69"]).user


@pytest.fixture
def moderator_75(db):
    """A moderator whose territory (Paris) does not cover Rhône."""
    return factories.ModeratorFactory(departements=["75"]).user


@pytest.fixture
def national(db):
    return factories.ModeratorFactory(is_national=True, departements=[]).user


@pytest.fixture
def role_user(db, moderator_69, moderator_75, national):
    """The user acting in a role of the matrix (None for anonymous)."""

    def make(role: str):
        if role == "anonymous":
            return None
        if role == "plain_user":
            return factories.UserFactory()
        if role == "company_member":
            return factories.MembershipFactory().user
        return {"other_moderator": moderator_75, "moderator": moderator_69, "national": national}[
            role
        ]

    return make


@pytest.fixture
def as_role(role_user):
    def make(role: str) -> APIClient:
        client = APIClient()
        user = role_user(role)
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def make_conversation(db):
    """A conversation about `listing` started by `other` (a company), with messages.

    `messages` is a list of (company, body, created_at or None)."""
    from django.utils import timezone

    def make(listing, other, messages=(), created_at=None):
        conversation = factories.ConversationFactory(
            listing=listing, other_company=other, created_at=created_at or timezone.now()
        )
        for company, body, at in messages:
            factories.MessageFactory(
                conversation=conversation,
                company=company,
                body=body,
                created_at=at or timezone.now(),
            )
        return conversation

    return make
