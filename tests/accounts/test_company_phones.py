"""Company phones: checked and stored E.164 at every write (service, pages, API, admin), shown
"04 78 12 34 56"; numbers kept as typed before that are listed and left until changed."""

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from accounts import services
from accounts.models import Company
from bourse.core.errors import ServiceError
from tests import factories

pytestmark = pytest.mark.django_db

phones_migration = importlib.import_module("accounts.migrations.0013_company_phones_e164")


def declare(user, **fields):
    return services.company_create(
        by=user,
        **{
            "name": "Transports Martin",
            "siret": factories.make_siret(),
            "address": "10 quai Rambaud",
            "postal_code": "69002",
            **fields,
        },
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("04 78 12 34 56", "+33478123456"),
        ("04.78.12.34.56", "+33478123456"),
        ("+33 (0)4 78 12 34 56", "+33478123456"),
        ("0033478123456", "+33478123456"),
        ("0262 12 34 56", "+262262123456"),
        ("", ""),
    ],
)
def test_declaring_stores_the_phone_e164(user, typed, stored):
    assert declare(user, phone=typed).phone == stored


def test_declaring_with_a_number_that_is_not_french_is_refused_on_the_field(user):
    with pytest.raises(ServiceError) as caught:
        declare(user, phone="+44 20 7946 0958", siret="123")
    # Every field's error at once: the phone's beside the SIRET's.
    assert set(caught.value.message_dict) == {"phone", "siret"}
    assert not Company.objects.exists()


