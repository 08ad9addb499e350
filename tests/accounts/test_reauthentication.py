"""Deleting one's account asks for the password again (allauth's reauthentication), on the web
and over the API (app token and browser session alike)."""

import pytest
from django.test import Client

from accounts.models import User
from tests import factories
from tests.commit_hooks import CommittingClient

pytestmark = pytest.mark.django_db

APP = "/_allauth/app/v1"
BROWSER = "/_allauth/browser/v1"


def test_web_delete_asks_for_the_password_then_deletes(company_admin):
    client = Client()
    response = client.post(
        "/comptes/login/", {"login": company_admin.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    # Logged in with the password a minute ago is not enough: it is asked again.
    response = client.post("/mon-compte/supprimer/", {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/reauthenticate/")
    assert User.objects.filter(pk=company_admin.pk).exists()

    page = client.get(response["Location"])
    assert page.status_code == 200
    response = client.post(response["Location"], {"password": "pas-le-bon"})
    assert response.status_code == 200  # the form again, with its error
    assert User.objects.filter(pk=company_admin.pk).exists()

    # The right password: allauth replays the deletion it had set aside.
    response = client.post(
        "/comptes/reauthenticate/?next=/mon-compte/supprimer/",
        {"password": factories.PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert not User.objects.filter(pk=company_admin.pk).exists()


def test_web_delete_page_after_the_password_shows_the_form(company_admin):
    client = Client()
    client.post("/comptes/login/", {"login": company_admin.email, "password": factories.PASSWORD})
    response = client.get("/mon-compte/supprimer/")
    assert response["Location"].startswith("/comptes/reauthenticate/")
    response = client.post(response["Location"], {"password": factories.PASSWORD})
    assert response["Location"] == "/mon-compte/supprimer/"
    page = client.get("/mon-compte/supprimer/")
    assert page.status_code == 200 and "Supprimer définitivement" in page.content.decode()
    assert client.post("/mon-compte/supprimer/", {})
    assert User.objects.filter(pk=company_admin.pk).exists()  # the box is still to tick
    assert client.post("/mon-compte/supprimer/", {"confirm": "on"})["Location"] == "/"
    assert not User.objects.filter(pk=company_admin.pk).exists()


def _app_login(client, user) -> str:
    response = client.post(
        f"{APP}/auth/login",
        {"email": user.email, "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    return response.json()["meta"]["session_token"]


def test_api_delete_answers_the_reauthenticate_flow_until_the_password_is_given(company_admin):
    client = CommittingClient()
    token = _app_login(client, company_admin)
    headers = {"X-Session-Token": token}

    response = client.delete("/api/v1/me/", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert {"id": "reauthenticate"} in body["data"]["flows"]
    assert body["meta"]["is_authenticated"] is True
    assert User.objects.filter(pk=company_admin.pk).exists()

    response = client.post(
        f"{APP}/auth/reauthenticate",
        {"password": "pas-le-bon"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 400
    assert client.delete("/api/v1/me/", headers=headers).status_code == 401

    response = client.post(
        f"{APP}/auth/reauthenticate",
        {"password": factories.PASSWORD},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.json()
    assert client.delete("/api/v1/me/", headers=headers).status_code == 204
    assert not User.objects.filter(pk=company_admin.pk).exists()


def test_api_delete_with_the_browser_session(company_admin):
    client = CommittingClient(enforce_csrf_checks=False)
    client.force_login(company_admin)
    assert client.delete("/api/v1/me/").status_code == 401
    response = client.post(
        f"{BROWSER}/auth/reauthenticate",
        {"password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert client.delete("/api/v1/me/").status_code == 204
    assert not User.objects.filter(pk=company_admin.pk).exists()


def test_a_reauthentication_expires(company_admin, settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    client = CommittingClient()
    token = _app_login(client, company_admin)
    headers = {"X-Session-Token": token}
    client.post(
        f"{APP}/auth/reauthenticate",
        {"password": factories.PASSWORD},
        content_type="application/json",
        headers=headers,
    )
    assert client.delete("/api/v1/me/", headers=headers).status_code == 401
