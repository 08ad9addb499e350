"""In a real browser, under the real Content-Security-Policy: the pages run without a single
violation, and what inline code used to do still works (auto-submitting selects, bar widths)."""

import pytest

from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(locale="fr-FR")
    # Map tiles come from outside: answer them with nothing rather than reach the network.
    context.route("https://**/*", lambda route: route.fulfill(status=204, body=""))
    page = context.new_page()
    page.violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and page.violations.append(message.text)
        ),
    )
    return page


def test_pages_run_under_the_csp_without_violation(live_server, browser_page):
    moderator = factories.ModeratorFactory(departements=["69"]).user
    company = factories.CompanyFactory()
    factories.MembershipFactory(company=company, user=moderator)
    factories.ListingFactory(company=company)
    page = browser_page

    page.goto(f"{live_server.url}/comptes/login/")
    page.fill("input[name=login]", moderator.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")

    for path in ("/", "/annonces/?near=69002", "/moderation/journal/", "/api/docs/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")

    page.goto(f"{live_server.url}/moderation/statistiques/")
    page.wait_for_load_state("networkidle")
    widths = page.eval_on_selector_all(".mod-bar", "bars => bars.map(b => b.style.width)")
    assert widths and "100%" in widths  # the largest count fills its cell

    # The language select submits its form on change (formerly an inline onchange).
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"

    assert page.violations == []
