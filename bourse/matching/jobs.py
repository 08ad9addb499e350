"""Periodic jobs of the matching app (run by `manage.py run_scheduler`)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from bourse.core.outbox import defer
from bourse.core.schedule import periodic

from . import services
from .tasks import refresh_suggestion_lists

# Lists one background task fills or refreshes.
REFRESH_CHUNK = 50


@periodic(every=timedelta(minutes=10), name="matching.refresh_suggestions")
def refresh_suggestions() -> None:
    """Stored suggestions kept current: the lists of listings that left are deleted, and the
    live listings without a list (a company reinstated, listings from before the lists) or
    with a list computed before today (availability counts from today) are handed to
    background tasks, by chunks of REFRESH_CHUNK."""
    services.lists_of_gone_listings_delete()
    missing, stale = services.lists_to_refresh()
    ids = missing + stale
    stamp = timezone.now().strftime("%Y%m%d%H%M")
    with transaction.atomic():
        for start in range(0, len(ids), REFRESH_CHUNK):
            chunk = ids[start : start + REFRESH_CHUNK]
            defer(refresh_suggestion_lists, chunk, key=f"matching.refresh:{stamp}:{chunk[0]}")


@periodic(every=timedelta(days=1), name="matching.saved_search_digest")
def saved_search_digest() -> None:
    """The daily e-mail of the new listings that fit each company's saved searches."""
    services.saved_search_digest_send()


@periodic(every=timedelta(days=7), name="matching.saved_search_weekly_digest")
def saved_search_weekly_digest() -> None:
    """The weekly e-mail of the saved-search hits of the week, for members who chose it."""
    services.saved_search_weekly_send()


@periodic(every=timedelta(days=1), name="matching.match_digest")
def match_digest() -> None:
    """The daily e-mail of new matches, for members who chose it over one e-mail per match."""
    services.match_digest_send()
