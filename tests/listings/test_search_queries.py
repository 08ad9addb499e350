"""The search queryset: exact distances, the radius, the date line and poles, filters, text.

A little over 500 lines: the search's edge cases, one backend-independent table of them.
"""

import math
import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Company
from bourse.geo import sql as geo_sql
from bourse.geo.distance import haversine_km
from bourse.listings import search as listing_search
from bourse.listings.models import Listing
from bourse.listings.search import ListingSearch, SearchParams, parse_search_params
from tests import factories

from . import search_support as s

pytestmark = pytest.mark.django_db

LYON = (45.7640, 4.8357)


def run(**params) -> list[Listing]:
    search = ListingSearch(parse_search_params({k: str(v) for k, v in params.items()}))
    return list(search[0 : search.count()])


def test_distance_matches_python_haversine():
    points = [(48.8566, 2.3522), (43.2965, 5.3698), (-21.1151, 55.5364), (45.75, 4.85)]
    for lat, lon in points:
        factories.ListingFactory(latitude=lat, longitude=lon)
    search = ListingSearch(SearchParams(lat=LYON[0], lon=LYON[1], radius_km=1000.0))
    found = {(row.latitude, row.longitude): row.distance_km for row in search[0:10]}
    assert len(found) == 3  # La Réunion is 9,000 km away
    for (lat, lon), distance in found.items():
        assert distance == pytest.approx(haversine_km(*LYON, lat, lon), abs=1e-6)


def test_radius_includes_the_edge_and_excludes_just_beyond():
    # Due north of Lyon: 1 km of latitude is 1/111.195 degree on this sphere.
    km_per_degree = 2 * math.pi * 6371.0088 / 360
    inside = factories.ListingFactory(latitude=LYON[0] + 9.99 / km_per_degree, longitude=LYON[1])
    outside = factories.ListingFactory(latitude=LYON[0] + 10.01 / km_per_degree, longitude=LYON[1])
    found = run(lat=LYON[0], lon=LYON[1], radius_km=10)
    assert [row.pk for row in found] == [inside.pk]
    assert outside.pk in [row.pk for row in run(lat=LYON[0], lon=LYON[1], radius_km=11)]


def test_radius_and_order_agree_with_python_haversine_on_random_points():
    rng = random.Random(7)
    company = factories.CompanyFactory()
    centres = [(45.76, 4.84), (-17.0, 179.95), (64.0, -20.0)]
    rows = []
    for clat, clon in centres:
        for _ in range(60):
            lon = clon + rng.uniform(-2.5, 2.5)
            lon = (lon + 180) % 360 - 180
            rows.append(
                factories.ListingFactory(
                    company=company, latitude=clat + rng.uniform(-1, 1), longitude=lon
                )
            )
    for clat, clon in centres:
        for radius in (5, 40, 120):
            found = run(lat=clat, lon=clon, radius_km=radius, ordering="distance")
            expected = sorted(
                (r for r in rows if haversine_km(clat, clon, r.latitude, r.longitude) <= radius),
                key=lambda r: haversine_km(clat, clon, r.latitude, r.longitude),
            )
            assert [r.pk for r in found] == [r.pk for r in expected]
            for row in found:
                exact = haversine_km(clat, clon, row.latitude, row.longitude)
                assert row.distance_km == pytest.approx(exact, abs=1e-6)


def test_rows_around_the_inner_box_corners_are_counted_exactly():
    """The rows of the box inscribed in the circle skip the distance test: rows just inside
    its corners, just outside them (still in the circle) and just beyond the radius."""
    from bourse.geo.distance import inner_box

    company = factories.CompanyFactory()
    min_lat, max_lat, min_lon, max_lon = inner_box(*LYON, 50.0)
    rows = []
    for corner_lat in (min_lat, max_lat):
        for corner_lon in (min_lon, max_lon):
            # Along the diagonal through the corner (~47.5 km): inside the box, then outside
            # it within the circle, then just beyond the radius.
            for f in (0.99, 1.01, 1.03, 1.045, 1.06, 1.07, 1.09):
                lat = LYON[0] + (corner_lat - LYON[0]) * f
                lon = LYON[1] + (corner_lon - LYON[1]) * f
                rows.append(factories.ListingFactory(company=company, latitude=lat, longitude=lon))
    expected = {r.pk for r in rows if haversine_km(*LYON, r.latitude, r.longitude) <= 50.0}
    assert 0 < len(expected) < len(rows)
    search = ListingSearch(SearchParams(lat=LYON[0], lon=LYON[1], radius_km=50.0))
    assert search.count() == len(expected)
    assert {r.pk for r in search[0:100]} == expected


