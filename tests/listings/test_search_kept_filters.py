"""The search's filters compiled once per process (engine.live_filters): the same rows as the
filters compiled for each search, the clock read at every search, the vocabulary's reloads
followed. On both backends (run with DATABASE_URL=postgres://... for PostgreSQL)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Company
from bourse.listings import vocabulary
from bourse.listings.models import Category, Listing, TradeTerm
from bourse.listings.search import ListingSearch, engine, live_listings, parse_search_params
from tests import factories

pytestmark = pytest.mark.django_db

LYON = (45.7640, 4.8357)


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    vocabulary.forget()
    yield
    vocabulary.forget()


def ids(search) -> list[int]:
    return [row.pk for row in search[0 : search.count()]]


def kept_and_compiled(query: dict) -> tuple[list[int], list[int]]:
    """The ids found with the kept filters, and with filters compiled for this search alone."""
    params = parse_search_params({k: str(v) for k, v in query.items()})
    return ids(ListingSearch(params)), ids(ListingSearch(params, base=live_listings()))


def test_kept_filters_find_what_freshly_compiled_filters_find():
    parent = Category.objects.filter(parent__isnull=True).first()
    child = Category.objects.filter(parent=parent).first()
    other = Category.objects.exclude(pk__in=[parent.pk, child.pk]).filter(parent__isnull=False)[0]
    verified = factories.CompanyFactory(departement="69")
    suspended = factories.CompanyFactory(status=Company.Status.SUSPENDED)
    titles = ["Palettes europe", "Chariot élévateur", "Entrepôt sec", "Camion benne"]
    for i, title in enumerate(titles * 3):
        factories.ListingFactory(
            title=title,
            company=suspended if i % 5 == 4 else verified,
            kind="offer" if i % 2 else "need",
            category=child if i % 3 else other,
            departement="69" if i % 4 else "01",
            latitude=LYON[0] + i * 0.01,
            longitude=LYON[1],
        )
    factories.ListingFactory(title="Palettes périmées", expires_in=timedelta(seconds=-1))
    factories.ListingFactory(title="Palettes en attente", status=Listing.Status.PENDING)
    queries = [
        {},
        {"q": "palettes"},
        {"q": "palete"},  # a typo: the known word one letter away
        {"q": "chariot élévateur", "kind": "offer"},
        {"category": parent.slug},
        {"category": child.slug, "kind": "need"},
        {"departement": "69", "q": "camion"},
        {"company": verified.pk, "lat": LYON[0], "lon": LYON[1], "radius_km": 3},
        {"q": "entrepôt", "lat": LYON[0], "lon": LYON[1], "ordering": "distance"},
        {"q": "rien du tout"},
    ]
    for query in queries:
        kept, compiled = kept_and_compiled(query)
        assert kept == compiled, query
    # Neither the expired, the pending nor the suspended company's listings.
    assert len(kept_and_compiled({"q": "palettes"})[0]) == 2


def test_the_clock_is_read_at_every_search_not_kept():
    listing = factories.ListingFactory(title="Benne", expires_in=timedelta(hours=1))
    params = parse_search_params({"q": "benne"})
    assert ids(ListingSearch(params)) == [listing.pk]
    Listing.objects.filter(pk=listing.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    hits = engine._compiled_live_filters.cache_info().hits
    assert ids(ListingSearch(params)) == []
    assert engine._compiled_live_filters.cache_info().hits > hits  # the same kept SQL


def test_a_vocabulary_change_gives_new_filters():
    listing = factories.ListingFactory(title="Caisses claire-voie", description="Bois, 40 x 60.")
    assert ids(ListingSearch(parse_search_params({"q": "cagette"}))) == []
    TradeTerm.objects.create(term="caisse claire-voie", variants="cagette")
    vocabulary.forget()  # what the admin does after an edit; other processes reload in minutes
    assert ids(ListingSearch(parse_search_params({"q": "cagette"}))) == [listing.pk]
