"""Moderation at crisis volume, on the pages: a moderator lands on the dashboard, the queues
show how long each item has waited (past the target delay highlighted), filter by département,
registry verdict and category, take common reasons, and act on several items at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Company
from bourse.listings.models import Category, Listing
from bourse.moderation.models import AuditLogEntry, ModerationReason
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_69_42(db):
    return factories.ModeratorFactory(departements=["69", "42"]).user


def pending_company(**fields) -> Company:
    return factories.CompanyFactory(status=Company.Status.PENDING, **fields)


def test_moderator_lands_on_the_dashboard_after_login(client, moderator_69_42):
    response = client.post(
        "/comptes/login/", {"login": moderator_69_42.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/moderation/"


def test_member_does_not_land_on_moderation(client):
    member = factories.MembershipFactory().user
    response = client.post(
        "/comptes/login/", {"login": member.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert not response.url.startswith("/moderation/")


def test_queue_is_oldest_first_with_waiting_time_and_overdue_marked(client, moderator_69_42):
    now = timezone.now()
    fresh = pending_company(name="Toute Neuve", status_changed_at=now - timedelta(hours=2))
    old = pending_company(name="Ancienne", status_changed_at=now - timedelta(days=2, hours=3))
    client.force_login(moderator_69_42)
    page = client.get("/moderation/entreprises/").content.decode()
    assert page.index("Ancienne") < page.index("Toute Neuve")
    assert "en attente depuis 2 j 3 h" in page
    assert "délai de 24 h dépassé" in page
    assert f'class="card overdue" id="entreprise-{old.pk}"' in page
    assert f'class="card" id="entreprise-{fresh.pk}"' in page


def test_target_delay_is_a_setting(client, moderator_69_42, settings):
    settings.MODERATION_TARGET_HOURS = 1
    company = pending_company(status_changed_at=timezone.now() - timedelta(hours=2))
    client.force_login(moderator_69_42)
    page = client.get("/moderation/entreprises/").content.decode()
    assert f'class="card overdue" id="entreprise-{company.pk}"' in page


def test_filters_by_departement_and_registry_verdict(client, moderator_69_42):
    pending_company(name="Lyonnaise", registry_status="match")
    pending_company(name="Stéphanoise", postal_code="42000", registry_status="closed")
    client.force_login(moderator_69_42)
    page = client.get("/moderation/entreprises/?departement=42").content.decode()
    assert "Stéphanoise" in page and "Lyonnaise" not in page
    page = client.get("/moderation/entreprises/?verdict=match").content.decode()
    assert "Lyonnaise" in page and "Stéphanoise" not in page
    # A département outside the territory is ignored, never a way to see elsewhere.
    pending_company(name="Parisienne", postal_code="75011")
    page = client.get("/moderation/entreprises/?departement=75").content.decode()
    assert "Parisienne" not in page


def test_listings_filter_by_parent_category(client, moderator_69_42):
    storage = Category.objects.get(slug="stockage")
    cold = storage.children.first()
    stored = factories.ListingFactory(
        title="Chambre froide 40 m²", category=cold, status="pending", published_at=None
    )
    factories.ListingFactory(title="Tour CNC", status="pending", published_at=None)
    client.force_login(moderator_69_42)
    page = client.get("/moderation/annonces/?categorie=stockage").content.decode()
    assert stored.title in page
    assert "Tour CNC" not in page


def test_bulk_verify_from_the_page(client, moderator_69_42):
    companies = [pending_company(name=f"Entreprise à vérifier {i}") for i in range(3)]
    client.force_login(moderator_69_42)
    response = client.post(
        "/moderation/entreprises/lot/",
        {"action": "verify", "ids": [c.pk for c in companies], "statut": "pending"},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 entreprises vérifiées." in page
    assert Company.objects.filter(status="verified", pk__in=[c.pk for c in companies]).count() == 3
    assert AuditLogEntry.objects.filter(action="company.verify").count() == 3


def test_bulk_reject_with_a_common_reason_reports_what_failed(client, moderator_69_42):
    listing = factories.ListingFactory(status="pending", published_at=None)
    published = factories.ListingFactory(title="Déjà publiée")
    reason = ModerationReason.objects.filter(target="listing", action="reject").first()
    client.force_login(moderator_69_42)
    response = client.post(
        "/moderation/annonces/lot/",
        {"action": "reject", "ids": [listing.pk, published.pk, 999999], "reason_id": reason.pk},
        follow=True,
    )
    page = response.content.decode()
    assert "Annonce refusée." in page
    assert "Déjà publiée :" in page
    assert "n° 999999 : Introuvable." in page
    listing.refresh_from_db()
    assert (listing.status, listing.rejection_reason) == (Listing.Status.REJECTED, reason.text)


def test_bulk_without_a_reason_or_a_selection_keeps_the_queue_with_a_french_error(
    client, moderator_69_42
):
    company = pending_company()
    client.force_login(moderator_69_42)
    response = client.post(
        "/moderation/entreprises/lot/", {"action": "reject", "ids": [company.pk]}
    )
    assert response.status_code == 400
    assert "Veuillez indiquer un motif" in response.content.decode()
    response = client.post("/moderation/entreprises/lot/", {"action": "verify"})
    assert response.status_code == 400
    assert "Cochez au moins un élément" in response.content.decode()
    company.refresh_from_db()
    assert company.status == Company.Status.PENDING


def test_single_action_takes_a_common_reason(client, moderator_69_42):
    company = pending_company(name="À refuser")
    reason = ModerationReason.objects.filter(target="company", action="reject").first()
    client.force_login(moderator_69_42)
    response = client.post(
        f"/moderation/entreprises/{company.pk}/action/",
        {"action": "reject", "reason_id": reason.pk, "reason": "Merci de joindre un Kbis."},
        follow=True,
    )
    assert "Entreprise refusée : « À refuser »." in response.content.decode()
    company.refresh_from_db()
    assert company.status_reason == f"{reason.text}\nMerci de joindre un Kbis."


@pytest.mark.parametrize("path", ["/moderation/entreprises/lot/", "/moderation/annonces/lot/"])
def test_bulk_pages_are_for_moderators_only(client, path):
    member = factories.MembershipFactory().user
    company = pending_company()
    client.force_login(member)
    response = client.post(path, {"action": "verify", "ids": [company.pk]})
    assert response.status_code == 403
    company.refresh_from_db()
    assert company.status == Company.Status.PENDING


def test_log_and_dashboard_show_names_not_emails(client, moderator_69_42):
    company = pending_company(name="Menuiserie Durand")
    moderator_69_42.first_name, moderator_69_42.last_name = "Claire", "Martin"
    moderator_69_42.save()
    client.force_login(moderator_69_42)
    client.post(f"/moderation/entreprises/{company.pk}/action/", {"action": "verify"})
    for path in ("/moderation/", "/moderation/journal/"):
        page = client.get(path).content.decode()
        assert "Claire Martin" in page
        assert "« Menuiserie Durand »" in page
        assert moderator_69_42.email not in page