def test_search_crosses_the_date_line():
    # Wallis-et-Futuna (986) lies near 180°: a point at lon 179.9 finds a listing at lon -179.9.
    across = factories.ListingFactory(latitude=-17.0, longitude=-179.9)
    far = factories.ListingFactory(latitude=-17.0, longitude=-178.0)
    found = run(lat=-17.0, lon=179.9, radius_km=50)
    assert [row.pk for row in found] == [across.pk]
    assert found[0].distance_km == pytest.approx(haversine_km(-17.0, 179.9, -17.0, -179.9))
    assert far.pk not in [row.pk for row in found]


def test_search_near_a_pole_covers_every_longitude():
    opposite = factories.ListingFactory(latitude=89.9, longitude=-170.0)
    found = run(lat=89.95, lon=10.0, radius_km=50)
    assert [row.pk for row in found] == [opposite.pk]
    assert found[0].distance_km == pytest.approx(haversine_km(89.95, 10.0, 89.9, -170.0))


def test_ordering_by_distance_nearest_first():
    far = factories.ListingFactory(postal_code="42000")  # Saint-Étienne, ~50 km
    near = factories.ListingFactory(postal_code="69100")  # Villeurbanne
    middle = factories.ListingFactory(postal_code="38200")  # Vienne
    found = run(lat=LYON[0], lon=LYON[1], radius_km=100, ordering="distance")
    assert [row.pk for row in found] == [near.pk, middle.pk, far.pk]
    distances = [row.distance_km for row in found]
    assert distances == sorted(distances)


def test_ordering_by_date_newest_first_by_default():
    old = factories.ListingFactory(published_ago=timedelta(days=3))
    new = factories.ListingFactory(published_ago=timedelta(hours=1))
    middle = factories.ListingFactory(published_ago=timedelta(days=1))
    assert [row.pk for row in run()] == [new.pk, middle.pk, old.pk]
    found = run(lat=LYON[0], lon=LYON[1])
    assert [row.pk for row in found] == [new.pk, middle.pk, old.pk]


def test_nearest_page_is_exact_when_the_small_circle_must_grow():
    """The first small circle holds too few rows: it grows, and the page stays the exact
    nearest ones, in order."""
    # A dense cluster 40 km away and a few listings scattered closer.
    rows = [
        factories.ListingFactory(latitude=LYON[0] + 0.36 + i * 1e-4, longitude=LYON[1])
        for i in range(30)
    ]
    rows += [
        factories.ListingFactory(latitude=LYON[0] + 0.05 * i, longitude=LYON[1] + 0.01)
        for i in range(1, 5)
    ]
    search = ListingSearch(
        SearchParams(lat=LYON[0], lon=LYON[1], radius_km=50.0, ordering="distance")
    )
    assert search.count() == 34
    page = search[0:20]
    expected = sorted(rows, key=lambda r: haversine_km(*LYON, r.latitude, r.longitude))[:20]
    assert [row.pk for row in page] == [row.pk for row in expected]
    second = search[20:40]
    assert [row.pk for row in second] == [
        row.pk
        for row in sorted(rows, key=lambda r: haversine_km(*LYON, r.latitude, r.longitude))[20:]
    ]


