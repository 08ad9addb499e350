"""The terms of use: the page, and the web asking whoever has not accepted the version in force."""

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

ACCEPT = "/conditions-d-utilisation/accepter/"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def old_app_user(company):
    """An account made by an app client that sent no terms (nor names)."""
    user = factories.UserFactory(
        terms_accepted_at=None, terms_version="", first_name="", last_name=""
    )
    factories.MembershipFactory(user=user, company=company)
    return user


def test_terms_page_is_public_in_french_and_linked_from_every_footer(settings):
    html = Client().get("/conditions-d-utilisation/").content.decode()
    assert "<h1>Conditions d'utilisation</h1>" in html
    assert f"Version en vigueur : {settings.TERMS_VERSION}" in html
    assert "Vérification par la CCI" in html and "droit français" in html
    home = Client().get("/").content.decode()
    assert 'href="/conditions-d-utilisation/"' in home and 'href="/confidentialite/"' in home


def test_an_account_without_the_terms_is_sent_to_accept_them_from_any_page(old_app_user):
    client = logged_in(old_app_user)
    for path in ("/", "/entreprise/", "/annonces/", "/mon-compte/", "/messages/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{ACCEPT}?next="), path
    response = client.post("/mon-compte/", {"first_name": "X"})
    assert response.status_code == 302 and response["Location"] == ACCEPT


def test_legal_pages_logout_export_the_api_and_htmx_are_not_blocked(old_app_user):
    client = logged_in(old_app_user)
    for path in ("/conditions-d-utilisation/", "/confidentialite/", "/accessibilite/", ACCEPT):
        assert client.get(path).status_code == 200, path
    assert client.get("/mon-compte/export/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    response = client.get("/entreprise/", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"].startswith(ACCEPT)
    assert client.post("/comptes/logout/").status_code == 302
    assert client.get("/mon-compte/")["Location"].startswith("/comptes/login/")


def test_accepting_asks_the_missing_names_then_goes_where_the_person_was_going(old_app_user):
    client = logged_in(old_app_user)
    html = client.get(f"{ACCEPT}?next=/annonces/").content.decode()
    assert "Acceptez les conditions d'utilisation" in html
    assert 'name="first_name"' in html and 'value="/annonces/"' in html

    response = client.post(ACCEPT, {"next": "/annonces/", "first_name": "Paul"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-error-summary" in html and "Indiquez votre nom." in html
    assert "Acceptez les conditions d&#x27;utilisation pour continuer" in html
    old_app_user.refresh_from_db()
    assert not old_app_user.has_accepted_current_terms and old_app_user.first_name == ""

    response = client.post(
        ACCEPT, {"next": "/annonces/", "first_name": "Paul", "last_name": "Girard", "accept": "on"}
    )
    assert response.status_code == 302 and response["Location"] == "/annonces/"
    old_app_user.refresh_from_db()
    assert old_app_user.has_accepted_current_terms
    assert old_app_user.display_name == "Paul Girard"
    assert client.get("/annonces/").status_code == 200


def test_an_outside_next_is_ignored(old_app_user):
    client = logged_in(old_app_user)
    response = client.post(
        ACCEPT,
        {"next": "https://ailleurs.example/", "first_name": "P", "last_name": "G", "accept": "on"},
    )
    assert response["Location"] == "/"


def test_new_terms_are_asked_again_of_everyone(settings, company_member):
    client = logged_in(company_member)
    assert client.get("/entreprise/").status_code == 200
    settings.TERMS_VERSION = "2027-06-01"
    response = client.get("/entreprise/")
    assert response["Location"] == f"{ACCEPT}?next=/entreprise/"
    html = client.get(ACCEPT).content.decode()
    assert "Nos conditions d'utilisation ont changé" in html
    assert 'name="first_name"' not in html  # the names are known
    response = client.post(ACCEPT, {"accept": "on"})
    assert response.status_code == 302
    company_member.refresh_from_db()
    assert company_member.terms_version == "2027-06-01"
    assert client.get("/entreprise/").status_code == 200


def test_anonymous_visitors_are_never_asked():
    assert Client().get("/").status_code == 200
    assert Client().get(ACCEPT)["Location"].startswith("/comptes/login/")
