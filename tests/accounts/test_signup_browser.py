"""In a real browser: the sign-up page, its errors and the terms asked at the next login."""

import pytest

from accounts.models import User
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Entraide-solide-2026"


def test_signup_shows_french_errors_focused_on_the_summary_then_creates_the_account(
    live_server, browser_page
):
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/comptes/signup/")
    assert page.inner_text("h1") == "Créer un compte"
    # A phone's width: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.fill("input[name=email]", "claire.martin@transports-martin.fr")
    page.fill("input[name=phone]", "12 34")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("main form.auth-form button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    summary = page.locator("[data-error-summary]")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    text = summary.inner_text()
    assert "Indiquez votre prénom." in text and "Indiquez votre nom." in text
    assert "numéro de téléphone français" in text
    assert "Acceptez les conditions d'utilisation" in text
    assert page.input_value("input[name=email]") == "claire.martin@transports-martin.fr"
    assert not User.objects.exists()
    # A link of the summary leads to its field.
    summary.locator("a[href='#id_first_name']").click()
    assert page.evaluate("document.activeElement.name") == "first_name"

    page.fill("input[name=first_name]", "Claire")
    page.fill("input[name=last_name]", "Martin")
    page.fill("input[name=job_title]", "Gérante")
    page.fill("input[name=phone]", "06 12 34 56 78")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.check("input[name=terms_accepted]")
    page.click("main form.auth-form button[type=submit]")
    page.wait_for_selector("input[name=code]")
    user = User.objects.get()
    assert (user.display_name, user.phone, user.job_title) == (
        "Claire Martin",
        "+33612345678",
        "Gérante",
    )
    assert user.has_accepted_current_terms


def test_an_account_without_the_terms_accepts_them_at_its_next_login(live_server, browser_page):
    user = factories.UserFactory(terms_accepted_at=None, terms_version="")
    page = browser_page
    page.goto(f"{live_server.url}/comptes/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/conditions-d-utilisation/accepter/**")
    page.click("main form.auth-form button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    page.check("input[name=accept]")
    page.click("main form.auth-form button[type=submit]")
    page.wait_for_selector("text=Merci, vous avez accepté les conditions d'utilisation.")
    user.refresh_from_db()
    assert user.has_accepted_current_terms
