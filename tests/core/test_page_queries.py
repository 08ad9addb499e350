"""The SQL queries of the pages bench/http_load.py loads, pinned: their number does not grow
with the rows a page shows, and a logged-in page reads its session once.

A page that starts running a query per card (a missing select_related/prefetch) fails here
before it costs a region's members their response times. When a change adds a query to a page
on purpose, update the figure and say why in the commit.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bourse.listings.models import Category, ListingPhoto
from messaging.models import Conversation, Message
from tests.factories import CompanyFactory, ListingFactory, MembershipFactory

pytestmark = pytest.mark.django_db

SEARCH = "/annonces/?q=palettes&lat=45.76&lon=4.84&radius_km=50"


def _queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return [q["sql"] for q in ctx.captured_queries]


def _leaf_category():
    return Category.objects.filter(parent__isnull=False).order_by("pk").first()


def _palettes(n: int, **kwargs):
    category = _leaf_category()
    return [
        ListingFactory(title=f"Palettes {i}", category=category, postal_code="69002", **kwargs)
        for i in range(n)
    ]


def test_search_page_runs_the_same_queries_for_2_or_20_cards(client):
    _palettes(2)
    _queries(client, SEARCH)  # once per process: the search's own checks (full-text table)
    few = _queries(client, SEARCH)
    _palettes(23)
    many = _queries(client, SEARCH)
    # Count, ids of the page, the page's rows (listing, company, category, photos in one
    # statement), the categories of the form (one statement, as tuples: the rendered options
    # are kept per process, bourse/listings/search/options.py). On PostgreSQL a search around a
    # point counts and finds the page's ids in one statement (engine.ListingSearch.expect_page).
    expected = 3 if connection.vendor == "postgresql" else 4
    assert len(many) == len(few) == expected, "\n".join(many)


def test_listing_page_runs_the_same_queries_with_or_without_photos(client):
    bare, with_photos = _palettes(2)
    for position in range(3):
        ListingPhoto.objects.create(
            listing=with_photos,
            image=f"listings/p{position}.jpg",
            thumbnail=f"listings/t{position}.jpg",
            position=position,
        )
    first = _queries(client, f"/annonces/{bare.pk}/")
    second = _queries(client, f"/annonces/{with_photos.pk}/")
    assert len(first) == len(second) == DETAIL_QUERIES, "\n".join(second)


# The listing with its company and category; its photos.
DETAIL_QUERIES = 2


def _session_reads(queries: list[str]) -> int:
    return sum(1 for sql in queries if 'FROM "django_session"' in sql)


def test_inbox_runs_the_same_queries_for_2_or_12_conversations_and_reads_the_session_once(
    client,
):
    member = MembershipFactory()
    client.force_login(member.user)

    def converse(n: int):
        now = timezone.now()
        for listing in _palettes(n):
            conversation = Conversation.objects.create(
                listing=listing,
                owner_company=listing.company,
                other_company=member.company,
            )
            message = Message.objects.create(
                conversation=conversation,
                company=listing.company,
                body="Bonjour, toujours disponible.",
                created_at=now - timedelta(minutes=1),
            )
            conversation.last_message = message
            conversation.save(update_fields=["last_message"])

    converse(2)
    _queries(client, "/messages/")  # once a minute: the crises of the banner (listings.crises)
    few = _queries(client, "/messages/")
    converse(10)
    many = _queries(client, "/messages/")
    assert len(many) == len(few), "\n".join(many)
    assert _session_reads(many) == 1


def _rematched(listings):
    """What the rematch task does when a listing is published (factories publish quietly): its
    stored suggestions, and its place in its counterparts'."""
    from bourse.matching import services

    for listing in listings:
        services.rematch_listing(listing_id=listing.pk, email=False)
    return listings


def _cards(client) -> int:
    return client.get("/suggestions/").content.decode().count("listing-card suggestion")


