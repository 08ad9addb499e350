"""The search page in a real browser: the map groups listings of one commune into one marker."""

import pytest

from tests import factories


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_map_groups_listings_of_one_commune_and_lists_them_in_its_popup(
    browser, live_server, settings
):
    # No tile server in tests: an unreachable local URL, the markers work without tiles.
    settings.LEAFLET_CONFIG = {
        **settings.LEAFLET_CONFIG,
        "TILES": "http://127.0.0.1:9/{z}/{x}/{y}.png",
    }
    for i in range(3):
        factories.ListingFactory(postal_code="42000", title=f"Palettes stéphanoises {i}")
    factories.ListingFactory(postal_code="69003", title="Palettes lyonnaises")

    page = browser.new_page(locale="fr-FR")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/annonces/?q=palettes&near=42000&radius_km=100")
    page.wait_for_selector(".map-marker")
    assert page.locator(".map-marker").count() == 2
    group = page.locator(".map-marker-group")
    assert group.count() == 1
    assert group.inner_text().strip() == "3"
    group.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    titles = popup.locator("a").all_inner_texts()
    assert sorted(titles) == [f"Palettes stéphanoises {i}" for i in range(3)]
    assert "Saint-Étienne" in popup.inner_text()
    assert errors == []
