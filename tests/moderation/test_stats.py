"""Territory statistics on a small known data set."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

STATS = "/api/v1/moderation/stats/"


@pytest.fixture
def dataset(make_conversation):
    """Rhône: 3 companies (2 verified, 1 pending), 4 listings; Loire: 1 company, 1 listing.

    First contacts in Rhône: 2 h and 10 h after publication (median 6 h); a listing whose
    first conversation started 30 h later also had an earlier one at 4 h: the first wins.
    """
    now = timezone.now()
    storage = factories.CategoryFactory(slug="test-stockage")
    trucks = factories.CategoryFactory(slug="test-camions")
    lyon = factories.CompanyFactory()
    villeurbanne = factories.CompanyFactory(postal_code="69100")
    factories.CompanyFactory(status="pending")
    loire = factories.CompanyFactory(postal_code="42000")

    published_at = now - timedelta(days=3)
    a = factories.ListingFactory(company=lyon, category=storage, published_at=published_at)
    b = factories.ListingFactory(company=lyon, category=storage, published_at=published_at)
    c = factories.ListingFactory(company=villeurbanne, category=trucks, published_at=published_at)
    factories.ListingFactory(
        company=villeurbanne, category=trucks, status="fulfilled", closed_at=now
    )
    d = factories.ListingFactory(company=loire, category=trucks, published_at=published_at)

    make_conversation(
        a,
        villeurbanne,
        [
            (villeurbanne, "Intéressé", published_at + timedelta(hours=2)),
            (lyon, "Très bien", published_at + timedelta(hours=5)),
        ],
        created_at=published_at + timedelta(hours=2),
    )
    make_conversation(
        b,
        loire,
        [(loire, "Dispo ?", published_at + timedelta(hours=4))],
        created_at=published_at + timedelta(hours=4),
    )
    make_conversation(
        b,
        villeurbanne,
        [(villeurbanne, "Et pour nous ?", published_at + timedelta(hours=30))],
        created_at=published_at + timedelta(hours=30),
    )
    make_conversation(
        c,
        lyon,
        [(lyon, "Bonjour", published_at + timedelta(hours=10))],
        created_at=published_at + timedelta(hours=10),
    )
    make_conversation(
        d,
        lyon,
        [(lyon, "Bonjour", published_at + timedelta(hours=100))],
        created_at=published_at + timedelta(hours=100),
    )
    return {"storage": storage, "trucks": trucks}


def test_stats_of_the_rhone(client_for, moderator_69, dataset):
    response = client_for(moderator_69).get(STATS)

    assert response.status_code == 200
    assert response.json() == {
        "companies": {"verified": 2, "pending": 1},
        "listings": {"published": 3, "fulfilled": 1},
        "listings_by_category": {"test-stockage": 2, "test-camions": 2},
        "conversations": 4,
        "messages": 5,
        "fulfilled": 1,
        "median_hours_to_first_contact": 4.0,
        "suggestions": {"dismissed": 0, "contacted": 0, "conversations": 0},
    }


def test_national_moderator_sees_the_whole_country(client_for, national, dataset):
    body = client_for(national).get(STATS).json()

    assert body["companies"] == {"verified": 3, "pending": 1}
    assert body["conversations"] == 5
    assert body["messages"] == 6
    # first contacts: 2, 4, 10, 100 hours → median (4 + 10) / 2
    assert body["median_hours_to_first_contact"] == 7.0
    loire = client_for(national).get(STATS + "?departement=42").json()
    assert loire["companies"] == {"verified": 1}
    assert loire["median_hours_to_first_contact"] == 100.0


def test_since_keeps_recent_objects_only(client_for, moderator_69, dataset):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    body = client_for(moderator_69).get(STATS + f"?since={tomorrow}").json()

    assert body == {
        "companies": {},
        "listings": {},
        "listings_by_category": {},
        "conversations": 0,
        "messages": 0,
        "fulfilled": 0,
        "median_hours_to_first_contact": None,
        "suggestions": {"dismissed": 0, "contacted": 0, "conversations": 0},
    }


def test_departement_outside_territory_is_404_and_bad_date_is_400(client_for, moderator_69):
    client = client_for(moderator_69)
    assert client.get(STATS + "?departement=42").status_code == 404
    response = client.get(STATS + "?since=hier")
    assert response.status_code == 400
    assert "since" in response.json()


def test_multi_departement_moderator_without_param_covers_all_their_departements(
    client_for, moderator, dataset
):
    body = client_for(moderator).get(STATS).json()  # Rhône and Loire
    assert body["companies"] == {"verified": 3, "pending": 1}
