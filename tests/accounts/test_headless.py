"""allauth's headless API (app client): signup, code verification, login, logout, and the
X-Session-Token on /api/v1/."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from tests import factories
from tests.commit_hooks import CommittingClient

pytestmark = pytest.mark.django_db

BASE = "/_allauth/app/v1"
PASSWORD = "Entraide-solide-2026"


def code_from_last_email() -> str:
    body = mail.outbox[-1].body
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.MULTILINE)
    assert match, body
    return match.group(1)


def test_headless_signup_verify_login_logout_flow():
    client = CommittingClient()
    response = client.post(
        f"{BASE}/auth/signup",
        {"email": "Nouvelle@Entreprise.fr", "password": PASSWORD, **factories.signup_details()},
        content_type="application/json",
    )
    assert response.status_code == 401, response.json()
    body = response.json()
    pending = [flow for flow in body["data"]["flows"] if flow.get("is_pending")]
    assert [flow["id"] for flow in pending] == ["verify_email"]
    token = body["meta"]["session_token"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nouvelle@entreprise.fr"]
    code = code_from_last_email()

    # A wrong code is refused, the right one logs the user in.
    response = client.post(
        f"{BASE}/auth/email/verify",
        {"key": "ZZZZZZ"},
        content_type="application/json",
        headers={"X-Session-Token": token},
    )
    assert response.status_code == 400
    response = client.post(
        f"{BASE}/auth/email/verify",
        {"key": code},
        content_type="application/json",
        headers={"X-Session-Token": token},
    )
    assert response.status_code == 200, response.json()
    token = response.json()["meta"]["session_token"]
    me = client.get("/api/v1/me/", headers={"X-Session-Token": token})
    assert me.status_code == 200
    assert me.json()["email"] == "nouvelle@entreprise.fr"

    # Log out, then in again with e-mail and password.
    response = client.delete(f"{BASE}/auth/session", headers={"X-Session-Token": token})
    assert response.status_code == 401
    assert client.get("/api/v1/me/", headers={"X-Session-Token": token}).status_code == 401

    response = client.post(
        f"{BASE}/auth/login",
        {"email": "nouvelle@entreprise.fr", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    token = response.json()["meta"]["session_token"]
    assert client.get("/api/v1/me/", headers={"X-Session-Token": token}).status_code == 200
    assert User.objects.get(email="nouvelle@entreprise.fr").emailaddress_set.get().verified


def test_headless_login_before_verification_sends_a_new_code_at_most_every_10_s():
    from django.core.cache import cache

    client = CommittingClient()
    client.post(
        f"{BASE}/auth/signup",
        {"email": "a@entreprise.fr", "password": PASSWORD, **factories.signup_details()},
        content_type="application/json",
    )
    credentials = {"email": "a@entreprise.fr", "password": PASSWORD}
    # Within 10 s of the first code, allauth refuses to send another one.
    response = client.post(f"{BASE}/auth/login", credentials, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "too_many_login_attempts"

    cache.clear()  # the rate limits count in the cache: as if 10 s had passed
    response = client.post(f"{BASE}/auth/login", credentials, content_type="application/json")
    assert response.status_code == 401
    assert "session_token" in response.json()["meta"]
    pending = [f["id"] for f in response.json()["data"]["flows"] if f.get("is_pending")]
    assert pending == ["verify_email"]
    assert len(mail.outbox) == 2


def test_headless_signup_rejects_a_weak_password():
    response = Client().post(
        f"{BASE}/auth/signup",
        {"email": "b@entreprise.fr", "password": "123"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert any(e["param"] == "password" for e in response.json()["errors"])
    assert not User.objects.filter(email="b@entreprise.fr").exists()


def test_headless_login_with_a_wrong_password():
    user = factories.UserFactory()
    response = Client().post(
        f"{BASE}/auth/login",
        {"email": user.email, "password": "pas-le-bon"},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_failed_logins_are_rate_limited():
    user = factories.UserFactory()
    client = Client()

    def login(password):
        return client.post(
            f"{BASE}/auth/login",
            {"email": user.email, "password": password},
            content_type="application/json",
        )

    codes = [login("pas-le-bon").json()["errors"][0]["code"] for _ in range(5)]
    assert codes == ["email_password_mismatch"] * 5
    assert login("pas-le-bon").status_code == 429
    # From that address even the right password waits (5 failures per 5 minutes); other
    # addresses are not locked (tests/core/test_throttles.py).
    response = login(factories.PASSWORD)
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_x_session_token_authenticates_api_v1():
    user = factories.UserFactory()
    client = Client()
    response = client.post(
        f"{BASE}/auth/login",
        {"email": user.email, "password": factories.PASSWORD},
        content_type="application/json",
    )
    token = response.json()["meta"]["session_token"]
    me = Client().get("/api/v1/me/", headers={"X-Session-Token": token})
    assert me.status_code == 200
    assert me.json()["id"] == user.pk
    # Writes with the token need no CSRF token (it is not a cookie).
    response = Client(enforce_csrf_checks=True).patch(
        "/api/v1/me/",
        {"first_name": "Camille"},
        content_type="application/json",
        headers={"X-Session-Token": token},
    )
    assert response.status_code == 200
    assert User.objects.get(pk=user.pk).first_name == "Camille"


def test_bad_session_token_is_401():
    response = Client().get("/api/v1/me/", headers={"X-Session-Token": "invalide"})
    assert response.status_code == 401
