"""JSON bodies at the edge: too deep, too large or broken is a 400 with a French message,
never a 500 — on the API (DRF) and on allauth's headless API."""

import json

import pytest
from django.test import Client


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def invite_url(company):
    return f"/api/v1/companies/{company.pk}/invitations/"


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_body_is_a_400(client_for, company_admin, invite_url, depth):
    response = client_for(company_admin).generic(
        "POST", invite_url, nested(depth), content_type="application/json"
    )
    assert response.status_code == 400
    assert "trop imbriqué" in response.json()["detail"]


@pytest.mark.django_db
def test_nesting_within_the_limit_is_read(client_for, company_admin, invite_url, settings):
    body = {"email": "a@exemple.fr", "extra": json.loads(nested(settings.API_JSON_MAX_DEPTH - 1))}
    response = client_for(company_admin).post(invite_url, body, format="json")
    assert response.status_code == 201


@pytest.mark.django_db
def test_oversized_body_is_a_400(client_for, company_admin, invite_url, settings):
    settings.API_JSON_MAX_BYTES = 1024
    body = json.dumps({"email": "a@exemple.fr", "padding": "x" * 2000})
    response = client_for(company_admin).generic(
        "POST", invite_url, body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "trop volumineux" in response.json()["detail"]


@pytest.mark.django_db
def test_broken_json_is_a_400(client_for, company_admin, invite_url):
    response = client_for(company_admin).generic(
        "POST", invite_url, '{"email": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON invalide" in response.json()["detail"]


@pytest.mark.django_db
def test_headless_api_answers_400_to_a_deeply_nested_body():
    response = Client().generic(
        "POST", "/_allauth/app/v1/auth/login", nested(100_000), content_type="application/json"
    )
    assert response.status_code == 400
    assert "trop imbriqué" in response.json()["detail"]
