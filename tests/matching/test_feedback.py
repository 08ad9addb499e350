"""Suggestions learn from people: "Contacter" is recorded, repeated dismissals of one category
lower the others of that category, and moderators see how many suggestions led to a
conversation."""

import pytest

from bourse.matching import queries, scoring, services
from bourse.matching.models import SuggestionContact
from tests import factories


def offer_in(category, title="Entrepôt avec quai pour palettes", postal_code="69003"):
    return factories.ListingFactory(
        kind="offer",
        category=category,
        postal_code=postal_code,
        title=title,
        description="Quai de chargement couvert.",
    )


def test_feedback_factor_lowers_from_the_second_dismissal_to_a_floor():
    assert scoring.feedback_factor(0) == 1.0
    assert scoring.feedback_factor(1) == 1.0
    assert scoring.feedback_factor(2) == pytest.approx(0.9)
    assert scoring.feedback_factor(3) == pytest.approx(0.81)
    assert scoring.feedback_factor(50) == scoring.FEEDBACK_FLOOR


def test_dismissing_several_of_a_category_lowers_the_others_of_it(need, family, company_member):
    _parent, dry, cold = family
    kept_cold = offer_in(cold, postal_code="69002")
    kept_dry = offer_in(dry, postal_code="69002")
    before = {s.listing_id: s for s in queries.score_top(need)}
    for _ in range(3):
        services.suggestion_dismiss(company=need.company, listing=offer_in(cold), by=company_member)
    after = {s.listing_id: s for s in queries.score_top(need)}
    assert after[kept_cold.pk].feedback == pytest.approx(0.81)
    assert after[kept_cold.pk].score < before[kept_cold.pk].score
    assert after[kept_dry.pk].score == before[kept_dry.pk].score  # another category
    assert after[kept_cold.pk].reasons()["feedback"] == pytest.approx(0.81)
    assert "moins suggérée : vous avez masqué 3 annonces de cette catégorie" in scoring.describe(
        after[kept_cold.pk]
    )
    # The fast path and the reference agree, feedback included.
    naive = {s.listing_id: s.score for s in queries.suggestions_naive(need)}
    assert naive == {pk: s.score for pk, s in after.items()}


def test_contacter_records_the_contact_and_goes_on_to_the_conversation(
    client, company_member, other_company, family
):
    suggested = factories.ListingFactory(company=other_company, kind="offer", category=family[1])
    client.force_login(company_member)
    response = client.post(f"/suggestions/contacter/{suggested.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/messages/contacter/{suggested.pk}/"
    contact = SuggestionContact.objects.get()
    assert (contact.company, contact.listing, contact.contacted_by) == (
        company_member.membership.company,
        suggested,
        company_member,
    )
    client.post(f"/suggestions/contacter/{suggested.pk}/")
    assert SuggestionContact.objects.count() == 1


def test_contacter_own_listing_or_anonymous_is_refused(client, company_member, need):
    assert client.post(f"/suggestions/contacter/{need.pk}/").status_code == 302  # to login
    client.force_login(company_member)
    assert client.post(f"/suggestions/contacter/{need.pk}/").status_code == 404
    assert client.get(f"/suggestions/contacter/{need.pk}/").status_code == 405
    assert not SuggestionContact.objects.exists()


def test_moderators_see_how_many_suggestions_led_to_a_conversation(
    client_for, company_member, other_company, family
):
    from messaging.services import conversation_start

    company = company_member.membership.company
    talked = factories.ListingFactory(company=other_company, kind="offer", category=family[1])
    silent = factories.ListingFactory(company=other_company, kind="offer", category=family[1])
    hidden = factories.ListingFactory(company=other_company, kind="offer", category=family[1])
    services.suggestion_contact(company=company, listing=talked, by=company_member)
    services.suggestion_contact(company=company, listing=silent, by=company_member)
    services.suggestion_dismiss(company=company, listing=hidden, by=company_member)
    conversation_start(listing=talked, by=company_member, body="Bonjour, toujours disponible ?")
    moderator = factories.ModeratorFactory(departements=[talked.departement]).user
    body = client_for(moderator).get("/api/v1/moderation/stats/").json()
    assert body["suggestions"] == {"dismissed": 1, "contacted": 2, "conversations": 1}
