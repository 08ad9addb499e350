"""The search page offers to save the current search to verified companies."""

import pytest
from django.urls import reverse

from bourse.matching.models import SavedSearch

pytestmark = pytest.mark.django_db


def test_verified_member_can_save_the_search_shown(client, company_admin, company):
    client.force_login(company_admin)
    html = client.get(reverse("listings:search"), {"q": "entrepôt", "near": "69003"}).content
    html = html.decode()
    assert reverse("matching:saved_search_create") in html
    assert 'name="q" value="entrepôt"' in html

    response = client.post(
        reverse("matching:saved_search_create"),
        {"q": "entrepôt", "kind": "", "category": "", "near": "69003", "radius_km": "50"},
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get(company=company)
    assert (saved.q, saved.radius_km) == ("entrepôt", 50)


def test_no_save_button_for_visitors_or_an_empty_search(client, company_admin):
    save_url = reverse("matching:saved_search_create")
    assert (
        save_url not in client.get(reverse("listings:search"), {"q": "palettes"}).content.decode()
    )
    client.force_login(company_admin)
    assert save_url not in client.get(reverse("listings:search")).content.decode()
