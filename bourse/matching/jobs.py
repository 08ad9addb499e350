"""Periodic jobs of the matching app (run by `manage.py run_scheduler`)."""

from datetime import timedelta

from bourse.core.schedule import periodic

from . import services


@periodic(every=timedelta(days=1), name="matching.saved_search_digest")
def saved_search_digest() -> None:
    """The daily e-mail of the new listings that fit each company's saved searches."""
    services.saved_search_digest_send()
