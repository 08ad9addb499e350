"""The index the candidate query relies on exists after migrations, and SQLite gets it back if
a table rebuild dropped it."""

import pytest
from django.db import connection
from django.utils import timezone

from bourse.matching import candidates, queries
from tests import factories


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'listings_listing'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_family_geo_index_exists_after_migrations():
    assert "matching_listing_category_geo" in index_names()


@pytest.mark.django_db
def test_sqlite_index_dropped_by_a_table_rebuild_is_restored(need, family):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL keeps indexes when a table is altered")
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX matching_listing_category_geo")
    queries._sqlite_index_checked.clear()
    offer = factories.ListingFactory(kind="offer", category=family[1], postal_code="69003")
    assert [s.listing_id for s in queries.score_top(need)] == [offer.pk]
    assert "matching_listing_category_geo" in index_names()


def test_candidate_query_uses_the_family_index_on_sqlite(need, family):
    if connection.vendor != "sqlite":
        pytest.skip("the plan is SQLite's")
    factories.ListingFactory(kind="offer", category=family[1], postal_code="69003")
    sql, params = candidates.candidates_statement(
        need,
        category_ids=[category.pk for category in family],
        largest=need.radius_km,
        exclude_company_dismissals=True,
        now=timezone.now(),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "matching_listing_category_geo" in plan