def full_scan(lat, lon, radius_km, **filters) -> list[int]:
    """The reference: every live listing's exact distance, nearest first, then newest first."""
    from bourse.geo.sql import HaversineKm

    return list(
        Listing.objects.published()
        .filter(**filters)
        .annotate(d=HaversineKm(lat, lon))
        .filter(d__lte=radius_km)
        .order_by("d", "-published_at", "-id")
        .values_list("pk", flat=True)
    )


def test_listings_sharing_a_place_are_ordered_newest_first_across_page_ends():
    """Listings of one commune share its centre (the same distance): wherever such a group
    straddles the end of a page, the pages are those of the full scan (on PostgreSQL the index
    hands out distances alone, and the search reads the whole group to order it)."""
    company = factories.CompanyFactory()
    rng = random.Random(11)
    places = [(LYON[0] + 0.02 * i, LYON[1]) for i in range(4)]  # 0, 2.2, 4.4, 6.7 km
    for index in range(70):
        lat, lon = places[index % 4 if index < 60 else 1]
        ago = timedelta(hours=rng.randint(1, 9))
        factories.ListingFactory(company=company, latitude=lat, longitude=lon, published_ago=ago)
    expected = full_scan(*LYON, 50.0)
    search = ListingSearch(SearchParams(lat=LYON[0], lon=LYON[1], ordering="distance"))
    assert search.count() == len(expected) == 70
    pages = [search[start : start + 20] for start in range(0, 80, 20)]
    assert [row.pk for page in pages for row in page] == expected
    assert [row.pk for row in search[13:29]] == expected[13:29]
    # A company's listings take the growing circle on PostgreSQL too: the same pages.
    factories.ListingFactory(latitude=LYON[0], longitude=LYON[1])  # another company's
    mine = ListingSearch(
        SearchParams(lat=LYON[0], lon=LYON[1], ordering="distance", company_id=company.pk)
    )
    assert [row.pk for row in mine[0:70]] == expected


@pytest.mark.postgres
def test_postgres_reads_page_one_by_distance_from_the_nearest_neighbour_index():
    """The statement of a page by distance must leave the band index for the GiST index on
    the point of the sphere (migration 0010), which stops after the page."""
    from bourse.listings.search import ddl

    template = factories.ListingFactory()
    rng = random.Random(5)
    copies = []
    for _ in range(3000):
        copy = Listing(**{f.attname: getattr(template, f.attname) for f in Listing._meta.fields})
        copy.pk = None
        copy.latitude, copy.longitude = rng.uniform(42.5, 51), rng.uniform(-4.5, 8)
        copies.append(copy)
    Listing.objects.bulk_create(copies)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE listings_listing")
    search = ListingSearch(SearchParams(lat=LYON[0], lon=LYON[1], ordering="distance"))
    statements = []

    def explain(execute, sql, params, many, context):
        if "<->" in sql:
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        page = search[0:20]
    assert [row.pk for row in page] == full_scan(*LYON, 50.0)[:20]
    assert statements and search.queries_in_last_slice == 1
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {statements[0][0]}", statements[0][1])
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert ddl.KNN_INDEX_NAME in plan


def test_filter_by_kind():
    offer = factories.ListingFactory(kind="offer")
    need = factories.ListingFactory(kind="need")
    assert [row.pk for row in run(kind="need")] == [need.pk]
    assert [row.pk for row in run(kind="offer")] == [offer.pk]


def test_parent_category_includes_its_children_and_child_only_itself():
    parent = s.category("stock-test", "Stockage (test)")
    child = s.category("entrepot-test", "Entrepôt (test)", parent=parent)
    sibling = s.category("froid-test", "Froid (test)", parent=parent)
    other = s.category("autre-test", "Autre (test)")
    in_child = factories.ListingFactory(category=child)
    in_sibling = factories.ListingFactory(category=sibling)
    in_parent = factories.ListingFactory(category=parent)
    factories.ListingFactory(category=other)
    assert {row.pk for row in run(category="stock-test")} == {
        in_child.pk,
        in_sibling.pk,
        in_parent.pk,
    }
    assert [row.pk for row in run(category="entrepot-test")] == [in_child.pk]


