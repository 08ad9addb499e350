"""The French moderation pages: access, queues, actions with reasons, log and statistics."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Company
from bourse.moderation.models import AuditLogEntry
from tests import factories

pytestmark = pytest.mark.django_db

PAGES = ["dashboard", "companies", "listings", "reports", "log", "stats"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_login(client, name):
    response = client.get(reverse(f"moderation:{name}"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_non_moderators_get_a_french_403_page(client, name):
    client.force_login(factories.MembershipFactory().user)
    response = client.get(reverse(f"moderation:{name}"))
    assert response.status_code == 403
    assert "Accès réservé aux modérateurs" in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_moderators_see_every_page(client, moderator_69, name):
    client.force_login(moderator_69)
    response = client.get(reverse(f"moderation:{name}"))
    assert response.status_code == 200


def test_dashboard_counts_waiting_items_of_my_territory(client, moderator_69):
    factories.CompanyFactory(status="pending")
    factories.CompanyFactory(status="pending", postal_code="75011")
    factories.ListingFactory(status="pending")
    factories.ReportFactory()
    factories.ReportFactory(departement="75")
    client.force_login(moderator_69)

    response = client.get(reverse("moderation:dashboard"))

    assert response.context["waiting"] == {"companies": 1, "listings": 1, "reports": 1}
    assert 'data-count="companies">1<' in response.content.decode()


def test_company_queue_shows_what_a_moderator_checks(client, moderator_69):
    company = factories.CompanyFactory(status="pending", naf_code="4941A", name="Transports Dupont")
    client.force_login(moderator_69)

    html = client.get(reverse("moderation:companies")).content.decode()

    assert "Transports Dupont" in html
    assert company.siret in html
    assert "4941A" in html
    assert reverse("accounts:company_detail", args=[company.pk]) in html
    assert 'value="verify"' in html and 'value="reject"' in html


def test_rejecting_without_reason_shows_a_french_error_and_changes_nothing(client, moderator_69):
    company = factories.CompanyFactory(status="pending")
    client.force_login(moderator_69)

    response = client.post(
        reverse("moderation:company_action", args=[company.pk]),
        {"action": "reject", "reason": "  ", "statut": "pending"},
    )

    assert response.status_code == 400
    assert "Veuillez indiquer un motif" in response.content.decode()
    company.refresh_from_db()
    assert company.status == "pending"


def test_verifying_from_the_queue(client, moderator_69):
    company = factories.CompanyFactory(status="pending")
    client.force_login(moderator_69)

    response = client.post(
        reverse("moderation:company_action", args=[company.pk]),
        {"action": "verify", "statut": "pending"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:companies") + "?statut=pending"
    company.refresh_from_db()
    assert company.status == Company.Status.VERIFIED
    assert AuditLogEntry.objects.get().actor == moderator_69


def test_invalid_transition_from_the_page_keeps_the_typed_reason(client, moderator_69):
    company = factories.CompanyFactory(status="pending")
    client.force_login(moderator_69)

    response = client.post(
        reverse("moderation:company_action", args=[company.pk]),
        {"action": "suspend", "reason": "Mon motif détaillé", "statut": "pending"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Action impossible" in html
    assert "Mon motif détaillé" in html


def test_company_outside_territory_is_404_on_the_page(client, moderator_75):
    company = factories.CompanyFactory(status="pending")
    client.force_login(moderator_75)
    response = client.post(
        reverse("moderation:company_action", args=[company.pk]), {"action": "verify"}
    )
    assert response.status_code == 404
    company.refresh_from_db()
    assert company.status == "pending"


def test_listing_queue_approve_and_reject_with_reason(client, moderator_69):
    first = factories.ListingFactory(status="pending", title="Chambre froide 20 m²")
    second = factories.ListingFactory(status="pending")
    client.force_login(moderator_69)

    html = client.get(reverse("moderation:listings")).content.decode()
    assert "Chambre froide 20 m²" in html

    client.post(reverse("moderation:listing_action", args=[first.pk]), {"action": "approve"})
    missing = client.post(
        reverse("moderation:listing_action", args=[second.pk]), {"action": "reject"}
    )
    assert missing.status_code == 400
    assert "Veuillez indiquer un motif" in missing.content.decode()
    client.post(
        reverse("moderation:listing_action", args=[second.pk]),
        {"action": "reject", "reason": "Description trop vague"},
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "published"
    assert (second.status, second.rejection_reason) == ("rejected", "Description trop vague")


@pytest.mark.parametrize("name", PAGES)
def test_page_query_count_does_not_grow_with_items(client, moderator_69, name):
    def queries_with(n: int) -> int:
        for _ in range(n):
            listing = factories.ListingFactory(status="pending")
            factories.CompanyFactory(status="pending")
            factories.ReportFactory(target_type="listing", target_id=listing.pk)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(f"moderation:{name}")).status_code == 200
        return len(queries)

    client.force_login(moderator_69)
    # The first request of a process reads the crises not over yet, then keeps them in the cache
    # for a minute (bourse.listings.crises): count the requests that follow.
    client.get(reverse(f"moderation:{name}"))
    assert queries_with(1) == queries_with(5)


def test_report_queue_resolve(client, moderator_69, company):
    report = factories.ReportFactory(target_id=company.pk, reason="Il vend du faux")
    client.force_login(moderator_69)

    html = client.get(reverse("moderation:reports")).content.decode()
    assert "Il vend du faux" in html and company.name in html

    missing_note = client.post(
        reverse("moderation:report_resolve", args=[report.pk]), {"decision": "warned"}
    )
    assert missing_note.status_code == 400
    assert "Veuillez indiquer un motif" in missing_note.content.decode()

    client.post(
        reverse("moderation:report_resolve", args=[report.pk]),
        {"decision": "dismissed", "statut": "open"},
    )
    report.refresh_from_db()
    assert report.status == "resolved"


def test_log_and_stats_pages_show_the_figures(client, moderator_69):
    company = factories.CompanyFactory(status="pending", name="Menuiserie Martin")
    client.force_login(moderator_69)
    client.post(
        reverse("moderation:company_action", args=[company.pk]),
        {"action": "reject", "reason": "Doublon d'une autre fiche"},
    )

    log = client.get(reverse("moderation:log")).content.decode()
    assert "Doublon d&#x27;une autre fiche" in log
    stats = client.get(reverse("moderation:stats") + "?departement=69")
    assert stats.context["figures"]["companies"] == {"rejected": 1}
    assert client.get(reverse("moderation:stats") + "?departement=42").status_code == 200
    # The form refuses a département outside the territory: the whole territory is shown.
    assert client.get(reverse("moderation:stats") + "?departement=42").context["form"].errors


def test_log_page_shows_the_history_of_one_company(client, moderator_69):
    first = factories.CompanyFactory(status="pending")
    second = factories.CompanyFactory(status="pending")
    client.force_login(moderator_69)
    for company, reason in ((first, "Premier motif"), (second, "Second motif")):
        client.post(
            reverse("moderation:company_action", args=[company.pk]),
            {"action": "reject", "reason": reason},
        )

    html = client.get(
        reverse("moderation:log"), {"target_type": "company", "target_id": first.pk}
    ).content.decode()

    assert "Premier motif" in html
    assert "Second motif" not in html
