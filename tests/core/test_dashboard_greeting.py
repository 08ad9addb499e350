"""The member dashboard greets the person by their first name, their company beside."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories

pytestmark = pytest.mark.django_db


def heading(client, user, language="fr") -> str:
    client.force_login(user)
    with translation.override(language):
        html = unescape(
            client.get(reverse("home"), headers={"Accept-Language": language}).content.decode()
        )
    (h1,) = re.findall(r"<h1>(.*?)</h1>", html, re.S)
    return re.sub(r"<[^>]+>", "", h1)


def test_the_dashboard_greets_the_person_with_their_company_beside(client):
    marie = factories.MembershipFactory(
        user__first_name="Marie",
        user__last_name="Durand",
        company__name="Transports Martin",
    ).user

    assert heading(client, marie) == "Bonjour Marie · Transports Martin"


def test_a_person_without_a_first_name_is_greeted_by_their_display_name(client):
    nameless = factories.MembershipFactory(
        user__first_name="", user__last_name="", company__name="Menuiserie Durand"
    ).user

    assert heading(client, nameless) == (f"Bonjour Membre n° {nameless.pk} · Menuiserie Durand")


def test_the_greeting_in_english(client):
    marie = factories.MembershipFactory(
        user__first_name="Marie", user__language="en", company__name="Transports Martin"
    ).user
    marie.language = "en"
    marie.save(update_fields=["language"])

    assert heading(client, marie, "en") == "Hello Marie · Transports Martin"
