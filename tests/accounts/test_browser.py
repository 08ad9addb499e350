"""In a real browser: declaring a company with the postal code autocomplete."""

import pytest

from accounts.models import Company
from tests import factories

# serialized_rollback: after this test the database is restored as migrations left it (content
# types included), so a later serialized_rollback test does not trip over re-created rows.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_declare_company_choosing_the_postal_code_with_the_keyboard(live_server, browser_page):
    user = factories.UserFactory()
    siret = factories.make_siret()
    page = browser_page
    page.goto(f"{live_server.url}/entreprise/declarer/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/entreprise/declarer/")

    page.fill("input[name=name]", "Scierie du Pilat")
    page.fill("input[name=siret]", siret)
    page.fill("input[name=address]", "3 route du Bessat")
    postal = page.locator("input[name=postal_code]")
    assert postal.get_attribute("role") == "combobox"
    postal.press_sequentially("4240", delay=30)
    page.wait_for_selector("#" + postal.get_attribute("aria-controls") + " [role=option]")
    assert postal.get_attribute("aria-expanded") == "true"
    options = page.locator("[role=option]").all_inner_texts()
    assert options and all(text.startswith("4240") for text in options)
    postal.press("ArrowDown")
    assert postal.get_attribute("aria-activedescendant")
    postal.press("Enter")
    chosen = postal.input_value()
    assert chosen.startswith("4240") and len(chosen) == 5
    assert postal.get_attribute("aria-expanded") == "false"
    assert "(42)" in page.inner_text(".postal-commune")

    page.click("form.card button[type=submit]")
    page.wait_for_url("**/entreprise/")
    company = Company.objects.get(siret=siret)
    assert company.postal_code == chosen and company.departement == "42"
    assert "Scierie du Pilat" in page.inner_text("h1")


def test_bad_siret_is_shown_in_french_and_the_form_keeps_its_values(live_server, browser_page):
    user = factories.UserFactory()
    page = browser_page
    page.goto(f"{live_server.url}/entreprise/declarer/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/entreprise/declarer/")
    page.fill("input[name=name]", "Scierie du Pilat")
    page.fill("input[name=siret]", "12345678901234")
    page.fill("input[name=address]", "3 route du Bessat")
    page.fill("input[name=postal_code]", "42400")
    page.click("form.card button[type=submit]")
    page.wait_for_selector(".errorlist")
    assert "Ce SIRET n'est pas valide" in page.inner_text("form.card")
    assert page.input_value("input[name=name]") == "Scierie du Pilat"
    assert page.input_value("input[name=postal_code]") == "42400"
    assert not Company.objects.exists()