def test_api_create_and_patch_store_e164_and_refuse_other_numbers(client_for, user):
    client = client_for(user)
    payload = {
        "name": "Transports Martin",
        "siret": factories.make_siret(),
        "address": "10 quai Rambaud",
        "postal_code": "69002",
        "phone": "06-12-34-56-78",
    }
    created = client.post("/api/v1/companies/", payload)
    assert created.status_code == 201, created.content
    company = Company.objects.get()
    assert company.phone == "+33612345678"
    assert client.get(f"/api/v1/companies/{company.pk}/").json()["phone"] == "+33612345678"

    refused = client.patch(f"/api/v1/companies/{company.pk}/", {"phone": "12345"}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["phone"]
    company.refresh_from_db()
    assert company.phone == "+33612345678"

    changed = client.patch(
        f"/api/v1/companies/{company.pk}/", {"phone": "04 78 12 34 56"}, format="json"
    )
    assert changed.status_code == 200
    company.refresh_from_db()
    assert company.phone == "+33478123456"


def form_data(company, **overrides):
    return {
        "name": company.name,
        "siret": company.siret,
        "naf_code": company.naf_code,
        "address": company.address,
        "postal_code": company.postal_code,
        "phone": company.phone,
        "website": company.website,
        "description": company.description,
        **overrides,
    }


def test_declaration_page_stores_e164_and_shows_the_number_the_french_way(client, user):
    client.force_login(user)
    data = {
        "name": "Menuiserie Durand",
        "siret": factories.make_siret(),
        "address": "4 rue des Artisans",
        "postal_code": "69007",
        "phone": "+33 4 78 12 34 56",
    }
    refused = client.post(reverse("accounts:company_create"), {**data, "phone": "04 78"})
    assert "Saisissez un numéro de téléphone français" in refused.content.decode()
    assert not Company.objects.exists()

    client.post(reverse("accounts:company_create"), data)
    company = Company.objects.get()
    assert company.phone == "+33478123456"
    assert "04 78 12 34 56" in client.get(reverse("accounts:company")).content.decode()
    edit_page = client.get(reverse("accounts:company_edit")).content.decode()
    assert 'value="04 78 12 34 56"' in edit_page


def test_edit_page_normalises_a_new_number_and_refuses_a_bad_one(client, company_admin):
    company = company_admin.membership.company
    client.force_login(company_admin)

    client.post(reverse("accounts:company_edit"), form_data(company, phone="0612345678"))
    company.refresh_from_db()
    assert company.phone == "+33612345678"

    refused = client.post(reverse("accounts:company_edit"), form_data(company, phone="061234"))
    assert "Saisissez un numéro de téléphone français" in refused.content.decode()
    company.refresh_from_db()
    assert company.phone == "+33612345678"


def test_a_number_kept_as_typed_stays_until_it_is_changed(client, company_admin):
    company = company_admin.membership.company
    Company.objects.filter(pk=company.pk).update(phone="standard : poste 12")
    client.force_login(company_admin)
    page = client.get(reverse("accounts:company_edit")).content.decode()
    assert 'value="standard : poste 12"' in page

    # Another field changes: the old number is not in the way.
    client.post(
        reverse("accounts:company_edit"),
        form_data(company, phone="standard : poste 12", description="Nouvelle présentation"),
    )
    company.refresh_from_db()
    assert (company.description, company.phone) == ("Nouvelle présentation", "standard : poste 12")


def test_admin_stores_e164_refuses_a_bad_number_and_keeps_an_old_one_untouched(admin_client):
    company = factories.CompanyFactory(phone="+33478123456")
    url = reverse("admin:accounts_company_change", args=[company.pk])
    inline = {
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }

    saved = admin_client.post(
        url, {"phone": "06 12 34 56 78", "website": "transports.fr", **inline}
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    company.refresh_from_db()
    assert (company.phone, company.website) == ("+33612345678", "https://transports.fr")

    refused = admin_client.post(url, {"phone": "+1 555 0100", "website": "", **inline})
    assert refused.status_code == 200
    assert "Saisissez un numéro de téléphone français" in refused.content.decode()
    company.refresh_from_db()
    assert company.phone == "+33612345678"

    Company.objects.filter(pk=company.pk).update(phone="standard : poste 12")
    kept = admin_client.post(
        url, {"phone": "standard : poste 12", "website": "", "description": "x", **inline}
    )
    assert kept.status_code == 302
    company.refresh_from_db()
    assert (company.phone, company.description) == ("standard : poste 12", "x")


def test_pages_show_company_numbers_the_french_way(client, company, other_admin):
    Company.objects.filter(pk=company.pk).update(phone="+33478123456")
    listing = factories.ListingFactory(company=company, status="published")
    client.force_login(other_admin)  # a member of another verified company

    profile = client.get(reverse("accounts:company_detail", args=[company.pk])).content.decode()
    detail = client.get(reverse("listings:detail", args=[listing.pk])).content.decode()

    for html in (profile, detail):
        assert 'href="tel:+33478123456"' in html
        assert "04 78 12 34 56" in html


def test_migration_stores_french_numbers_e164_and_keeps_the_others_as_typed():
    typed = {
        "04 78 12 34 56": "+33478123456",
        "06.12.34.56.78": "+33612345678",
        "+33 (0)6 12 34 56 79": "+33612345679",
        "+33478123457": "+33478123457",
        "": "",
        "standard : poste 12": "standard : poste 12",
        "+44 20 7946 0958": "+44 20 7946 0958",
    }
    companies = {raw: factories.CompanyFactory(phone=raw) for raw in typed}

    phones_migration.phones_to_e164(apps, None)
    phones_migration.phones_to_e164(apps, None)  # twice: nothing more

    for raw, company in companies.items():
        company.refresh_from_db()
        assert company.phone == typed[raw], raw


def test_command_lists_the_numbers_left_as_typed():
    factories.CompanyFactory(phone="+33478123456", name="Bien rangée")
    factories.CompanyFactory(phone="", name="Sans numéro")
    odd = factories.CompanyFactory(phone="standard : poste 12", name="Menuiserie Durand")
    foreign = factories.CompanyFactory(phone="+442079460958", name="London Ltd")
    out = StringIO()

    call_command("company_phones", stdout=out)

    lines = out.getvalue().splitlines()
    assert sorted(lines[:-1]) == sorted(
        [
            f"{odd.pk}\t69\tMenuiserie Durand\tstandard : poste 12",
            f"{foreign.pk}\t69\tLondon Ltd\t+442079460958",
        ]
    )
    assert lines[-1] == "2 company phone number(s) to correct."
