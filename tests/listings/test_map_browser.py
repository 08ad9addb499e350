"""The maps in a real browser, without tiles (no network in tests, as on a train): the map page
clusters every match and opens a listing from its marker; every map draws France's départements
so that it is never a grey square; a phone can use the map page."""

import pytest

from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OUTLINE_PATHS = ".leaflet-outline-pane path"


@pytest.fixture
def offline_tiles(settings):
    # An unreachable local URL: every tile fails, as without network.
    settings.LEAFLET_CONFIG = {
        **settings.LEAFLET_CONFIG,
        "TILES": "http://127.0.0.1:9/{z}/{x}/{y}.png",
    }


def open_page(browser, url, width=1366):
    page = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 800}).new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    return page, errors


def test_map_page_clusters_every_match_over_the_departements(browser, live_server, offline_tiles):
    # Lyon: three places (arrondissements) close together; Lille: one place, five listings.
    for postal_code, n in (("69001", 10), ("69003", 10), ("69007", 5), ("59000", 5)):
        for i in range(n):
            factories.ListingFactory(postal_code=postal_code, title=f"Annonce {postal_code} {i}")

    page, errors = open_page(browser, f"{live_server.url}/annonces/carte/")
    page.wait_for_selector("#listings-map[data-state=ready] .marker-cluster")
    assert page.locator("#map-status").inner_text() == "30 annonces sur la carte"
    # At France's zoom Lyon's places are one cluster counting their listings; Lille's five
    # listings share one place: one marker with their number.
    assert page.locator(".marker-cluster").all_text_contents() == [
        "25 annonces, zoomer pour les voir"
    ]
    lille = page.locator("#listings-map .map-pin-count")
    assert lille.all_text_contents() == ["5"]
    assert lille.get_attribute("title") == "5 annonces à cet endroit"
    # No tile loaded, and still France: the 101 départements are drawn.
    assert page.locator(".leaflet-tile-loaded").count() == 0
    assert page.locator(OUTLINE_PATHS).count() >= 96
    # The attribution keeps its sources and names its link in words.
    attribution = page.locator(".leaflet-control-attribution")
    assert "OpenStreetMap" in attribution.inner_text()
    assert "IGN Admin Express" in attribution.inner_text()
    assert attribution.locator("a").first.inner_text() == "Leaflet"
    assert attribution.locator("img, svg").count() == 0
    assert errors == []


def test_a_place_lists_its_newest_titles_and_links_to_all_of_them(
    browser, live_server, offline_tiles
):
    for i in range(10):
        factories.ListingFactory(postal_code="42000", title=f"Palettes stéphanoises {i}")

    page, errors = open_page(browser, f"{live_server.url}/annonces/carte/?departement=42")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_selector("#listings-map[data-state=ready]")
    popup = page.locator(".leaflet-popup-content")
    # On a loaded machine the clusters may still be redrawn after the framing (the pin is
    # replaced under the click): click again, as a person would, until the popup opens.
    for _ in range(3):
        page.locator("#listings-map .map-pin-count").first.click()
        try:
            popup.locator("li").first.wait_for(timeout=5000)
            break
        except PlaywrightTimeout:
            continue
    popup.locator("li").first.wait_for()
    assert popup.locator("li").count() == 8
    assert "Saint-Étienne" in popup.inner_text()
    page.get_by_role("link", name="Voir les 10 annonces de cet endroit").click()
    page.wait_for_url("**/annonces/?departement=42&lat=*")
    assert "10 annonces" in page.locator(".search-count").inner_text()
    assert errors == []


def test_a_marker_opens_the_listing_title_and_link(browser, live_server, offline_tiles):
    listing = factories.ListingFactory(postal_code="13001", kind="need", title="Besoin de bacs")
    factories.ListingFactory(postal_code="69003")

    page, errors = open_page(browser, f"{live_server.url}/annonces/carte/?departement=13")
    page.wait_for_selector("#listings-map[data-state=ready]")  # framed on Marseille
    marker = page.locator("#listings-map .map-pin-need")
    assert page.locator("#listings-map .map-pin").count() == 1
    marker.click()
    link = page.locator(".leaflet-popup-content a", has_text="Besoin de bacs")
    link.wait_for()
    assert link.get_attribute("href") == f"/annonces/{listing.pk}/"
    assert "Marseille" in page.locator(".leaflet-popup-content").inner_text()
    link.click()
    page.wait_for_url(f"**/annonces/{listing.pk}/")
    assert errors == []


def test_map_page_on_a_phone(browser, live_server, offline_tiles):
    for postal_code in ("69001", "69003", "69007"):
        factories.ListingFactory(postal_code=postal_code)

    page, errors = open_page(browser, f"{live_server.url}/annonces/carte/", width=360)
    page.wait_for_selector("#listings-map[data-state=ready] .marker-cluster")
    assert page.evaluate(
        "document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"
    )
    box = page.locator("#listings-map").bounding_box()
    assert box["width"] <= 360 and box["height"] >= 300
    assert box["y"] < 800  # the map comes before the filters
    # A tap on the cluster separates its listings.
    page.locator(".marker-cluster").click()
    page.wait_for_function("document.querySelectorAll('#listings-map .map-pin').length === 3")
    assert errors == []


def test_small_maps_draw_the_departements_without_tiles(browser, live_server, offline_tiles):
    listing = factories.ListingFactory(postal_code="69003", title="Palettes")

    page, errors = open_page(browser, f"{live_server.url}/annonces/{listing.pk}/")
    page.wait_for_selector(OUTLINE_PATHS)
    page.goto(f"{live_server.url}/annonces/?q=palettes")
    page.wait_for_selector(OUTLINE_PATHS)
    page.wait_for_selector(".map-marker")
    assert errors == []


@pytest.mark.parametrize("width", [1366, 360])
def test_search_map_frames_its_markers(browser, live_server, offline_tiles, width):
    """Around a postal code, the search page's map shows every marker inside its box (framed
    once the page has its final layout, not at an edge)."""
    for postal_code in ("69002", "69100", "69003", "69500"):
        factories.ListingFactory(postal_code=postal_code, title=f"Palettes {postal_code}")

    page, errors = open_page(
        browser, f"{live_server.url}/annonces/?near=69002&radius_km=50", width=width
    )
    page.wait_for_selector(".map-marker")
    page.wait_for_timeout(500)
    box = page.locator("#search-map").bounding_box()
    markers = page.locator(".map-marker")
    assert markers.count() >= 1
    for i in range(markers.count()):
        marker = markers.nth(i).bounding_box()
        centre_x, centre_y = marker["x"] + marker["width"] / 2, marker["y"] + marker["height"] / 2
        assert box["x"] + 10 <= centre_x <= box["x"] + box["width"] - 10
        assert box["y"] + 10 <= centre_y <= box["y"] + box["height"] - 10
    assert errors == []
