"""Security headers on pages and API responses alike, and templates the CSP can serve as they are
(no inline script, no inline style, no event-handler attribute)."""

import re
from pathlib import Path

import pytest
from django.test import Client

from tests import factories

ROOT = Path(__file__).resolve().parents[2]

URLS = [
    "/",  # page
    "/annonces/",  # page with the map and htmx
    "/comptes/login/",  # allauth page
    "/api/docs/",  # Swagger UI
    "/api/schema/",  # OpenAPI document
    "/api/v1/categories/",  # API, JSON
    "/api/v1/me/",  # API refusal (401/403)
    "/page-qui-n-existe-pas/",  # 404
]


@pytest.fixture
def member_client(db):
    user = factories.MembershipFactory().user
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_every_response_carries_the_security_headers(url, member_client):
    for client in (Client(), member_client):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        policy = response.headers["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment"):
            assert f"{feature}=()" in policy
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/api/v1/categories/"])
def test_hsts_over_https_as_in_production(url, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = Client().get(url, secure=True)
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "script"),
    (re.compile(r"<style\b", re.I), "<style>"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_have_no_inline_script_or_style():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, "The CSP refuses these; move them to frontend/:\n" + "\n".join(found)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/annonces/", "/comptes/login/", "/api/docs/"])
def test_rendered_pages_have_no_inline_script_or_style(url, member_client):
    html = member_client.get(url).content.decode()
    for pattern, what in INLINE:
        assert not pattern.search(html), f"{url}: {what}"
