"""Activity by commune as a map on the moderators' statistics page (charts.commune_map): the
territory's départements drawn from the shipped outlines, a circle per commune sized by its
activity, each with a title; the table stays for screen readers."""

import re

import pytest

from bourse.moderation import charts
from tests import factories

pytestmark = pytest.mark.django_db

TERRITORY_FILL = 'fill="#f7f5ef"'
NEIGHBOUR_FILL = 'fill="#eef1f5"'


def place(postal_code, commune, listings, conversations=0):
    return {
        "postal_code": postal_code,
        "commune": commune,
        "listings": listings,
        "conversations": conversations,
    }


def circles(svg: str) -> dict[str, float]:
    """Title → radius of each circle."""
    found = re.findall(r'<circle [^>]*r="([\d.]+)"[^>]*><title>([^<]+)</title>', svg)
    return {title: float(radius) for radius, title in found}


def test_a_circle_per_commune_sized_by_activity_with_its_figures():
    drawing = charts.commune_map(
        [
            place("69003", "Lyon 3e Arrondissement", 12, 4),
            place("69100", "Villeurbanne", 3, 1),
            place("42300", "Roanne", 1),
        ],
        departements=["69", "42"],
    )
    sized = circles(drawing.svg)
    assert set(sized) == {
        "Lyon 3e Arrondissement (69003) : 12 annonce(s), 4 conversation(s)",
        "Villeurbanne (69100) : 3 annonce(s), 1 conversation(s)",
        "Roanne (42300) : 1 annonce(s), 0 conversation(s)",
    }
    lyon, villeurbanne, roanne = sized.values()
    assert lyon == charts.MAP_MAX_RADIUS
    assert lyon > villeurbanne > roanne >= charts.MAP_MIN_RADIUS
    # Area, not radius, follows the activity: 4 is a quarter of 16, half the radius.
    assert villeurbanne == pytest.approx(lyon / 2, abs=0.1)
    assert drawing.off_map == 0
    assert 'aria-hidden="true"' in drawing.svg
    assert ">Lyon 3e Arrondissement</text>" in drawing.svg  # the busiest are named


def test_the_territory_is_drawn_with_its_neighbours_lighter():
    drawing = charts.commune_map([place("69003", "Lyon", 1)], departements=["69"])
    assert drawing.svg.count(TERRITORY_FILL) == 1  # the Rhône, one piece
    assert drawing.svg.count(NEIGHBOUR_FILL) >= 4  # Ain, Isère, Loire, Saône-et-Loire...
    national = charts.commune_map([place("69003", "Lyon", 1)], departements=None)
    assert national.svg.count(TERRITORY_FILL) >= 96  # the mainland and Corsica
    # One territory's drawing is smaller than the whole country's.
    assert len(drawing.svg) < len(national.svg)


def test_postal_codes_of_one_city_make_one_circle():
    drawing = charts.commune_map(
        [place("42000", "Saint-Étienne", 5), place("42100", "Saint-Étienne", 2, 1)],
        departements=["42"],
    )
    assert list(circles(drawing.svg)) == [
        "Saint-Étienne (42000, 42100) : 7 annonce(s), 1 conversation(s)"
    ]
    assert drawing.svg.count(">Saint-Étienne</text>") == 1


def test_overseas_communes_of_a_national_view_are_counted_off_the_map():
    drawing = charts.commune_map(
        [place("69003", "Lyon", 2), place("97400", "Saint-Denis", 1)], departements=None
    )
    assert len(circles(drawing.svg)) == 1
    assert drawing.off_map == 1
    # An overseas territory alone is framed on itself.
    reunion = charts.commune_map([place("97400", "Saint-Denis", 1)], departements=["974"])
    assert reunion.off_map == 0 and len(circles(reunion.svg)) == 1


def test_no_activity_draws_nothing():
    assert charts.commune_map([], departements=["69"]) == charts.CommuneMap("", 0)


def test_the_statistics_page_shows_the_map_above_its_table(client, moderator_69):
    factories.ListingFactory(postal_code="69003")
    factories.ListingFactory(postal_code="42000")  # outside the moderator's territory
    client.force_login(moderator_69)
    text = client.get("/moderation/statistiques/").content.decode()
    section = text[text.index("Activité par commune") :]
    assert section.index('<svg class="chart commune-map"') < section.index("<table>")
    assert '<th scope="row">69003 Lyon 3e Arrondissement</th>' in section
    assert "Lyon 3e Arrondissement (69003) : 1 annonce(s), 0 conversation(s)" in section
    assert "Saint-Étienne" not in section
