"""The privacy and accessibility pages exist, say what the rules are, and every page links them."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_privacy_page_says_what_how_long_and_who(client, settings):
    settings.PRIVACY_CONTACT_EMAIL = "dpo@cci-exemple.fr"
    response = client.get(reverse("privacy"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "dpo@cci-exemple.fr" in body
    assert f"{settings.RETENTION_CONVERSATION_MONTHS} mois" in body
    assert f"{settings.RETENTION_DRAFT_MONTHS} mois" in body
    assert f"{settings.RETENTION_ACCOUNT_MONTHS} mois" in body
    assert "CNIL" in body


def test_privacy_page_links_the_rights_for_a_logged_in_user(client, django_user_model):
    user = django_user_model.objects.create_user(email="a@example.fr", password="x-Secret-123")
    client.force_login(user)
    body = client.get(reverse("privacy")).content.decode()
    for name in ("accounts:profile", "accounts:export", "accounts:delete"):
        assert f'href="{reverse(name)}"' in body


def test_accessibility_statement(client):
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "RGAA" in body and "Défenseur des droits" in body


@pytest.mark.parametrize("name", ["home", "listings:search", "account_login", "privacy"])
def test_every_page_footer_links_both(client, name):
    body = client.get(reverse(name)).content.decode()
    footer = body[body.index('<footer class="site-footer">') :]
    assert f'href="{reverse("privacy")}"' in footer
    assert f'href="{reverse("accessibility")}"' in footer
