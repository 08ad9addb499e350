"""Browsing and searching published listings: one code path for the API (GET /api/v1/listings/),
the page /annonces/ and bench/search.py.

    params    the query string validated: SearchParams, or SearchParamsError naming each field
    engine    ListingSearch: the count and the pages (radius, filters, growing circle by distance)
    fulltext  text matching per database (PostgreSQL French configuration, SQLite FTS5)
    rows      a page's rows by id in one statement (what the serializer reads)
    pinning   crisis mode: the needs of a crisis's priority categories first (listing_search)
    views     the API's response and the French page
    points    every match for the map, compact and cached; map: its API view and page
    ddl       the SQL Django does not write (triggers, indexes), shared with the migrations
    schema    the SQLite triggers and indexes restored after each migrate

Distances in SQL come from bourse.geo.sql (matching uses them too). The names below are the
package's interface; other apps and the tests import them from here.
"""

from .ddl import LATITUDE_BAND_SQL as LATITUDE_BAND_SQL
from .engine import LISTING_TABLE as LISTING_TABLE
from .engine import ListingSearch as ListingSearch
from .engine import circle_sql as circle_sql
from .engine import compile_filters as compile_filters
from .engine import live_listings as live_listings
from .fulltext import sqlite_match_expression as sqlite_match_expression
from .fulltext import text_search as text_search
from .params import DEFAULT_RADIUS_KM as DEFAULT_RADIUS_KM
from .params import MAX_QUERY_LENGTH as MAX_QUERY_LENGTH
from .params import MAX_RADIUS_KM as MAX_RADIUS_KM
from .params import MIN_RADIUS_KM as MIN_RADIUS_KM
from .params import ORDERING_DISTANCE as ORDERING_DISTANCE
from .params import ORDERING_RECENT as ORDERING_RECENT
from .params import SearchParams as SearchParams
from .params import SearchParamsError as SearchParamsError
from .params import parse_search_params as parse_search_params
from .pinning import PinnedSearch as PinnedSearch
from .pinning import listing_search as listing_search
from .rows import page_rows as page_rows
from .schema import repair_sqlite_search_schema as repair_sqlite_search_schema
from .views import SEARCH_PARAMETERS as SEARCH_PARAMETERS
from .views import PaginatedListingSearchSerializer as PaginatedListingSearchSerializer
from .views import search_listings_response as search_listings_response
from .views import search_page as search_page
