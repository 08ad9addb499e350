"""Every URL of the project × method × persona gives the outcome its row in matrix.py says.

A URL without a row fails `test_every_url_has_a_row`: whoever adds a URL adds its row (one line
in tests/security/matrix.py). Each request runs in a savepoint rolled back at once, so the
world stays the same for every persona, and the throttles are lifted for the run.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from . import world as world_module
from .matrix import ROWS

PROJECT_PACKAGES = ("accounts", "bourse", "messaging")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def project_urls():
    """(name, route, methods or None) of every URL whose view is the project's own code
    (Django's admin, allauth, the schema and i18n views are theirs: not listed)."""

    def walk(resolver, prefix="", namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                yield namespace + (pattern.name or ""), prefix + str(pattern.pattern), pattern

    for name, route, pattern in walk(get_resolver()):
        callback = pattern.callback
        if getattr(callback, "__module__", "").split(".")[0] not in PROJECT_PACKAGES:
            continue
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        methods = None
        if view_class is not None:
            methods = {m for m in METHODS if hasattr(view_class, m.lower())}
        yield name, route, methods


def test_every_url_has_a_row():
    missing = []
    for name, route, methods in project_urls():
        if name not in ROWS:
            missing.append(f"{route} (name {name!r}): no row")
            continue
        rowed = set(ROWS[name][1])
        if methods is not None and methods - rowed:
            missing.append(f"{route}: no row for {sorted(methods - rowed)}")
    assert not missing, "Add these to tests/security/matrix.py:\n" + "\n".join(missing)


def test_every_row_is_a_url():
    names = {name for name, _route, _methods in project_urls()}
    assert set(ROWS) - names == set()


def outcome(response, persona: str, *, strict_400: bool = False) -> str:
    status = response.status_code
    if status >= 500:
        return f"{status}"
    if status == 401 or (status == 403 and persona == "anon"):
        return "auth"
    if status in (301, 302) and "/comptes/login/" in response.get("Location", ""):
        return "auth"
    if status in (403, 404, 405, 503):
        return str(status)
    if status == 400 and strict_400:
        return "400"
    return "ok"


@pytest.fixture
def no_throttles(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "writes_user": None,
            "writes_company": None,
            "photo_uploads": None,
        },
    }


@pytest.mark.django_db
def test_authorization_matrix(no_throttles):
    world = world_module.build()
    clients = {}
    for persona, user in world.users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        clients[persona] = client

    mismatches = []
    for name, (params, methods, *rest) in sorted(ROWS.items()):
        url = reverse(name, kwargs={key: world.ids[value] for key, value in params.items()})
        body = {
            key: world.ids[value[1:]] if isinstance(value, str) and value.startswith("@") else value
            for key, value in (rest[0] if rest else {}).items()
        }
        for method, row in methods.items():
            expected = row.split()
            assert len(expected) == len(world_module.PERSONAS), f"{name} {method}: 10 columns"
            got = []
            for persona in world_module.PERSONAS:
                client = clients[persona]
                with transaction.atomic():
                    if method == "GET":
                        response = client.get(url)
                    elif name.startswith("api-") or "/api/" in url:
                        response = getattr(client, method.lower())(
                            url, body, content_type="application/json"
                        )
                    else:  # pages post forms
                        response = getattr(client, method.lower())(url, body)
                    transaction.set_rollback(True)
                got.append(outcome(response, persona, strict_400="400" in expected))
            if got != expected:
                mismatches.append(
                    f"{method:6} {url:55} expected {' '.join(expected)}\n"
                    f"{'':63} got      {' '.join(got)}"
                )
    header = "columns: " + " ".join(world_module.PERSONAS)
    assert not mismatches, header + "\n" + "\n".join(mismatches)
