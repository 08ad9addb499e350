"""In a real browser: the declaration form is pre-filled from the public registry once the SIRET
is typed, and still works by hand when the registry cannot be reached."""

import pytest

from accounts.models import Company
from tests import factories

from .conftest import FOUND, SLOW

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _log_in_to_the_form(page, live_server):
    user = factories.UserFactory()
    page.goto(f"{live_server.url}/entreprise/declarer/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/entreprise/declarer/")
    return user


def test_siret_prefills_the_form_from_the_registry(recorded_registry, live_server, browser_page):
    page = browser_page
    user = _log_in_to_the_form(page, live_server)
    page.fill("input[name=siret]", FOUND)
    page.get_by_text("Le registre des entreprises indique").wait_for()
    page.get_by_role("button", name="Reprendre ces informations").click()
    assert page.input_value("input[name=name]") == "FROID SERVICES DU RHONE"
    assert page.input_value("input[name=address]") == "12 RUE DE L'INDUSTRIE"
    assert page.input_value("input[name=postal_code]") == "69007"
    assert page.input_value("input[name=naf_code]") == "52.10B"
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/entreprise/")
    company = Company.objects.get(memberships__user=user)
    assert company.siret == FOUND
    assert company.name == "FROID SERVICES DU RHONE"


def test_unreachable_registry_leaves_the_form_to_be_filled_by_hand(
    recorded_registry, live_server, browser_page
):
    page = browser_page
    _log_in_to_the_form(page, live_server)
    page.fill("input[name=siret]", SLOW)
    page.get_by_text("Registre injoignable").wait_for()
    page.fill("input[name=name]", "Lente et fils")
    assert page.input_value("input[name=name]") == "Lente et fils"


def test_registry_answer_is_in_english_for_an_english_browser(
    recorded_registry, live_server, browser
):
    page = browser.new_context(locale="en-GB").new_page()
    _log_in_to_the_form(page, live_server)
    page.fill("input[name=siret]", FOUND)
    page.get_by_text("The company registry says: FROID SERVICES DU RHONE").wait_for()
    page.get_by_text("Active establishment (head office).").wait_for()
    page.get_by_role("button", name="Use this information").click()
    page.get_by_text("Information taken from the registry").wait_for()
    assert page.input_value("input[name=postal_code]") == "69007"
    assert "Le registre" not in page.content()
