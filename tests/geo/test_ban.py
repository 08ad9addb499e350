"""The Base Adresse Nationale places a street address when it answers surely; the commune's
centre from the shipped table stays the default (recorded answers, tests/outside.py)."""

import pytest

from accounts.models import Company
from accounts.registry import company_locate_address
from bourse.geo import ban
from bourse.geo import data as geo
from tests import factories
from tests.outside import RecordedService


@pytest.fixture
def recorded_geocoder(settings):
    service = RecordedService("geocoder")
    service.slow.add("4 rue Lente")
    with service.running() as url:
        settings.GEOCODER_API_URL = url
        settings.GEOCODER_TIMEOUT = 0.5
        yield service


def test_house_number_is_placed(recorded_geocoder):
    located = ban.geocode("12  rue de l'Industrie", "69007")
    assert (located.latitude, located.longitude) == (45.728513, 4.838247)
    assert located.precision == "housenumber"
    assert located.label == "12 Rue de l'Industrie 69007 Lyon"


def test_unsure_answer_is_none(recorded_geocoder):
    # The BAN only found the town (type municipality, score 0.31).
    assert ban.geocode("Lieu-dit inconnu", "69007") is None


def test_answer_in_another_postal_code_is_refused(recorded_geocoder):
    assert ban.geocode("12 rue de l'Industrie", "69003") is None


def test_no_record_is_none_and_timeout_unreachable(recorded_geocoder):
    assert ban.geocode("1 place Bellecour", "69002") is None
    with pytest.raises(ban.Unreachable):
        ban.geocode("4 rue Lente", "69007")


@pytest.mark.django_db
def test_company_moves_to_its_address_and_back_to_the_commune_when_it_moves(
    recorded_geocoder, client_for, django_capture_on_commit_callbacks
):
    company = factories.CompanyFactory(address="12 rue de l'Industrie", postal_code="69007")
    company_locate_address(company=company)
    company.refresh_from_db()
    assert (company.latitude, company.longitude) == (45.728513, 4.838247)
    assert company.location_precision == "housenumber"

    admin = factories.MembershipFactory(company=company).user
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).patch(
            f"/api/v1/companies/{company.pk}/", {"address": "Lieu-dit inconnu"}, format="json"
        )
    assert response.status_code == 200
    company.refresh_from_db()
    centre = geo.lookup("69007")
    assert (company.latitude, company.longitude) == (centre.latitude, centre.longitude)
    assert company.location_precision == "commune"


@pytest.mark.django_db
def test_unreachable_geocoder_leaves_the_commune_centre(recorded_geocoder):
    company = factories.CompanyFactory(address="4 rue Lente", postal_code="69007")
    before = (company.latitude, company.longitude)
    company_locate_address(company=company)
    company.refresh_from_db()
    assert (company.latitude, company.longitude) == before
    assert company.location_precision == Company._meta.get_field("location_precision").default
