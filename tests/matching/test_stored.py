"""Stored suggestions (bourse.matching.suggestions, services.lists) equal the on-demand scoring
(queries.suggestions_for) after every event that changes them: publications, edits,
withdrawals, dismissals and their undoing, a company suspended and reinstated, an expiry, a
new day."""

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import Company
from bourse.listings import services as listing_services
from bourse.listings.models import Listing
from bourse.matching import jobs, queries, services, suggestions
from bourse.matching.models import StoredSuggestion, SuggestionList
from tests import factories

pytestmark = pytest.mark.django_db

PLACES = ["69002", "69003", "69100", "69500", "42000", "38200", "01000", "69400"]
WORDS = [
    "entrepôt",
    "palettes",
    "quai",
    "chambre froide",
    "frigo",
    "chariot",
    "Fenwick 3 t",
    "2 à 8 °C",
    "-25 à -18 °C",
    "non classées ADR",
    "ADR",
    "sans quai",
    "stockage sec",
    "poids lourds",
    "surface 300 m2",
]


@pytest.fixture
def exchange(family, settings):
    """40 listings of 8 companies around Lyon in one family, with varied radii, dates,
    quantities, words and requirements (the cold storage category asks for a temperature,
    a capacity and ADR), each published as the rematch task does it."""
    settings.MATCHING_STORED_SUGGESTIONS = 20  # lists that fill up: floors, trims, recomputes
    settings.LISTINGS_REQUIRE_APPROVAL = False
    parent, dry, cold = family
    cold.attributes = ["temperature", "capacity_t", "adr"]
    for category in family:
        category.units = ["pallet", "m2"]
        category.save()
    rng = random.Random(7)
    companies = [factories.CompanyFactory(postal_code=code) for code in PLACES]
    users = {c.pk: factories.MembershipFactory(company=c).user for c in companies}
    today = timezone.localdate()
    listings = []
    for i in range(40):
        start = today + timedelta(days=rng.randint(-20, 30)) if rng.random() < 0.7 else None
        until = start + timedelta(days=rng.randint(3, 60)) if start and rng.random() < 0.7 else None
        quantity = rng.choice([None, 50, 200, 300])
        listing = factories.ListingFactory(
            company=rng.choice(companies),
            kind=rng.choice(["offer", "need"]),
            category=rng.choice([parent, dry, cold, cold]),
            postal_code=rng.choice(PLACES),
            radius_km=rng.choice([10, 30, 50, 80, 150]),
            title=" ".join(rng.sample(WORDS, 2)),
            description=" ; ".join(rng.sample(WORDS, 3)) + f" (lot {i})",
            available_from=start,
            available_until=until,
            quantity=quantity,
            unit=rng.choice(["pallet", "m2"]) if quantity else "",
        )
        services.rematch_listing(listing_id=listing.pk, email=False)
        listings.append(listing)
    return {"listings": listings, "companies": companies, "users": users, "rng": rng}


def _live() -> list[Listing]:
    return list(Listing.objects.published().select_related("company", "category").order_by("pk"))


def _pairs(found) -> list:
    return [(s.listing.pk, s.scored) for s in found]


def assert_stored_equals_on_demand(
    *, recomputed_at_most: int | None = None, languages=("fr",)
) -> int:
    """Stored and on-demand suggestions of every live listing are equal (top 20 for the API,
    top 5 for the page; checks worded in each of `languages`). Returns how many lists the
    reads had to compute again."""
    before = dict(SuggestionList.objects.values_list("listing_id", "computed_at"))
    for listing in _live():
        for language in languages:
            with translation.override(language):
                for limit in (20, 5):
                    stored = suggestions.suggestions_for(listing, limit=limit)
                    direct = queries.suggestions_for(listing, limit=limit)
                    assert _pairs(stored) == _pairs(direct), (listing.pk, limit, language)
    after = dict(SuggestionList.objects.values_list("listing_id", "computed_at"))
    recomputed = sum(1 for pk, at in after.items() if before.get(pk) != at)
    if recomputed_at_most is not None:
        assert recomputed <= recomputed_at_most
    return recomputed


def _publish(listing_id: int, django_capture_on_commit_callbacks) -> None:
    """The real path: the signal, the outbox row, the task run after commit."""
    from bourse.listings.signals import listing_published

    with django_capture_on_commit_callbacks(execute=True):
        listing_published.send(sender=Listing, listing_id=listing_id)


