"""Every page's browser title names the site after the page, like the other areas' pages
("Signalements — Bourse d'entraide inter-entreprises"), so tabs and history stay readable."""

import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

SITE = "Bourse d'entraide inter-entreprises"


def title_of(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("path", "page"),
    [
        ("/moderation/", "Modération"),
        ("/moderation/entreprises/", "Entreprises à vérifier"),
        ("/moderation/annonces/", "Annonces à valider"),
        ("/moderation/signalements/", "Signalements"),
        ("/moderation/journal/", "Journal de modération"),
        ("/moderation/statistiques/", "Statistiques"),
    ],
)
def test_moderation_pages_name_the_site_in_their_title(client, moderator, path, page):
    client.force_login(moderator)
    assert title_of(client.get(path, HTTP_ACCEPT_LANGUAGE="fr")) == f"{page} — {SITE}"


def test_notifications_page_names_the_site_in_its_title(client, company):
    client.force_login(factories.MembershipFactory(company=company).user)
    response = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="fr")
    assert title_of(response) == f"Notifications — {SITE}"


def test_report_form_and_forbidden_pages_name_the_site_in_their_title(client, company, user):
    listing = factories.ListingFactory(company=company)
    query = {"target_type": "listing", "target_id": listing.pk}
    client.force_login(factories.MembershipFactory(company=factories.CompanyFactory()).user)
    response = client.get("/moderation/signaler/", query, HTTP_ACCEPT_LANGUAGE="fr")
    assert title_of(response) == f"Signaler un abus — {SITE}"
    client.force_login(user)  # no company: may not report, may not moderate
    response = client.get("/moderation/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code in (200, 403)
    assert re.search(r"<title>.* — " + re.escape(SITE) + "</title>",
                     response.content.decode().replace("&#x27;", "'"))  # fmt: skip
