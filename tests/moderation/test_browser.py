"""In a real browser: a moderator works through the company queue of their territory."""

import pytest

from accounts.models import Company
from bourse.moderation.models import AuditLogEntry
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_moderator_rejects_with_a_reason_and_verifies_from_the_queue(live_server, browser_page):
    moderator = factories.ModeratorFactory(departements=["69"]).user
    to_reject = factories.CompanyFactory(status="pending", name="Société Douteuse")
    to_verify = factories.CompanyFactory(status="pending", name="Menuiserie Martin")
    factories.CompanyFactory(status="pending", name="Atelier Parisien", postal_code="75011")
    page = browser_page

    page.goto(f"{live_server.url}/moderation/entreprises/")
    page.fill("input[name=login]", moderator.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/moderation/entreprises/")
    assert "Atelier Parisien" not in page.content()  # outside the territory

    card = page.locator(f"#entreprise-{to_reject.pk}")
    card.locator("button[value=reject]").click()
    # The reason is asked for before anything is sent.
    assert "Veuillez choisir ou écrire un motif" in card.inner_text()
    to_reject.refresh_from_db()
    assert to_reject.status == Company.Status.PENDING

    card.locator("textarea[name=reason]").fill("SIRET d'un établissement fermé")
    card.locator("button[value=reject]").click()
    page.wait_for_selector(".flash-success")
    page.locator(f"#entreprise-{to_verify.pk} button[value=verify]").click()
    page.wait_for_selector(".flash-success")

    to_reject.refresh_from_db()
    to_verify.refresh_from_db()
    assert (to_reject.status, to_reject.status_reason) == (
        "rejected",
        "SIRET d'un établissement fermé",
    )
    assert to_verify.status == "verified"
    assert AuditLogEntry.objects.count() == 2
    page.goto(f"{live_server.url}/moderation/journal/")
    assert "SIRET d'un établissement fermé" in page.inner_text("table")
