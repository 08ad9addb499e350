"""The layout every page shares: navigation by role, favicon."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_user_without_company_is_invited_to_declare_one(client):
    client.force_login(factories.UserFactory())
    html = client.get(reverse("home")).content.decode()
    assert reverse("accounts:company_create") in html


def test_moderator_without_company_is_not_asked_to_declare_one(client, moderator):
    client.force_login(moderator)
    html = client.get(reverse("home"), follow=True).content.decode()
    assert reverse("accounts:company_create") not in html
    assert reverse("moderation:dashboard") in html


def test_favicon_is_linked_and_served(client):
    html = client.get(reverse("home")).content.decode()
    assert "img/favicon.svg" in html
    response = client.get("/static/img/favicon.svg")
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)
    response.close()
