"""The listing form in a real browser: only the fields that make sense are shown."""

import pytest
from django.test import Client

from bourse.listings.models import Listing
from tests import factories


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
