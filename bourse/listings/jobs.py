"""Periodic jobs of the listings app (run by `manage.py run_scheduler`)."""

from datetime import timedelta

from bourse.core.schedule import periodic

from . import services


@periodic(every=timedelta(minutes=15), name="listings.expire")
def expire_listings() -> None:
    """Published listings past their expiry become expired, and their companies are told."""
    services.expire_listings()
