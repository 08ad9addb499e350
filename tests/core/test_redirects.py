"""A `next` URL sends a person back within this site, never to another one."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from bourse.core.redirects import safe_next
from bourse.listings.models import Listing
from tests import factories


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/annonces/mes-annonces/", "/annonces/mes-annonces/"),
        ("http://testserver/messages/", "http://testserver/messages/"),
        ("https://evil.example/phish", "/fallback/"),
        ("//evil.example/phish", "/fallback/"),
        ("/\\evil.example", "/fallback/"),
        ("javascript:alert(1)", "/fallback/"),
        ("", "/fallback/"),
        (None, "/fallback/"),
    ],
)
def test_safe_next_keeps_only_this_site(url, expected):
    request = RequestFactory().get("/")
    assert safe_next(request, url, "/fallback/") == expected


def test_renewing_a_listing_does_not_follow_a_next_to_another_site(client, company_admin, company):
    listing = factories.ListingFactory(company=company, status=Listing.Status.PUBLISHED)
    client.force_login(company_admin)

    response = client.post(
        reverse("listings:renew", args=[listing.pk]), {"next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("listings:mine")

    response = client.post(reverse("listings:renew", args=[listing.pk]), {"next": "/messages/"})
    assert response["Location"] == "/messages/"
