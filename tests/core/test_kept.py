"""`{% kept %}` (bourse/core/templatetags/kept.py): pieces of the layout rendered once per
process and key show byte for byte what rendering them would, for anonymous visitors and members,
in both languages, one after the other."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client

from bourse.core.templatetags import kept
from bourse.listings import cards
from bourse.listings.search import options
from tests import factories

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/annonces/",
    "/annonces/?q=palettes&near=69003",
    "/conditions-d-utilisation/",
    "/comptes/login/",
]
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def _nothing_kept():
    for module in (kept, cards, options):
        module.forget()
    yield
    for module in (kept, cards, options):
        module.forget()


def _pages(client, language: str) -> list[str]:
    """The pages' HTML, CSRF tokens aside (masked differently on every request)."""
    html = []
    for path in PAGES:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language, follow=True)
        assert response.status_code == 200, path
        html.append(_TOKEN.sub("csrf", response.content.decode()))
    return html


@pytest.fixture
def member_client(client):
    membership = factories.MembershipFactory()
    client.force_login(membership.user)
    return client


def test_kept_pieces_are_what_rendering_gives(client, settings):
    factories.ListingFactory(title="Palettes europe")
    settings.RENDERED_FRAGMENTS_KEPT = 0
    rendered = {language: _pages(client, language) for language in ("fr", "en")}
    settings.RENDERED_FRAGMENTS_KEPT = 100
    for _round in range(2):  # kept, then served from what was kept
        for language in ("fr", "en"):
            assert _pages(client, language) == rendered[language]
    # The header, the footer's two pieces and the search page's invitation, per language:
    # served again, not rendered again.
    assert len(kept._pieces) == 4 * 2


def test_a_member_never_gets_the_anonymous_header_nor_the_reverse(member_client, settings):
    settings.RENDERED_FRAGMENTS_KEPT = 100
    anonymous = Client()
    for _round in range(2):
        visitor = anonymous.get("/annonces/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        member = member_client.get("/annonces/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Se connecter" in visitor and "Se déconnecter" not in visitor
        assert "Se déconnecter" in member and "Créer un compte" not in member


def test_kept_needs_a_key():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load kept %}{% kept %}x{% endkept %}")


def test_each_place_and_value_is_its_own_piece(settings):
    settings.RENDERED_FRAGMENTS_KEPT = 100
    two = Template(
        "{% load kept %}{% kept a %}[{{ b }}]{% endkept %}{% kept a %}({{ b }}){% endkept %}"
    )
    assert two.render(Context({"a": 1, "b": "x"})) == "[x](x)"
    assert two.render(Context({"a": 2, "b": "y"})) == "[y](y)"
    # The key is what decides: the same `a` serves what was kept, as the module warns.
    assert two.render(Context({"a": 1, "b": "z"})) == "[x](x)"
