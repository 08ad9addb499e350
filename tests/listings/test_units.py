"""Units of a listing's quantity: counts and hours where people use them, staff-edited per
category, shown as people write them."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from bourse.listings import services
from bourse.listings.models import Category
from bourse.listings.units import allowed_units, quantity_text

from .write_support import listing_data

pytestmark = pytest.mark.django_db

units_migration = importlib.import_module(
    "bourse.listings.migrations.0013_category_units_counts_and_hours"
)


@pytest.mark.parametrize(
    ("slug", "quantity", "unit"),
    [
        ("papier-carton", "8500", "unit"),  # 8 500 cartons
        ("machines-production", "58", "hour"),  # a machine for 58 hours
        ("manutention", "3", "day"),  # a forklift for three days
        ("metaux", "40", "unit"),  # 40 steel bars
        ("bureaux", "4", "unit"),  # four workstations
    ],
)
def test_counts_and_hours_are_accepted_where_people_use_them(
    company, company_admin, slug, quantity, unit
):
    listing = services.listing_create(
        company=company,
        by=company_admin,
        data=listing_data(
            category=Category.objects.get(slug=slug),
            quantity=Decimal(quantity),
            unit=unit,
            attributes=None,
        ),
        submit=False,
    )
    assert (listing.quantity, listing.unit) == (Decimal(quantity), unit)


def test_a_unit_foreign_to_the_category_is_refused_naming_those_allowed(company, company_admin):
    with pytest.raises(ValidationError) as exc_info:
        services.listing_create(
            company=company,
            by=company_admin,
            data=listing_data(category=Category.objects.get(slug="papier-carton"), unit="person"),
            submit=False,
        )
    message = exc_info.value.message_dict["unit"][0]
    assert "tonne(s)" in message and "unité(s)" in message and "personne" not in message


def test_the_api_takes_hours_for_a_machine_and_lists_units_per_category(client_for, company_admin):
    client = client_for(company_admin)
    response = client.post(
        "/api/v1/listings/",
        {
            "kind": "offer",
            "title": "Centre d'usinage 5 axes disponible",
            "description": "DMG Mori, opérateur possible, 58 heures libres en décembre.",
            "category": "machines-production",
            "quantity": "58",
            "unit": "hour",
            "terms": "rent",
            "price": "65",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["quantity"], response.json()["unit"]) == (58, "hour")

    refused = client.post(
        "/api/v1/listings/",
        {**response.json(), "category": "machines-production", "unit": "m3", "quantity": "2"},
        format="json",
    )
    assert refused.status_code == 400 and "unit" in refused.json()

    categories = {c["slug"]: c for c in client.get("/api/v1/categories/").json()}
    assert categories["papier-carton"]["units"] == ["t", "kg", "pallet", "unit"]
    assert categories["froid"]["units"][0] == "m3"  # the first one is the one suggested
    # A parent accepts the units of its children.
    assert set(categories["equipements"]["units"]) >= {"unit", "hour", "day", "pallet"}


@pytest.mark.parametrize(
    ("quantity", "unit", "text"),
    [
        ("8500.00", "unit", "8\u00a0500\u00a0unités"),
        ("58", "hour", "58\u00a0heures"),
        ("1.00", "t", "1\u00a0tonne"),
        ("1.5", "hour", "1,5\u00a0heure"),
        ("2.50", "t", "2,5\u00a0tonnes"),
        ("1234567.25", "kg", "1\u00a0234\u00a0567,25\u00a0kg"),
        ("12", "", "12"),
    ],
)
def test_a_quantity_reads_as_people_write_it(quantity, unit, text):
    with translation.override("fr"):
        assert quantity_text(Decimal(quantity), unit) == text
    assert quantity_text(None, unit) == ""


@pytest.mark.parametrize(
    ("quantity", "unit", "french", "english"),
    [
        ("1", "t", "1\u00a0tonne", "1\u00a0tonne"),
        ("1.5", "t", "1,5\u00a0tonne", "1.5\u00a0tonnes"),
        ("0.5", "hour", "0,5\u00a0heure", "0.5\u00a0hours"),
        ("1.25", "pallet", "1,25\u00a0palette", "1.25\u00a0pallets"),
        ("2", "day", "2\u00a0jours", "2\u00a0days"),
        ("2.5", "l", "2,5\u00a0litres", "2.5\u00a0litres"),
        ("3", "person", "3\u00a0personnes", "3\u00a0people"),
    ],
)
def test_a_decimal_quantity_agrees_as_each_language_wants(quantity, unit, french, english):
    # French keeps the singular below 2, English puts every decimal in the plural.
    with translation.override("fr"):
        assert quantity_text(Decimal(quantity), unit) == french
    with translation.override("en"):
        assert quantity_text(Decimal(quantity), unit) == english


def test_the_detail_page_shows_the_quantity_in_words(client, company, company_admin):
    listing = services.listing_create(
        company=company,
        by=company_admin,
        data=listing_data(
            category=Category.objects.get(slug="papier-carton"),
            quantity=Decimal("8500"),
            unit="unit",
        ),
        submit=False,
    )
    client.force_login(company_admin)
    page = client.get(reverse("listings:detail", args=[listing.pk])).content.decode()
    assert "8\u00a0500\u00a0unités" in page


def test_the_migration_adds_units_after_staff_edits_and_reverses_only_its_own(
    company, company_admin
):
    carton = Category.objects.get(slug="papier-carton")
    # Staff had reordered the list and removed "pallet"; someone used "kg".
    carton.units = ["kg", "t"]
    carton.save()
    machines = Category.objects.get(slug="machines-production")
    machines.units = ["unit"]
    machines.save()
    services.listing_create(
        company=company,
        by=company_admin,
        data=listing_data(category=machines, quantity=Decimal(58), unit="unit", attributes=None),
        submit=False,
    )

    units_migration.add_units(apps, None)
    units_migration.add_units(apps, None)  # twice: nothing more
    carton.refresh_from_db()
    machines.refresh_from_db()
    assert carton.units == ["kg", "t", "unit"]
    assert machines.units == ["unit", "hour", "day"]

    Category.objects.filter(pk=machines.pk).update(units=["unit", "hour", "day"])
    services.listing_update(
        listing=machines.listings.get(), by=company_admin, data={"unit": "hour"}
    )
    units_migration.remove_units(apps, None)
    carton.refresh_from_db()
    machines.refresh_from_db()
    assert carton.units == ["kg", "t"]
    assert machines.units == ["unit", "hour"]  # "hour" is used by a listing: kept


def test_staff_tick_the_units_of_a_category_and_their_order_is_kept(admin_client):
    froid = Category.objects.get(slug="froid")
    assert froid.units == ["m3", "m2", "pallet"]
    response = admin_client.post(
        reverse("admin:listings_category_change", args=[froid.pk]),
        {
            "slug": "froid",
            "name": froid.name,
            "name_en": froid.name_en,
            "parent": froid.parent_id,
            "position": froid.position,
            "units": ["pallet", "m3", "day"],  # m2 unticked, day ticked
            "attributes": froid.attributes,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    froid.refresh_from_db()
    assert froid.units == ["m3", "pallet", "day"]
    assert allowed_units(froid) == ["m3", "pallet", "day"]

    refused = admin_client.post(
        reverse("admin:listings_category_change", args=[froid.pk]),
        {"slug": "froid", "name": froid.name, "position": 1, "units": ["furlong"]},
    )
    assert refused.status_code == 200 and "furlong" in refused.content.decode()
    froid.refresh_from_db()
    assert froid.units == ["m3", "pallet", "day"]
