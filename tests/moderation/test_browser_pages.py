"""In a real browser, at a desktop's and a phone's width: an advisor works the call list, reads
the statistics and their charts, opens a crisis that a company of the territory then sees, and
closes it. No page scrolls sideways."""

from datetime import timedelta

import pytest

from accounts.models import Membership
from bourse.listings.models import Crisis
from bourse.moderation.models import AdvisorCall, AuditLogEntry
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = [1366, 360]


def _login(page, base: str, path: str, user) -> None:
    page.goto(f"{base}/comptes/login/?next={path}")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"**{path}")


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("width", WIDTHS)
def test_advisor_works_the_call_list_reads_the_statistics_and_runs_a_crisis(
    live_server, browser, width
):
    moderator = factories.ModeratorFactory(departements=["69"]).user
    company = factories.CompanyFactory(name="Menuiserie Martin", phone="0472000000")
    member = factories.MembershipFactory(company=company, role=Membership.Role.ADMIN).user
    need = factories.ListingFactory(
        company=company,
        created_by=member,
        kind="need",
        title="Besoin de 40 palettes",
        published_ago=timedelta(days=5),
    )
    factories.ListingFactory(kind="offer", published_ago=timedelta(days=2))

    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    page = context.new_page()

    # The call list: whom to call, then the call recorded and shown.
    _login(page, live_server.url, "/moderation/sans-reponse/", moderator)
    card = page.locator(f"#annonce-{need.pk}")
    assert "Besoin de 40 palettes" in card.inner_text()
    _no_sideways_scroll(page, width)
    card.locator("select[name=outcome]").select_option("not_reached")
    card.locator("textarea[name=note]").fill("Rappeler jeudi")
    card.locator("button[type=submit]").click()
    page.wait_for_selector(".flash-success")
    assert "Rappeler jeudi" in page.locator(f"#annonce-{need.pk}").inner_text()
    assert AdvisorCall.objects.get().outcome == "not_reached"

    # The statistics: charts drawn on the server, as wide as the page at most, and tables.
    page.goto(f"{live_server.url}/moderation/statistiques/")
    charts = page.locator("svg.chart")
    assert charts.count() >= 2
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 100 and box["x"] + box["width"] <= width
    assert page.locator("table").count() >= 2
    assert page.locator("[data-figure=deals]").inner_text() == "0"
    _no_sideways_scroll(page, width)

    # A crisis opened from its page...
    page.goto(f"{live_server.url}/moderation/crises/")
    _no_sideways_scroll(page, width)
    page.fill("input[name=title]", "Crue de la Saône")
    page.fill("textarea[name=message]", "Stockage au sec recherché en urgence.")
    page.check("input[name=priority_categories][value=stockage]")
    page.click("form.crisis-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    crisis = Crisis.objects.get()
    assert crisis.departements == ["69"] and crisis.status == "active"
    assert "Crue de la Saône" in page.locator(f"#crise-{crisis.pk}").inner_text()
    _no_sideways_scroll(page, width)

    # ... is what the territory's companies see on every page, until they hide it.
    company_page = browser.new_context(
        locale="fr-FR", viewport={"width": width, "height": 900}
    ).new_page()
    _login(company_page, live_server.url, "/annonces/", member)
    banner = company_page.locator(".crisis-banner")
    assert "Stockage au sec recherché en urgence." in banner.inner_text()
    _no_sideways_scroll(company_page, width)
    banner.locator("button").click()
    company_page.wait_for_url("**/annonces/")
    assert company_page.locator(".crisis-banner").count() == 0

    # Closing it from the page.
    page.locator(f"#crise-{crisis.pk} button[type=submit]").click()
    page.wait_for_selector(".flash-success")
    assert "Crises passées" in page.content()
    crisis.refresh_from_db()
    assert crisis.status == "closed"
    assert set(
        AuditLogEntry.objects.filter(target_type="crisis").values_list("action", flat=True)
    ) == {"crisis.open", "crisis.close"}
