"""The advisors' call list of a territory ("Besoins sans réponse") and the calls recorded."""

from datetime import timedelta

import pytest
from django.urls import reverse

from bourse.moderation.models import AdvisorCall, AuditLogEntry
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/api/v1/moderation/unanswered/"


def call_url(pk: int) -> str:
    return f"/api/v1/moderation/unanswered/{pk}/calls/"


@pytest.fixture
def rhone():
    """Rhône: a need of 10 days, a need of 5 days ending soon, an offer of 8 days, a need of
    1 day (too recent), a need answered by a conversation, a withdrawn need; Loire: a need."""
    company = factories.CompanyFactory(phone="04 72 00 00 00")
    author = factories.MembershipFactory(
        company=company, user__first_name="Claire", user__last_name="Martin", user__phone=""
    ).user
    old = factories.ListingFactory(
        company=company, created_by=author, kind="need", published_ago=timedelta(days=10)
    )
    urgent = factories.ListingFactory(
        company=company,
        created_by=author,
        kind="need",
        published_ago=timedelta(days=5),
        available_until=(old.published_at + timedelta(days=20)).date(),
    )
    offer = factories.ListingFactory(company=company, kind="offer", published_ago=timedelta(days=8))
    factories.ListingFactory(company=company, kind="need", published_ago=timedelta(days=1))
    answered = factories.ListingFactory(
        company=company, kind="need", published_ago=timedelta(days=6)
    )
    factories.ConversationFactory(listing=answered)
    factories.ListingFactory(
        company=company, kind="need", status="withdrawn", published_ago=timedelta(days=9)
    )
    loire = factories.ListingFactory(
        company=factories.CompanyFactory(postal_code="42000"),
        kind="need",
        published_ago=timedelta(days=7),
    )
    return {"old": old, "urgent": urgent, "offer": offer, "loire": loire, "author": author}


def client_of(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=user)
    return client


def ids(response) -> list[int]:
    return [entry["listing"]["id"] for entry in response.json()["results"]]


def test_the_list_holds_unanswered_listings_needs_first_oldest_first(rhone, moderator_69):
    response = client_of(moderator_69).get(LIST, {"departement": "69"})
    assert response.status_code == 200
    assert ids(response) == [rhone["old"].pk, rhone["urgent"].pk, rhone["offer"].pk]
    first = response.json()["results"][0]
    assert first["contact"] == {
        "name": "Claire Martin",
        "phone": "04 72 00 00 00",
        "email": rhone["author"].email,
    }
    assert first["calls"] == [] and first["suggestions"] == []


def test_days_moves_the_threshold(rhone, moderator_69):
    response = client_of(moderator_69).get(LIST, {"departement": "69", "days": 9})
    assert ids(response) == [rhone["old"].pk]
    bad = client_of(moderator_69).get(LIST, {"days": "-1"})
    assert bad.status_code == 400 and "days" in bad.json()


def test_without_departement_a_moderator_gets_their_whole_territory(rhone, moderator_69, national):
    mine = ids(client_of(moderator_69).get(LIST))
    assert rhone["loire"].pk not in mine  # 42 is not in this moderator's territory
    everything = ids(client_of(national).get(LIST))
    assert rhone["loire"].pk in everything and rhone["old"].pk in everything


def test_suggestions_are_the_live_recorded_matches_best_first(rhone, moderator_69):
    old = rhone["old"]
    weak = factories.ListingFactory(kind="offer")
    strong = factories.ListingFactory(kind="offer")
    gone = factories.ListingFactory(kind="offer", status="withdrawn")
    for other, score in ((weak, 0.5), (strong, 0.9), (gone, 0.95)):
        a, b = sorted((old.pk, other.pk))
        factories.MatchFactory(listing_a_id=a, listing_b_id=b, score=score)
    first = client_of(moderator_69).get(LIST, {"departement": "69"}).json()["results"][0]
    assert first["suggestions"] == [strong.pk, weak.pk]


