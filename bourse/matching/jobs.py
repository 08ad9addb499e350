"""Periodic jobs of the matching app (run by `manage.py run_scheduler`)."""

from datetime import timedelta

from bourse.core.schedule import periodic

from . import services


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