def test_filter_by_company():
    mine = factories.CompanyFactory()
    ours = factories.ListingFactory(company=mine)
    factories.ListingFactory()
    assert [row.pk for row in run(company=mine.pk)] == [ours.pk]


def test_text_search_ignores_accents_and_plural():
    wanted = factories.ListingFactory(
        title="Entrepôt sec de 500 m²", description="Quai de chargement."
    )
    factories.ListingFactory(title="Chariot élévateur", description="Disponible en semaine.")
    assert [row.pk for row in run(q="entrepôts")] == [wanted.pk]
    assert [row.pk for row in run(q="ENTREPOT")] == [wanted.pk]
    assert [row.pk for row in run(q="quai chargements")] == [wanted.pk]
    assert run(q="entrepôt frigorifique") == []


def test_text_search_follows_edits_and_deletes():
    row = factories.ListingFactory(title="Palettes en bois")
    assert [r.pk for r in run(q="palette")] == [row.pk]
    Listing.objects.filter(pk=row.pk).update(title="Cartons vides")
    assert run(q="palette") == []
    assert [r.pk for r in run(q="carton")] == [row.pk]
    Listing.objects.filter(pk=row.pk).delete()
    assert run(q="carton") == []


def test_text_search_ignores_query_syntax_characters():
    row = factories.ListingFactory(title="Benne à déchets")
    assert run(q='benne" OR * (déchets) NEAR') == []  # every word is required, "near" too
    assert [r.pk for r in run(q='"benne" (déchets)')] == [row.pk]


@pytest.mark.postgres
def test_postgres_text_search_uses_french_stemming():
    row = factories.ListingFactory(
        title="Transport frigorifique", description="Camions réfrigérés disponibles."
    )
    assert [r.pk for r in run(q="camion réfrigéré")] == [row.pk]
    assert [r.pk for r in run(q="transports")] == [row.pk]


@pytest.mark.postgres
def test_postgres_text_search_is_served_by_the_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'listing_fulltext'",
        )
        (definition,) = cursor.fetchone()
    assert "french_unaccent" in definition
    assert "gin" in definition.lower()