def test_suggestions_page_queries_do_not_grow_with_the_suggestions_shown(client):
    member = MembershipFactory(company=CompanyFactory(postal_code="69002"))
    client.force_login(member.user)
    category = _leaf_category()
    _rematched(
        [
            ListingFactory(
                company=member.company, kind="need", title="Besoin de palettes", category=category
            )
        ]
    )
    _rematched(_palettes(2, kind="offer"))
    _queries(client, "/suggestions/")  # once per process: index check, trade vocabulary
    few = _queries(client, "/suggestions/")
    assert _cards(client) == 2
    _rematched(_palettes(8, kind="offer"))
    many = _queries(client, "/suggestions/")
    assert _cards(client) == 5
    assert len(many) == len(few) == SUGGESTIONS_QUERIES, "\n".join(many)
    assert _session_reads(many) == 1


def test_suggestions_page_runs_the_same_queries_for_1_or_3_listings_of_the_company(client):
    """The page reads the stored lists (bourse.matching.suggestions): no scoring per listing."""
    member = MembershipFactory(company=CompanyFactory(postal_code="69002"))
    client.force_login(member.user)
    category = _leaf_category()
    _rematched(_palettes(6, kind="offer"))

    def need():
        return ListingFactory(
            company=member.company, kind="need", title="Palettes", category=category
        )

    _rematched([need()])
    _queries(client, "/suggestions/")  # once per process: index check, trade vocabulary
    one = _queries(client, "/suggestions/")
    _rematched([need(), need()])
    three = _queries(client, "/suggestions/")
    assert _cards(client) == 15
    assert len(three) == len(one) == SUGGESTIONS_QUERIES, "\n".join(three)


# Session, user, membership, company, the company's published listings, what it dismissed, the
# lists' headers, their rows still on the exchange, the counterparts shown (listing, company,
# category in one statement), their photos; the layout's unread messages and notifications, and
# the moderator role.
SUGGESTIONS_QUERIES = 13


def test_templates_are_compiled_once_per_process():
    """Django caches compiled templates when no loaders are configured: keep it so."""
    from django.template import engines

    loaders = engines["django"].engine.template_loaders
    assert [type(loader).__module__ for loader in loaders] == ["django.template.loaders.cached"]


def test_home_page_runs_the_same_queries_whatever_the_listings_conversations_and_suggestions(
    client,
):
    """A member's dashboard: its listings (with photos and conversations), the unread
    conversations and the new suggestions, 2 of each then 12; the unread messages are counted
    once, with the conversations, for the page and its navigation."""
    from tests.factories import ListingPhotoFactory, MatchFactory, MessageFactory

    member = MembershipFactory()
    client.force_login(member.user)
    category = _leaf_category()

    def grow(n: int):
        for i in range(n):
            own = ListingFactory(
                company=member.company, kind="need", title=f"Besoin {i}", category=category
            )
            ListingPhotoFactory(listing=own)
            ListingPhotoFactory(listing=own)
            offer = ListingFactory(kind="offer", title=f"Offre {i}", category=category)
            MatchFactory(listing_a=own, listing_b=offer)
            conversation = Conversation.objects.create(
                listing=own, owner_company=member.company, other_company=offer.company
            )
            MessageFactory(conversation=conversation)
            MessageFactory(conversation=conversation)

    grow(2)
    _queries(client, "/")  # once a minute: the crises of the banner (listings.crises)
    few = _queries(client, "/")
    grow(10)
    many = _queries(client, "/")
    assert len(many) == len(few) == HOME_QUERIES, "\n".join(many)
    assert _session_reads(many) == 1
    message_counts = [
        sql
        for sql in many
        if sql.startswith("SELECT COUNT(*)") and 'FROM "messaging_message"' in sql
    ]
    assert message_counts == [], "\n".join(message_counts)


# Session, user, membership, company; the company's listings (with whether each has photos
# and conversations); its live listings' titles, the recent matches, the counterparts shown;
# the unread conversations with their counts (their sum is the page's and the navigation's
# total: no count of the messages apart); the notifications' count; the moderator role
# (navigation).
HOME_QUERIES = 11