def test_stored_suggestions_equal_on_demand_through_the_life_of_the_exchange(
    exchange, django_capture_on_commit_callbacks
):
    rng, users = exchange["rng"], exchange["users"]
    # Every list was stored by the rematches: nothing to compute when read.
    assert SuggestionList.objects.count() == len(_live())
    assert StoredSuggestion.objects.exists()
    assert assert_stored_equals_on_demand(recomputed_at_most=0, languages=("fr", "en")) == 0

    # Publications join their counterparts' lists: still nothing to compute when read.
    for i in range(6):
        listing = factories.ListingFactory(
            company=rng.choice(exchange["companies"]),
            kind=rng.choice(["offer", "need"]),
            category=rng.choice(exchange["listings"]).category,
            postal_code="69003",
            radius_km=60,
            title="Entrepôt palettes quai",
            description=f"Chambre froide 2 à 8 °C, Fenwick 3 t, lot {i}",
        )
        _publish(listing.pk, django_capture_on_commit_callbacks)
    assert_stored_equals_on_demand(recomputed_at_most=0)

    # Edits (published at once without approval): the listing is scored again from both sides;
    # a list it fell out of holds one counterpart fewer (computed again when read if short).
    for listing in rng.sample(_live(), 5):
        with django_capture_on_commit_callbacks(execute=True):
            listing_services.listing_update(
                listing=listing,
                by=users[listing.company_id],
                data={
                    "description": "Sans quai ; non classées ADR ; -25 à -18 °C",
                    "radius_km": 120,
                    "available_from": date.today(),
                    "available_until": date.today() + timedelta(days=20),
                },
            )
    assert_stored_equals_on_demand()

    # Withdrawals: left out when read; lists left too short are computed again.
    for listing in rng.sample(_live(), 4):
        listing_services.listing_close(
            listing=listing, by=users[listing.company_id], outcome="withdrawn"
        )
    assert_stored_equals_on_demand()

    # Dismissals, three of one category for one company (the feedback factor), then one undone.
    reader = _live()[0]
    reader_company = reader.company
    dismissed = [
        s.listing for s in queries.suggestions_for(reader, limit=20) if s.listing.category
    ][:3]
    for other in dismissed:
        services.suggestion_dismiss(company=reader_company, listing=other, by=None)
    assert_stored_equals_on_demand()
    services.suggestion_restore(company=reader_company, listing=dismissed[0])
    assert_stored_equals_on_demand()

    # A company suspended: its listings leave everyone's suggestions.
    suspended = max(
        exchange["companies"], key=lambda c: Listing.objects.published().filter(company=c).count()
    )
    Company.objects.filter(pk=suspended.pk).update(status=Company.Status.SUSPENDED)
    assert_stored_equals_on_demand()
    # The periodic job deletes the lists of listings that left...
    jobs.refresh_suggestions()
    assert not SuggestionList.objects.filter(listing__company=suspended).exists()
    # ... and when the company is reinstated, its listings join the others' lists again.
    Company.objects.filter(pk=suspended.pk).update(status=Company.Status.VERIFIED)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.refresh_suggestions()
    assert SuggestionList.objects.filter(listing__company=suspended).exists()
    assert_stored_equals_on_demand(recomputed_at_most=0)

    # An expiry: the listing leaves at expires_at, before the job marks it expired.
    expiring = rng.sample(_live(), 2)
    Listing.objects.filter(pk__in=[x.pk for x in expiring]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert_stored_equals_on_demand()
    listing_services.expire_listings()
    assert_stored_equals_on_demand(languages=("fr", "en"))


def test_a_list_computed_before_today_is_refreshed_by_the_job_and_when_read(
    exchange, django_capture_on_commit_callbacks
):
    yesterday = timezone.now() - timedelta(days=1)
    SuggestionList.objects.update(computed_at=yesterday)
    missing, stale = services.lists_to_refresh()
    assert missing == [] and len(stale) == len(_live())
    reader = _live()[0]
    suggestions.suggestions_for(reader)
    assert SuggestionList.objects.get(listing=reader).computed_at > yesterday
    with django_capture_on_commit_callbacks(execute=True):
        jobs.refresh_suggestions()
    assert not SuggestionList.objects.filter(computed_at__lt=services.start_of_today()).exists()
    assert_stored_equals_on_demand(recomputed_at_most=0)


def test_reading_stored_suggestions_scores_nothing(exchange):
    """A read is a few statements on the stored rows: no candidate query, no texts."""
    company = _live()[0].company
    own = [listing for listing in _live() if listing.company_id == company.pk]
    suggestions.suggestions_for_each(own, limit=5)
    with CaptureQueriesContext(connection) as ctx:
        found = suggestions.suggestions_for_each(own, limit=5)
    sql = "\n".join(q["sql"] for q in ctx.captured_queries)
    # What the company dismissed, the lists, their rows, the counterparts and their photos.
    assert len(ctx.captured_queries) == 5, sql
    assert "MAX(" not in sql
    assert any(found)


def test_a_listing_no_longer_live_has_no_suggestions_and_its_list_is_dropped(exchange):
    listing = _live()[0]
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.WITHDRAWN)
    listing.refresh_from_db()
    assert suggestions.suggestions_for(listing) == []
    services.lists_of_gone_listings_delete()
    assert not SuggestionList.objects.filter(listing=listing).exists()


def test_fill_command_stores_a_list_for_every_live_listing(family, capsys):
    from django.core.management import call_command

    for kind in ("offer", "need", "offer"):
        factories.ListingFactory(kind=kind, category=family[1], postal_code="69003")
    call_command("fill_suggestion_lists")
    assert SuggestionList.objects.count() == 3
    assert StoredSuggestion.objects.count() == 4  # the need has two offers, each offer the need
    assert "3" in capsys.readouterr().out


def test_the_demo_stores_the_suggestions_of_the_listings_it_created(
    need, other_company, family, django_capture_on_commit_callbacks
):
    import io

    from bourse.demo import matching as demo

    factories.MembershipFactory(company=need.company)
    factories.MembershipFactory(company=other_company)
    offer = factories.ListingFactory(company=other_company, kind="offer", category=family[1])
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(
            random.Random(1),
            io.StringIO(),
            companies=[need.company, other_company],
            listings=[need, offer],
        )
    assert set(SuggestionList.objects.values_list("listing_id", flat=True)) == {need.pk, offer.pk}
    assert [s.listing.pk for s in suggestions.suggestions_for(need)] == [offer.pk]