def test_sqlite_fts_triggers_and_search_index_are_restored_after_migrate():
    """A later migration rebuilding the listings table on SQLite drops them: the next migrate
    (its post_migrate) restores them, and the text index catches up with rows written
    meanwhile. Reads never check."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL alters tables in place")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER listings_listing_fts_ai")
        cursor.execute("DROP INDEX listing_search_band")
    row = factories.ListingFactory(title="Compresseur d'air")  # while the trigger is missing
    assert run(q="compresseur") == []
    call_command("migrate", verbosity=0)
    assert [r.pk for r in run(q="compresseur")] == [row.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master "
            "WHERE name IN ('listings_listing_fts_ai', 'listing_search_band')",
        )
        assert cursor.fetchone()[0] == 2
    assert listing_search.repair_sqlite_search_schema(connection) == []  # nothing left to restore


def test_expired_and_unpublished_listings_are_absent():
    live = factories.ListingFactory()
    factories.ListingFactory(expires_in=timedelta(seconds=-1))
    factories.ListingFactory(status=Listing.Status.PENDING)
    factories.ListingFactory(status=Listing.Status.HIDDEN)
    factories.ListingFactory(status=Listing.Status.FULFILLED)
    assert [row.pk for row in run()] == [live.pk]
    assert [row.pk for row in run(lat=LYON[0], lon=LYON[1], ordering="distance")] == [live.pk]


@pytest.mark.parametrize(
    "status", [Company.Status.PENDING, Company.Status.SUSPENDED, Company.Status.REJECTED]
)
def test_listings_of_non_verified_companies_are_absent(status):
    live = factories.ListingFactory()
    factories.ListingFactory(company=factories.CompanyFactory(status=status))
    assert [row.pk for row in run()] == [live.pk]
    assert [row.pk for row in run(q="annonce")] == [live.pk]


def test_sqlite_math_detection_and_python_fallback_give_the_same_distance(monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    row = factories.ListingFactory(postal_code="13001")
    params = SearchParams(lat=LYON[0], lon=LYON[1], radius_km=400.0)
    with_math = ListingSearch(params)[0:1][0].distance_km
    monkeypatch.setattr(geo_sql, "sqlite_has_math", lambda: False)  # a build without them
    fallback = ListingSearch(params)[0:1][0].distance_km
    monkeypatch.undo()
    expected = haversine_km(*LYON, row.latitude, row.longitude)
    assert with_math == pytest.approx(expected, abs=1e-6)
    assert fallback == pytest.approx(expected, abs=1e-9)
    assert geo_sql.sqlite_has_math() is True


def test_live_listings_select_exactly_what_published_selects():
    """The search's base query is Listing.objects.published() written for better plans: the
    same rows for every listing status, company status and expiry."""
    for company_status in Company.Status.values:
        company = factories.CompanyFactory(status=company_status)
        for status in Listing.Status.values:
            for expires_in in (timedelta(days=1), timedelta(seconds=-1)):
                factories.ListingFactory(company=company, status=status, expires_in=expires_in)
    expected = set(Listing.objects.published().values_list("pk", flat=True))
    assert len(expected) == 1
    assert set(listing_search.live_listings().values_list("pk", flat=True)) == expected


def test_text_of_punctuation_only_filters_nothing():
    row = factories.ListingFactory(title="Benne")
    assert [r.pk for r in run(q="?!*")] == [row.pk]


def test_text_search_plural_in_aux_finds_the_singular():
    row = factories.ListingFactory(title="Transport de cheval", description="Van pour un animal.")
    assert [r.pk for r in run(q="chevaux")] == [row.pk]


def test_latitude_band_edges_and_southern_latitudes_are_found():
    """The index reads a box band by band (0.1° of latitude): listings exactly on a band's
    edge, just under it, and south of the equator (negative bands) are all found."""
    company = factories.CompanyFactory()
    latitudes = [45.7, 45.7 - 1e-9, 45.8, 45.6 + 1e-9, -21.1, -21.1 - 1e-9, -21.0, 0.0, -1e-9]
    rows = [
        factories.ListingFactory(company=company, latitude=lat, longitude=LYON[1])
        for lat in latitudes
    ]
    for clat in (45.75, -21.05, 0.0):
        found = {r.pk for r in run(lat=clat, lon=LYON[1], radius_km=12)}
        expected = {
            r.pk for r in rows if haversine_km(clat, LYON[1], r.latitude, r.longitude) <= 12
        }
        assert found == expected and expected


def test_radius_search_statements_use_the_latitude_band_index():
    """The band expression in the statements must be written as the index writes it
    (migration 0008), or the planner falls back to reading every published listing."""
    template = factories.ListingFactory()
    rng = random.Random(3)
    copies = []
    for _ in range(3000):  # enough rows across France for the planner to want an index
        copy = Listing(**{f.attname: getattr(template, f.attname) for f in Listing._meta.fields})
        copy.pk = None
        copy.latitude, copy.longitude = rng.uniform(42.5, 51), rng.uniform(-4.5, 8)
        copies.append(copy)
    Listing.objects.bulk_create(copies)
    search = ListingSearch(SearchParams(lat=LYON[0], lon=LYON[1], ordering="distance"))
    sql, params = search._where()
    statement = f"SELECT COUNT(*) FROM {listing_search.LISTING_TABLE} WHERE {sql}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
        cursor.execute(f"{explain} {statement}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "listing_search_band" in plan


def test_search_filters_must_stay_on_the_listings_table():
    with pytest.raises(ValueError, match="must not join"):
        listing_search.compile_filters(Listing.objects.filter(company__name="Bois"))
    factories.ListingFactory()
    nothing = ListingSearch(SearchParams(lat=LYON[0], lon=LYON[1]), base=Listing.objects.none())
    assert nothing.count() == 0
    assert nothing[0:20] == []


def add_photos(row: Listing, positions) -> None:
    for position in positions:
        row.photos.create(
            image=f"{position}.jpg",
            thumbnail=f"{position}_t.jpg",
            width=4,
            height=3,
            position=position,
        )


def test_photos_come_in_display_order_with_or_without_the_prefetch():
    row = factories.ListingFactory()
    add_photos(row, (2, 0, 1))
    prefetched = Listing.objects.for_api().get(pk=row.pk)
    assert [p.position for p in prefetched.ordered_photos] == [0, 1, 2]
    plain = Listing.objects.get(pk=row.pk)
    assert [p.position for p in plain.ordered_photos] == [0, 1, 2]
    found = run(lat=LYON[0], lon=LYON[1])
    assert [p.position for p in found[0].ordered_photos] == [0, 1, 2]


def test_page_rows_load_what_the_serializer_reads_as_the_orm_does(rf):
    """The search page's hand-written loader gives the API the same listing as for_api()."""
    from decimal import Decimal

    from bourse.listings.serializers import ListingSerializer

    full = factories.ListingFactory(
        quantity=Decimal("1250.50"),
        unit="m2",
        price=Decimal("0.75"),
        available_from=timezone.now().date(),
        terms="rent",
    )
    add_photos(full, (1, 0))
    bare = factories.ListingFactory(latitude=LYON[0] + 0.01, longitude=LYON[1])
    context = {"request": rf.get("/api/v1/listings/")}
    expected = {
        row.pk: ListingSerializer(row, context=context).data
        for row in Listing.objects.for_api().filter(pk__in=[full.pk, bare.pk])
    }
    loaded = listing_search.page_rows([bare.pk, full.pk, 999_999])
    assert sorted(row.pk for row in loaded) == sorted(expected)
    for row in loaded:
        assert ListingSerializer(row, context=context).data == expected[row.pk]
    by_pk = {row.pk: row for row in loaded}
    assert by_pk[full.pk].quantity == Decimal("1250.50")
    assert [p.position for p in by_pk[full.pk].ordered_photos] == [0, 1]
    assert by_pk[bare.pk].ordered_photos == []
    assert listing_search.page_rows([]) == []


