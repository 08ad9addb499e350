"""Territory statistics on a small known data set."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bourse.moderation.queries import iso_week
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


NEW_FIGURES = (
    "deals",
    "deals_reported",
    "follow_ups",
    "median_days_to_first_contact",
    "needs",
    "weekly",
    "by_category",
    "by_commune",
)


def first_figures(body: dict) -> dict:
    """The figures the statistics always had (the later ones are tested on their own)."""
    return {key: value for key, value in body.items() if key not in NEW_FIGURES}


def test_stats_of_the_rhone(client_for, moderator_69, dataset):
    response = client_for(moderator_69).get(STATS)

    assert response.status_code == 200
    assert first_figures(response.json()) == {
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

    assert body["by_category"] == [] and body["by_commune"] == []
    assert body["needs"] == {"answered": 0, "unanswered": 0}
    assert all(sum(week[k] for k in week if k != "week") == 0 for week in body["weekly"])
    assert first_figures(body) == {
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


def test_weekly_series_by_category_needs_and_communes(client_for, moderator_69, dataset):
    need = factories.ListingFactory(
        kind="need", category=dataset["storage"], published_ago=timedelta(days=1)
    )
    body = client_for(moderator_69).get(STATS).json()

    weeks = body["weekly"]
    assert len(weeks) == 12
    assert weeks[-1]["week"] == iso_week(timezone.localdate())
    assert [w["week"] for w in weeks] == sorted(w["week"] for w in weeks)
    totals = {k: sum(w[k] for w in weeks) for k in weeks[0] if k != "week"}
    assert totals == {
        "companies_verified": 3,  # lyon, villeurbanne and the need's company
        "offers": 4,  # a, b, c and the fulfilled one (published when created)
        "needs": 1,
        "conversations": 4,  # about a, b (twice) and c; the one about d (Loire) is not here
        "deals": 1,
    }
    assert body["by_category"] == [
        {"category": "test-stockage", "offers": 2, "needs": 1},
        {"category": "test-camions", "offers": 2, "needs": 0},
    ]
    assert body["needs"] == {"answered": 0, "unanswered": 1}
    assert body["median_days_to_first_contact"] == round(4.0 / 24, 1)
    lyon = next(c for c in body["by_commune"] if c["postal_code"] == "69002")
    assert lyon["listings"] == 3 and lyon["conversations"] == 3
    assert need.postal_code == "69002"


def test_stats_as_csv(client_for, moderator_69, dataset):
    response = client_for(moderator_69).get(STATS, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "conversations,4" in text
    assert "week,companies_verified,offers,needs,conversations,deals" in text
    assert "test-stockage,2,0" in text
    assert (
        client_for(moderator_69).get(STATS, {"format": "csv", "departement": "42"}).status_code
        == 404
    )


def test_log_and_listings_as_csv_are_filtered_and_formula_safe(client_for, moderator_69, dataset):
    from bourse.moderation import services

    listing = factories.ListingFactory(status="pending", title="=HYPERLINK(1)")
    services.listing_hide(
        listing=factories.ListingFactory(), by=moderator_69, reason="+33 appel frauduleux"
    )
    services.listing_approve(listing=listing, by=moderator_69)
    client = client_for(moderator_69)
    log = client.get("/api/v1/moderation/log/", {"format": "csv", "action": "listing.hide"})
    assert log.status_code == 200 and log["Content-Type"].startswith("text/csv")
    lines = log.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,created_at,actor_id,actor_email,action")
    assert len(lines) == 2 and "'+33 appel frauduleux" in lines[1]
    listings = client.get("/api/v1/moderation/listings/", {"format": "csv"})
    text = listings.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    assert text.count("\r\n") == 1 + 6  # header + the territory's listings, not Loire's
    assert (
        client_for(factories.MembershipFactory().user)
        .get("/api/v1/moderation/log/", {"format": "csv"})
        .status_code
        == 403
    )


def test_the_page_draws_charts_with_their_tables_and_links_the_exports(
    client, moderator_69, dataset
):
    client.force_login(moderator_69)
    response = client.get("/moderation/statistiques/", {"departement": "69"})
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count('<svg class="chart"') == 2  # weekly activity, supply and demand
    assert 'aria-hidden="true"' in text and "<rect" in text
    assert iso_week(timezone.localdate()) in text  # the weekly table
    assert "Offre et demande par catégorie" in text and "Activité par commune" in text
    assert '<strong data-figure="deals">1</strong> échange(s) réalisé(s)' in text
    assert '<strong data-figure="follow-ups">0 / 0</strong>' in text
    assert "/api/v1/moderation/stats/?format=csv&amp;departement=69" in text
    assert "/api/v1/moderation/log/?format=csv&amp;departement=69" in text
    # The exports the page links answer CSV to the same session.
    export = client.get("/api/v1/moderation/listings/?format=csv&departement=69")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")


def test_a_refused_csv_request_is_answered_in_json(client_for, moderator_69):
    response = client_for(moderator_69).get(STATS, {"format": "csv", "since": "hier"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "since" in response.json()


def test_deals_are_conversations_reported_yes_once_plus_unreported_fulfilled_listings(
    client_for, moderator_69, dataset, make_conversation
):
    """The dataset's fulfilled listing (no conversation) is one deal; a conversation reported
    "yes" by both companies is one more, in the week of the first "yes"; a listing fulfilled
    through a "yes" counts once; "no", "in progress", unanswered and another territory's
    "yes" count nothing."""
    from messaging.models import DealFollowUp

    now = timezone.now()
    lyon = factories.CompanyFactory(postal_code="69003")
    partner = factories.CompanyFactory(postal_code="69100")
    loire = factories.CompanyFactory(postal_code="42000")

    def follow_up(conversation, company, answer, days_ago=0):
        return DealFollowUp.objects.create(
            conversation=conversation,
            company=company,
            answer=answer,
            answered_at=now - timedelta(days=days_ago) if answer else None,
        )

    both_yes = make_conversation(factories.ListingFactory(company=lyon), partner)
    follow_up(both_yes, lyon, "yes", days_ago=8)
    follow_up(both_yes, partner, "yes", days_ago=1)
    talked = make_conversation(factories.ListingFactory(company=lyon), partner)
    follow_up(talked, lyon, "no")
    follow_up(talked, partner, "ongoing")
    follow_up(make_conversation(factories.ListingFactory(company=lyon), partner), lyon, "")
    fulfilled = factories.ListingFactory(company=lyon, status="fulfilled", closed_at=now)
    follow_up(make_conversation(fulfilled, partner), lyon, "yes")
    follow_up(make_conversation(factories.ListingFactory(company=loire), lyon), loire, "yes")

    body = client_for(moderator_69).get(STATS).json()

    assert sum(w["deals"] for w in body["weekly"]) == 3 == body["deals"]
    by_week = {w["week"]: w["deals"] for w in body["weekly"]}
    assert by_week[iso_week(timezone.localdate(now - timedelta(days=8)))] >= 1
    assert body["deals_reported"] == 2
    assert body["follow_ups"] == {"asked": 6, "yes": 3, "no": 1, "ongoing": 1, "unanswered": 1}

    recent = (
        client_for(moderator_69)
        .get(STATS, {"since": timezone.localdate(now - timedelta(days=2)).isoformat()})
        .json()
    )
    # The conversation's first "yes" was 8 days ago: before the period.
    assert recent["deals_reported"] == 1
    assert sum(w["deals"] for w in recent["weekly"]) == recent["deals"] == 2

    csv = client_for(moderator_69).get(STATS, {"format": "csv"}).content.decode("utf-8-sig")
    assert "deals,3" in csv and "follow_ups.yes,3" in csv
