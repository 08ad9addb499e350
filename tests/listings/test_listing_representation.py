"""serializers.listing_representation, the search endpoint's listing written out, against
ListingSerializer walking its fields: the same data and the same JSON, for listings of every
shape, in any time zone."""

import zoneinfo
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from bourse.listings.models import Listing
from bourse.listings.search.rows import page_rows
from bourse.listings.serializers import (
    ListingSerializer,
    listing_representation,
    moment_writer,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _shapes() -> list[Listing]:
    company = factories.CompanyFactory(name="Frigos & Cie <Lyon>")
    bare = factories.ListingFactory(
        company=company, title="Chambre froide", quantity=None, price=None, attributes=None
    )
    full = factories.ListingFactory(
        company=company,
        kind="need",
        title="Cherche palettes « Europe »",
        description="Ligne 1\nLigne 2 — accents éà",
        quantity=Decimal("8500"),
        unit="unit",
        terms="sale",
        price=Decimal("12.5"),
        available_from=date(2026, 12, 1),
        available_until=date(2027, 3, 31),
        attributes={"temp_min": -25, "temp_max": 4, "food_grade": True, "unknown": "x"},
        published_ago=timedelta(days=3, microseconds=123),
    )
    factories.ListingPhotoFactory(listing=full, position=1)
    factories.ListingPhotoFactory(listing=full, position=0)
    draft = factories.ListingFactory(
        company=company,
        status="draft",
        published_at=None,
        expires_at=None,
        quantity=Decimal("0.25"),
        attributes={},
    )
    rejected = factories.ListingFactory(
        company=company, status="rejected", rejection_reason="Trop vague.", radius_km=1000
    )
    return page_rows([bare.pk, full.pk, draft.pk, rejected.pk])


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "Pacific/Noumea"])
@pytest.mark.parametrize("with_request", [True, False])
def test_written_out_equals_the_serializer(zone, with_request):
    request = APIRequestFactory().get("/api/v1/listings/") if with_request else None
    context = {"request": request} if request is not None else {}
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for listing in _shapes():
            expected = ListingSerializer(listing, context=context).data
            written = listing_representation(listing, request)
            assert listing_representation(listing, request, moment_writer()) == written
            assert written == expected
            assert list(written) == list(expected)  # same keys, same order
            assert JSONRenderer().render(written) == JSONRenderer().render(expected)


def test_every_field_of_the_serializer_is_written_out():
    listing = _shapes()[1]
    assert list(listing_representation(listing)) == ListingSerializer.Meta.fields
    assert len(listing_representation(listing)["photos"]) == 2


def test_a_search_response_writes_its_dates_with_one_writer(monkeypatch):
    from bourse.listings.search import views

    made = []
    real = views.moment_writer
    monkeypatch.setattr(views, "moment_writer", lambda: made.append(1) or real())
    rows = _shapes()
    data = views.ListingSearchResultSerializer(rows, many=True).data  # no context given
    assert len(made) == 1
    assert [dict(row) for row in data] == [dict(ListingSerializer(r).data) for r in rows]