def test_negative_or_stepped_slices_are_refused():
    factories.ListingFactory()
    search = ListingSearch(SearchParams())
    with pytest.raises(ValueError):
        search[-1:]
    with pytest.raises(TypeError):
        search[0:10:2]


@pytest.mark.postgres
def test_a_page_around_a_point_is_counted_and_found_in_one_statement():
    """expect_page: the count and the page's ids from one statement (COUNT(*) OVER ()), the
    same rows and count as counting and paging apart, the last page short, a page past the end
    counted on its own."""
    for i in range(45):
        factories.ListingFactory(
            latitude=LYON[0] + (i % 7) * 0.01,
            longitude=LYON[1],
            published_ago=timedelta(hours=i % 11),
        )
    factories.ListingFactory(latitude=48.85, longitude=2.35)  # outside the circle
    params = SearchParams(lat=LYON[0], lon=LYON[1], radius_km=30.0)

    def paged(number: int, hint: bool) -> tuple[int, list[int], list[str]]:
        search = ListingSearch(params)
        if hint:
            search.expect_page(number, 20)
        statements = []

        def record(execute, sql, sql_params, many, context):
            statements.append(sql)
            return execute(sql, sql_params, many, context)

        with connection.execute_wrapper(record):
            total = search.count()
            start = (number - 1) * 20
            rows = search[start : min(start + 20, total)]
        return total, [row.pk for row in rows], statements

    for number in (1, 2, 3):  # 20, 20, then the last 5
        total, ids, statements = paged(number, hint=True)
        assert (total, ids) == paged(number, hint=False)[:2]
        assert total == 45 and len(ids) == (5 if number == 3 else 20)
        assert len(statements) == 2 and "COUNT(*) OVER ()" in statements[0]
    total, ids, statements = paged(4, hint=True)  # past the end: no row, counted apart
    assert (total, ids) == (45, [])
    assert len(statements) == 2 and statements[1].startswith("SELECT COUNT(*)")
