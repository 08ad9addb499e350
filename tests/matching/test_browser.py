"""The suggestions page in a real browser: reasons shown, "Masquer" hides a suggestion for good."""

import pytest

from bourse.matching.models import Dismissal
from tests import factories


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_member_sees_reasons_and_dismisses_a_suggestion(browser, live_server):
    member = factories.MembershipFactory().user
    parent = factories.CategoryFactory()
    category = factories.CategoryFactory(parent=parent)
    factories.ListingFactory(
        company=member.membership.company,
        kind="need",
        category=category,
        title="Recherche palettes pour quai",
    )
    kept = factories.ListingFactory(
        kind="offer", category=category, postal_code="69003", title="Palettes et quai couvert"
    )
    hidden = factories.ListingFactory(
        kind="offer", category=category, postal_code="69100", title="Palettes à Villeurbanne"
    )

    page = browser.new_page(locale="fr-FR")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/comptes/login/")
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/suggestions/")
    card = page.locator(f'[data-listing="{hidden.pk}"]')
    assert "même catégorie" in card.inner_text()
    assert "mots en commun : palettes" in card.inner_text()
    card.get_by_role("button", name="Masquer").click()
    page.wait_for_load_state()
    assert "ne vous sera plus suggérée" in page.inner_text("main")
    assert page.locator(f'[data-listing="{hidden.pk}"]').count() == 0
    assert page.locator(f'[data-listing="{kept.pk}"]').count() == 1
    assert errors == []
    assert Dismissal.objects.filter(listing=hidden, company=member.membership.company).exists()
