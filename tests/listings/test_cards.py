"""Listing cards kept rendered per process (bourse/listings/cards.py): a page shows what the
database holds at once, byte for byte what rendering every card would give."""

import re

import pytest

from accounts.models import Company
from bourse.listings import cards
from bourse.listings.models import Category, Listing
from bourse.listings.search import options
from tests import factories

pytestmark = pytest.mark.django_db

LYON = {"lat": "45.7640", "lon": "4.8357", "radius_km": "50"}


@pytest.fixture(autouse=True)
def _nothing_kept():
    cards.forget()
    options.forget()
    yield
    cards.forget()
    options.forget()


@pytest.fixture
def listings():
    company = factories.CompanyFactory(postal_code="69003", name="Transports Rhône & Fils")
    made = [
        factories.ListingFactory(company=company, title=f"Palettes lot {i}", kind=kind)
        for i, kind in enumerate(["offer", "need", "offer"])
    ]
    factories.ListingPhotoFactory(listing=made[0])
    return made


def _results(client, language: str = "fr", **query) -> str:
    response = client.get("/annonces/", query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<ul class="card-grid">')
    return html[start : html.index("</ul>", start)]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("query", [{}, LYON, {"q": "palettes", **LYON}])
def test_kept_cards_are_byte_for_byte_the_rendered_ones(
    client, settings, listings, language, query
):
    settings.RENDERED_FRAGMENTS_KEPT = 0  # every card rendered by the template
    rendered = _results(client, language, **query)
    settings.RENDERED_FRAGMENTS_KEPT = 100
    first = _results(client, language, **query)  # rendered and kept
    again = _results(client, language, **query)  # from what was kept
    assert rendered == first == again
    assert len(cards._cards) == len(listings)
    assert 'class="listing-card"' not in rendered  # sanity: the cards are there
    assert rendered.count('class="card listing-card"') == len(listings)


def test_the_distance_is_each_searchs_own(client, listings):
    from django.template.defaultfilters import floatformat

    from bourse.geo.distance import haversine_km

    def shown(lat: str, lon: str) -> str:
        km = haversine_km(float(lat), float(lon), listings[0].latitude, listings[0].longitude)
        return f"à {floatformat(km, 0)} km"

    near = _results(client, **LYON)
    assert re.findall(r"· (à \d+ km) ·", near) == [shown(LYON["lat"], LYON["lon"])] * 3
    # The same kept cards, another point: another distance; no point: none.
    far = _results(client, lat="45.1885", lon="5.7245", radius_km="200")  # Grenoble
    assert re.findall(r"· (à \d+ km) ·", far) == [shown("45.1885", "5.7245")] * 3
    assert shown("45.1885", "5.7245") != shown(LYON["lat"], LYON["lon"])
    assert " km ·" not in _results(client)


def test_distances_round_half_up_like_the_template_filter(listings):
    listing = Listing.objects.for_api().get(pk=listings[1].pk)
    for distance, shown in [
        (12.5, "à 13 km"),
        (12.49, "à 12 km"),
        (0.4, "à 0 km"),
        (999.5, "à 1000 km"),
    ]:
        listing.distance_km = distance
        assert f"· {shown} ·" in cards.listing_cards([listing])


def test_a_change_shows_on_the_next_page(client, listings):
    before = _results(client)
    assert "Palettes lot 1" in before and "Transports Rhône &amp; Fils" in before
    Listing.objects.filter(pk=listings[1].pk).update(title="Palettes <neuves>")
    Company.objects.filter(pk=listings[1].company_id).update(name="Rhône Logistique")
    Category.objects.filter(pk=listings[2].category_id).update(name="Rayonnages")
    factories.ListingPhotoFactory(listing=listings[1])
    after = _results(client)
    assert "Palettes &lt;neuves&gt;" in after and "Palettes lot 1" not in after
    assert "Rhône Logistique" in after and "Transports Rhône" not in after
    assert ">Rayonnages</span>" in after
    assert after.count("listing-placeholder") == 1  # two of three have a photo now


def test_a_title_holding_the_distance_mark_is_shown_as_typed(client, listings):
    Listing.objects.filter(pk=listings[0].pk).update(title="Lot <!--distance--> x")
    html = _results(client, **LYON)
    assert "Lot &lt;!--distance--&gt; x" in html
    assert len(re.findall(r"· à \d+ km ·", html)) == 3


def test_crisis_pin_and_language_are_part_of_the_card(client, listings):
    french, english = _results(client, "fr"), _results(client, "en")
    assert ">offre</span>" in french and ">offer</span>" in english
    listing = Listing.objects.for_api().get(pk=listings[0].pk)
    plain = cards.listing_cards([listing])
    listing.crisis_pinned = True
    assert "tag-crisis" in cards.listing_cards([listing]) and "tag-crisis" not in plain


def test_the_process_keeps_at_most_the_setting(client, settings, listings):
    settings.RENDERED_FRAGMENTS_KEPT = 2
    _results(client)
    assert len(cards._cards) == 2
    settings.RENDERED_FRAGMENTS_KEPT = 0
    cards.forget()
    _results(client)
    assert len(cards._cards) == 0


def test_departement_list_marks_the_choice_alone(client):
    def selected(**query) -> list[str]:
        html = client.get("/annonces/", query).content.decode()
        start = html.index('<select id="search-departement"')
        select = html[start : html.index("</select>", start)]
        return re.findall(r'<option value="([^"]*)" selected>', select)

    assert selected() == []
    assert selected(departement="2A") == ["2A"]
    assert selected(departement="69") == ["69"]
    assert selected() == []
    assert selected(departement="<b>") == []  # an error on the page, no option marked
    assert len(options._departements) == 3  # "", "2A", "69": made-up values are not kept


def test_radius_list_marks_the_choice_and_offers_the_one_asked_for(client):
    def radii(language: str = "fr", **query) -> tuple[list[str], list[str]]:
        html = client.get("/annonces/", query, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        start = html.index('<select id="search-radius"')
        select = html[start : html.index("</select>", start)]
        offered = re.findall(r'<option value="([^"]*)"', select)
        return offered, re.findall(r'<option value="([^"]*)" selected>', select)

    usual = ["10", "25", "50", "100", "200", "500"]
    assert radii() == (usual, ["50"])
    assert radii(radius_km="75") == (["10", "25", "50", "75", "100", "200", "500"], ["75"])
    assert radii(radius_km="200") == (usual, ["200"])
    assert radii() == (usual, ["50"])
    english = client.get("/annonces/", {"radius_km": "2.5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert '<option value="2.5" selected>2.5 km</option>' in english.content.decode()
    french = client.get("/annonces/", {"radius_km": "2.5"}).content.decode()
    assert '<option value="2.5" selected>2,5 km</option>' in french
