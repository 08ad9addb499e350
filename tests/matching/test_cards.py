"""Suggestion cards kept rendered per process (bourse/matching/cards.py): the suggestions page
and a listing's page show what the database holds at once, byte for byte what rendering every
card would give, with each request's own CSRF token and page to come back to."""

import re

import pytest
from django.template import Context, Template
from django.test import Client

from accounts.models import Company
from bourse.listings.models import Category, Listing
from bourse.matching import cards
from tests import factories

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _nothing_kept():
    cards.forget()
    yield
    cards.forget()


@pytest.fixture
def offers(need, family):
    """Three counterparts of `need`: one with a photo, one of a neighbouring category, one of a
    company whose name needs escaping."""
    made = [
        factories.ListingFactory(
            kind="offer",
            category=category,
            postal_code="69003",
            title=f"Entrepôt avec quai pour palettes, lot {i}",
            description="Quai de chargement couvert.",
            company=factories.CompanyFactory(postal_code="69003", name=name),
        )
        for i, (category, name) in enumerate(
            [
                (family[1], "Transports Rhône"),
                (family[2], "Froid & Fils"),
                (family[1], 'Logistique "<Lyon>"'),
            ]
        )
    ]
    factories.ListingPhotoFactory(listing=made[0])
    return made


@pytest.fixture
def logged_in(client, company_member):
    client.force_login(company_member)
    return client


def _page(client, language: str = "fr", path: str = "/suggestions/") -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def _tokens(html: str) -> set[str]:
    return set(TOKEN.findall(html))


def _scores(html: str) -> list[str]:
    return sorted(re.findall(r'class="score"[^>]*>(\d+) %</span>', html))


def _without_tokens(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("path", ["/suggestions/", '/suggestions/?depuis=<accueil>&x="1"'])
def test_kept_cards_are_byte_for_byte_the_rendered_ones(
    logged_in, settings, offers, language, path
):
    settings.RENDERED_FRAGMENTS_KEPT = 0  # every card rendered by the template
    rendered = _page(logged_in, language, path)
    settings.RENDERED_FRAGMENTS_KEPT = 100
    first = _page(logged_in, language, path)  # rendered and kept
    again = _page(logged_in, language, path)  # from what was kept
    assert _without_tokens(rendered) == _without_tokens(first) == _without_tokens(again)
    assert len(cards._cards) == len(offers)
    assert rendered.count('class="card listing-card suggestion"') == len(offers)
    assert rendered.count("<img src=") == 1 and rendered.count("listing-placeholder") == 2
    assert "Logistique &quot;&lt;Lyon&gt;&quot;" in again


def test_each_page_has_its_own_csrf_token_and_path(client, company_member, need, offers):
    client = Client(enforce_csrf_checks=True)
    client.force_login(company_member)
    one = _page(client, path="/suggestions/?page=un")
    two = _page(client, path="/suggestions/?page=deux")
    # One token per page, in every form of it (the cards' two and the layout's), as rendering
    # each card gave it.
    assert len(_tokens(one)) == len(_tokens(two)) == 1 and _tokens(one) != _tokens(two)
    assert len(TOKEN.findall(two)) == 2 * len(offers) + len(TOKEN.findall(_page(client, "fr", "/")))
    assert re.findall(r'name="next" value="([^"]*)"', two) == ["/suggestions/?page=deux"] * 3
    # The kept card's token is the request's: "Masquer" goes through the CSRF check.
    (token,) = _tokens(two)
    response = client.post(
        f"/suggestions/masquer/{offers[1].pk}/",
        {"csrfmiddlewaretoken": token, "next": "/suggestions/?page=deux"},
    )
    assert response.status_code == 302 and response["Location"] == "/suggestions/?page=deux"


def test_a_change_shows_on_the_next_page(logged_in, offers):
    before = _page(logged_in)
    assert "Transports Rhône" in before and "Entrepôt sec (test)" in before
    Listing.objects.filter(pk=offers[0].pk).update(title="Entrepôt <neuf> avec quai")
    Company.objects.filter(pk=offers[0].company_id).update(name="Rhône Logistique")
    Category.objects.filter(pk=offers[2].category_id).update(name="Dépôt sec")
    factories.ListingPhotoFactory(listing=offers[1])
    after = _page(logged_in)
    assert "Entrepôt &lt;neuf&gt; avec quai" in after and "lot 0" not in after
    assert "Rhône Logistique" in after and "Transports Rhône" not in after
    assert ">Dépôt sec</span>" in after
    assert after.count("listing-placeholder") == 1  # two of three have a photo now


def test_the_reasons_are_part_of_the_card(logged_in, company, offers, family):
    before = _page(logged_in)
    assert "moins suggérée" not in before
    # Two dismissed listings of a category lower the others of it: their score and reasons
    # change, the other category's card stays as it was.
    for _ in range(2):
        factories.DismissalFactory(
            company=company, listing=factories.ListingFactory(kind="offer", category=family[1])
        )
    after = _page(logged_in)
    assert after.count("moins suggérée : vous avez masqué 2 annonces de cette catégorie") == 2
    assert before.count("%</span>") == after.count("%</span>") == len(offers)
    assert _scores(after) != _scores(before)


def test_language_is_part_of_the_card(logged_in, offers):
    french, english = _page(logged_in, "fr"), _page(logged_in, "en")
    assert ">offre</span>" in french and ">offer</span>" in english
    assert "même catégorie" in french and "même catégorie" not in english


def test_a_title_holding_the_marks_is_shown_as_typed(logged_in, offers):
    Listing.objects.filter(pk=offers[0].pk).update(title="Lot <!--next--> <!--csrf--> x")
    html = _page(logged_in, path="/suggestions/?p=1")
    assert "Lot &lt;!--next--&gt; &lt;!--csrf--&gt; x" in html
    assert html.count('name="next" value="/suggestions/?p=1"') == len(offers)


def test_the_listing_page_shows_the_same_cards(logged_in, settings, need, offers):
    settings.RENDERED_FRAGMENTS_KEPT = 0
    rendered = _page(logged_in, path=f"/annonces/{need.pk}/")
    settings.RENDERED_FRAGMENTS_KEPT = 100
    kept = _page(logged_in, path=f"/annonces/{need.pk}/")
    assert _without_tokens(kept) == _without_tokens(_page(logged_in, path=f"/annonces/{need.pk}/"))
    assert _without_tokens(rendered) == _without_tokens(kept)
    assert kept.count('class="card listing-card suggestion"') == len(offers)
    assert len(_tokens(kept)) == 1
    assert f'name="next" value="/annonces/{need.pk}/"' in kept


@pytest.mark.parametrize("token", ["abc", "a<b", "", None, cards.CSRF_MARK])
def test_the_forms_token_is_what_the_template_tag_writes(token):
    context = {} if token is None else {"csrf_token": token}
    assert cards._csrf_input(token) == Template("{% csrf_token %}").render(Context(context))


def test_without_a_token_the_forms_have_none():
    assert cards._csrf_input(None) == cards._csrf_input("NOTPROVIDED") == ""


def test_the_process_keeps_at_most_the_setting(logged_in, settings, offers):
    settings.RENDERED_FRAGMENTS_KEPT = 2
    _page(logged_in)
    assert len(cards._cards) == 2
    settings.RENDERED_FRAGMENTS_KEPT = 0
    cards.forget()
    _page(logged_in)
    assert len(cards._cards) == 0
