"""The member menu and the dashboards in Chromium: one line at 1366 px with the company's name in
full, a menu that opens and closes from the keyboard, nothing sideways at 360 px, and a waiting
company's pages without serious or critical axe-core violation (the member's dashboard is in
tests/a11y)."""

import pytest

from accounts.models import Company
from tests import factories
from tests.a11y.pages import (
    DESKTOP,
    PHONE,
    axe_violations,
    describe,
    new_context,
    sideways_overflow,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONG_NAME = "Mécanique de précision Bonnefoy-Delacroix SARL"


def one_line(page) -> bool:
    """Every item of the menu bar sits on the same line."""
    return page.evaluate(
        """() => {
            const tops = [...document.querySelectorAll('.site-nav > ul > li')]
                .map(li => Math.round(li.getBoundingClientRect().top));
            return new Set(tops).size === 1;
        }"""
    )


def test_the_member_menu_holds_on_one_line_with_the_full_company_name(live_server, browser):
    company = factories.CompanyFactory(name=LONG_NAME)
    member = factories.MembershipFactory(company=company).user
    factories.ListingFactory(company=company, status="draft", title="Palettes à donner")
    page = new_context(browser, live_server.url, member).new_page()
    page.goto(live_server.url + "/")
    # The person greeted, the company's full name beside (templates/home/member.html).
    greeting = " ".join(page.locator("h1").text_content().split())
    assert greeting == f"Bonjour {member.first_name or member.display_name} · {LONG_NAME}"
    summary = page.locator("[data-nav-account] summary")
    assert summary.text_content().strip() == LONG_NAME
    assert summary.evaluate("s => s.scrollWidth <= s.clientWidth + 1")  # not cut
    assert one_line(page)

    # Opens from the keyboard, closes with Escape, focus back on the name.
    summary.focus()
    page.keyboard.press("Enter")
    logout = page.locator(".nav-account-menu button", has_text="Se déconnecter")
    assert logout.is_visible()
    page.keyboard.press("Escape")
    assert logout.is_hidden()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"

    page.set_viewport_size(PHONE)
    assert sideways_overflow(page)[0] == 0
    page.locator(".nav-toggle").click()
    summary.click()
    assert logout.is_visible()
    assert sideways_overflow(page)[0] == 0
    page.set_viewport_size(DESKTOP)


def test_a_waiting_company_s_home_and_draft_form_fit_a_phone(live_server, browser):
    company = factories.CompanyFactory(name=LONG_NAME, status=Company.Status.PENDING)
    member = factories.MembershipFactory(company=company, role="admin").user
    factories.ListingFactory(company=company, status="draft", title="Palettes à donner")
    page = new_context(browser, live_server.url, member).new_page()
    for path in ("/", "/annonces/nouvelle/", "/annonces/mes-annonces/"):
        page.set_viewport_size(DESKTOP)
        assert page.goto(live_server.url + path).status == 200
        assert one_line(page)
        violations = axe_violations(page, live_server.url)
        assert not violations, describe(violations)
        page.set_viewport_size(PHONE)
        assert sideways_overflow(page)[0] == 0, path
    assert page.locator("[data-waiting-note]").count() == 0  # "Mes annonces" says it itself
    page.goto(live_server.url + "/annonces/nouvelle/")
    assert page.locator("[data-waiting-note]").is_visible()
    assert page.locator("button[value=submit]").count() == 0