def test_a_call_is_recorded_audited_and_shown(rhone, moderator_69):
    client = client_of(moderator_69)
    old = rhone["old"]
    response = client.post(
        call_url(old.pk), {"outcome": "not_reached", "note": "Répondeur"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["outcome"] == "not_reached"
    entry = AuditLogEntry.objects.get(action="listing.call")
    assert (entry.target_id, entry.departement, entry.actor_id) == (old.pk, "69", moderator_69.pk)
    assert entry.data["outcome"] == "not_reached" and entry.reason == "Répondeur"
    listed = client.get(LIST, {"departement": "69"}).json()["results"][0]
    assert listed["listing"]["id"] == old.pk
    assert listed["calls"][0]["by"] == moderator_69.email
    assert listed["calls"][0]["note"] == "Répondeur"


@pytest.mark.parametrize("outcome", ["resolved", "no_longer_needed"])
def test_a_listing_settled_by_a_call_leaves_the_list(rhone, moderator_69, outcome):
    client = client_of(moderator_69)
    client.post(call_url(rhone["old"].pk), {"outcome": outcome}, format="json")
    assert rhone["old"].pk not in ids(client.get(LIST, {"departement": "69"}))
    rhone["old"].refresh_from_db()
    assert rhone["old"].status == "published"  # the company's listing is left as it is


def test_bad_calls_are_400_with_the_field_named(rhone, moderator_69):
    client = client_of(moderator_69)
    response = client.post(call_url(rhone["old"].pk), {"outcome": "maybe"}, format="json")
    assert response.status_code == 400 and "outcome" in response.json()
    response = client.post(
        call_url(rhone["old"].pk), {"outcome": "reached", "note": "a\u202eb"}, format="json"
    )
    assert response.status_code == 400 and "note" in response.json()
    assert not AdvisorCall.objects.exists()


def test_other_territory_is_404(rhone, moderator_69, moderator_75):
    assert client_of(moderator_75).get(LIST, {"departement": "69"}).status_code == 404
    response = client_of(moderator_75).post(
        call_url(rhone["old"].pk), {"outcome": "reached"}, format="json"
    )
    assert response.status_code == 404
    response = client_of(moderator_69).post(
        call_url(rhone["loire"].pk), {"outcome": "reached"}, format="json"
    )
    assert response.status_code == 404
    assert not AdvisorCall.objects.exists()


def test_non_moderators_are_refused(rhone):
    from rest_framework.test import APIClient

    assert APIClient().get(LIST).status_code == 401
    assert APIClient().post(call_url(rhone["old"].pk), {"outcome": "reached"}).status_code == 401
    member = client_of(rhone["author"])
    assert member.get(LIST).status_code == 403
    assert member.post(call_url(rhone["old"].pk), {"outcome": "reached"}).status_code == 403


# --- The French page ----------------------------------------------------------------------


def test_the_page_lists_and_records_a_call(client, rhone, moderator_69):
    client.force_login(moderator_69)
    page = client.get(reverse("moderation:unanswered"), {"departement": "69"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Besoins sans réponse" in text and rhone["old"].title in text
    assert "Claire Martin" in text and "04 72 00 00 00" in text
    url = reverse("moderation:unanswered_call", args=[rhone["old"].pk])
    response = client.post(
        url, {"outcome": "reached", "note": "Rappelle lundi", "departement": "69", "days": "3"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("moderation:unanswered"))
    assert "departement=69" in response["Location"]
    text = client.get(response["Location"]).content.decode()
    assert "Rappelle lundi" in text and moderator_69.display_name in text
    assert AuditLogEntry.objects.filter(action="listing.call").count() == 1


def test_the_page_shows_a_french_error_without_an_outcome(client, rhone, moderator_69):
    client.force_login(moderator_69)
    url = reverse("moderation:unanswered_call", args=[rhone["old"].pk])
    response = client.post(url, {"note": "sans résultat"})
    assert response.status_code == 400
    assert "Choisissez le résultat de l" in response.content.decode()
    assert "sans résultat" in response.content.decode()
    assert not AdvisorCall.objects.exists()


def test_the_page_is_for_moderators_of_the_territory(client, rhone, moderator_75):
    page = reverse("moderation:unanswered")
    assert client.get(page).status_code == 302  # to the login page
    client.force_login(rhone["author"])
    assert client.get(page).status_code == 403
    client.force_login(moderator_75)
    assert client.get(page, {"departement": "69"}).status_code == 404
    url = reverse("moderation:unanswered_call", args=[rhone["old"].pk])
    assert client.post(url, {"outcome": "reached"}).status_code == 404


def test_the_dashboard_counts_the_listings_to_call(client, rhone, moderator_69):
    client.force_login(moderator_69)
    text = client.get(reverse("moderation:dashboard")).content.decode()
    # old, urgent and offer in Rhône (69 only: the Loire need is another territory's)
    assert '<strong data-count="unanswered">3</strong>' in text
    assert "sans réponse depuis 3 jours" in text
