"""The listing form in a real browser: only the fields that make sense are shown, photos are
added, reordered and removed in the form itself, errors are summed up, the keyboard is enough."""

import re

import pytest
from django.test import Client

from bourse.listings.models import Listing
from tests import factories

from .write_support import image_bytes


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_form_adapts_to_category_terms_and_location(browser, live_server):
    membership = factories.MembershipFactory(company=factories.CompanyFactory())
    django_client = Client()
    django_client.force_login(membership.user)
    session_id = django_client.cookies["sessionid"].value

    context = browser.new_context(locale="fr-FR")
    context.add_cookies([{"name": "sessionid", "value": session_id, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/annonces/nouvelle/")

    quantity = page.locator("[name=quantity]")
    unit = page.locator("[name=unit]")
    price = page.locator("[name=price]")
    postal_code = page.locator("[name=postal_code]")

    # Offices: square metres first, workstations, days.
    page.select_option("[name=category]", "bureaux")
    assert quantity.is_visible()
    assert unit.input_value() == "m2"
    enabled_units = unit.locator("option:not([disabled])").evaluate_all(
        "options => options.map(o => o.value).filter(v => v)"
    )
    assert sorted(enabled_units) == ["day", "m2", "unit"]

    # The attributes that decide a substitute: only the category's.
    assert page.locator("[name=attr_surface_m2]").is_visible()
    assert not page.locator("[name=attr_temp_min]").is_visible()
    page.select_option("[name=category]", "froid")
    assert page.locator("[name=attr_temp_min]").is_visible()
    assert not page.locator("[name=attr_surface_m2]").is_disabled()
    assert page.locator("[name=attr_capacity_t]").is_disabled()
    page.select_option("[name=category]", "formation")
    assert not page.locator("[data-attributes-row]").is_visible()

    # Staff lending: persons, days, hours.
    page.select_option("[name=category]", "pret-personnel")
    enabled_units = unit.locator("option:not([disabled])").evaluate_all(
        "options => options.map(o => o.value).filter(v => v)"
    )
    assert sorted(enabled_units) == ["day", "hour", "person"]

    # A price only for rent or sale.
    page.select_option("[name=terms]", "free")
    assert not price.is_visible()
    page.select_option("[name=terms]", "rent")
    assert price.is_visible()

    # Another postal code only when asked for.
    assert not postal_code.is_visible()
    page.check("[name=location][value=other]")
    assert postal_code.is_visible()
    assert postal_code.get_attribute("data-postal-autocomplete") is not None

    # And the form submits what is shown.
    page.fill("[name=title]", "Deux opérateurs disponibles")
    page.fill("[name=description]", "Opérateurs de production, CACES 3.")
    page.fill("[name=quantity]", "2")
    page.select_option("[name=unit]", "person")
    page.fill("[name=price]", "150")
    page.fill("[name=postal_code]", "42000")
    page.click("button[value=draft]")
    page.wait_for_url("**/modifier/")

    listing = Listing.objects.get()
    assert (listing.status, listing.unit, listing.postal_code) == ("draft", "person", "42000")
    assert listing.price == 150


def _logged_in_page(browser, live_server, *, width=1366, height=900):
    membership = factories.MembershipFactory(company=factories.CompanyFactory())
    django_client = Client()
    django_client.force_login(membership.user)
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": django_client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def _png(width: int) -> dict:
    return {
        "name": f"photo-{width}.png",
        "mimeType": "image/png",
        "buffer": image_bytes("PNG", size=(width, 60)),
    }


def _cardboard_offer(browser, live_server, title: str, description: str):
    """The creation page, filled in for a free offer of cardboard."""
    page = _logged_in_page(browser, live_server)
    page.goto(f"{live_server.url}/annonces/nouvelle/")
    page.fill("[name=title]", title)
    page.select_option("[name=category]", "papier-carton")
    page.fill("[name=description]", description)
    page.select_option("[name=terms]", "free")
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_photos_are_added_reordered_and_removed_in_the_creation_form(browser, live_server):
    page = _cardboard_offer(
        browser,
        live_server,
        "Cartons de déménagement neufs",
        "8 500 cartons double cannelure, sur palettes.",
    )
    page.fill("[name=quantity]", "8500")
    page.select_option("[name=unit]", "unit")

    # Several at once, previewed before anything is sent; a text file is refused at once.
    page.set_input_files(
        "[name=photos]",
        [
            _png(81),
            _png(82),
            _png(83),
            {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"x"},
        ],
    )
    items = page.locator("[data-photo-list] .photo-item")
    assert items.count() == 3
    assert "notes.txt" in page.locator("[data-photo-status]").inner_text()
    assert page.locator("[data-photo-list] img").first.get_attribute("src").startswith("blob:")

    # Reorder with the buttons (82 first), remove 81, then drag 83 before 82.
    items.nth(1).get_by_role("button", name="Photo 2 : déplacer avant").click()
    assert "position 1 sur 3" in page.locator("[data-photo-status]").inner_text()
    # The moved photo is first: its "Avant" is disabled, the focus is on its "Après".
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Photo 1 : déplacer après"
    )
    page.get_by_role("button", name="Photo 2 : retirer").click()
    assert items.count() == 2
    items.nth(1).drag_to(items.nth(0), target_position={"x": 5, "y": 20})
    assert [items.nth(i).locator("img").get_attribute("alt") for i in range(2)] == [
        "photo-83.png",
        "photo-82.png",
    ]

    page.click("button[value=draft]")
    page.wait_for_url("**/modifier/")
    listing = Listing.objects.get()
    assert [p.width for p in listing.photos.all()] == [83, 82]
    assert page.locator(".flash, .messages").first.inner_text().strip().startswith("Brouillon")
    page.screenshot(path="/tmp/photos-edit-after-create.png", full_page=True)

    # On the edit page: remove the first one, add one, save; the order stays.
    page.get_by_role("button", name="Photo 1 : retirer").click()
    page.set_input_files("[name=photos]", [_png(84)])
    with page.expect_navigation():
        page.click("button[value=save]")
    assert page.locator(".photo-item").count() == 2
    assert [p.width for p in listing.photos.all()] == [82, 84]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_photos_chosen_survive_a_form_error(browser, live_server):
    page = _logged_in_page(browser, live_server, width=360, height=780)
    page.goto(f"{live_server.url}/annonces/nouvelle/")
    page.set_input_files("[name=photos]", [_png(91), _png(92)])
    page.click("button[value=draft]")  # empty title, description, category
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.locator("[data-photo-list] .photo-item").count() == 2  # still there
    assert page.title().startswith("Erreur")
    page.screenshot(path="/tmp/photos-form-error-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    summary.get_by_role("link", name=re.compile("^Titre")).click()
    assert page.evaluate("document.activeElement.name") == "title"
    page.keyboard.type("Palettes Europe à donner")
    page.fill("[name=description]", "Une quarantaine de palettes EPAL en bon état.")
    page.select_option("[name=category]", "emballage")
    page.select_option("[name=terms]", "free")
    page.click("button[value=draft]")
    page.wait_for_url("**/modifier/")
    assert [p.width for p in Listing.objects.get().photos.all()] == [91, 92]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_form_is_completed_with_the_keyboard_alone(browser, live_server):
    page = _logged_in_page(browser, live_server)
    page.goto(f"{live_server.url}/annonces/nouvelle/")

    def tab_to(name: str) -> None:
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.name") == name:
                return
        raise AssertionError(f"{name} not reached with Tab")

    # An empty submission first: the summary takes the focus.
    tab_to("action")  # "Enregistrer le brouillon"
    page.keyboard.press("Enter")
    page.locator("[data-error-summary]").wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")

    page.keyboard.press("Tab")  # the summary's first link
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "title"
    page.keyboard.type("Heures de centre d'usinage")
    tab_to("category")
    page.keyboard.type("Machines")
    assert page.input_value("[name=category]") == "machines-production"
    tab_to("description")
    page.keyboard.type("58 heures disponibles en décembre, opérateur possible.")
    tab_to("quantity")
    page.keyboard.type("58")
    tab_to("unit")
    page.keyboard.type("heure")
    assert page.input_value("[name=unit]") == "hour"
    tab_to("photos")  # the file input is reachable (its dialog is the system's)
    tab_to("action")
    page.keyboard.press("Enter")
    page.wait_for_url("**/modifier/")
    listing = Listing.objects.get()
    assert (listing.title, listing.quantity, listing.unit) == (
        "Heures de centre d'usinage",
        58,
        "hour",
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_photo_the_api_refuses_is_marked_and_the_listing_is_kept(browser, live_server):
    page = _cardboard_offer(
        browser, live_server, "Bobines de carton", "Bobines de kraft 120 g, fin de série."
    )
    # Named and typed as a PNG, but not one: only the server, reading it, can tell.
    broken = {"name": "scan.png", "mimeType": "image/png", "buffer": b"\x89PNG not really"}
    page.set_input_files("[name=photos]", [_png(71), broken])
    page.click("button[value=draft]")

    link = page.get_by_role("link", name="Continuer vers l'annonce")
    link.wait_for()
    assert page.evaluate("document.activeElement.textContent") == "Continuer vers l'annonce"
    items = page.locator("[data-photo-list] .photo-item")
    assert items.nth(0).locator(".photo-state").inner_text() == "Envoyée"
    assert items.nth(0).locator("progress").evaluate("p => p.value") == 100
    assert "n'est pas une image JPEG, PNG ou WebP" in items.nth(1).inner_text()
    assert "photo-failed" in items.nth(1).get_attribute("class")
    listing = Listing.objects.get()  # saved once, with the photo that was accepted
    assert [p.width for p in listing.photos.all()] == [71]
    link.click()
    page.wait_for_url(f"**/annonces/{listing.pk}/modifier/")
