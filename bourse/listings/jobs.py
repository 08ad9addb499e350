"""Periodic jobs of the listings app (run by `manage.py run_scheduler`)."""

from datetime import timedelta

from bourse.core.schedule import periodic

from . import services


@periodic(every=timedelta(minutes=15), name="listings.expire")
def expire_listings() -> None:
    """Published listings past their expiry become expired, and their companies are told."""
    services.expire_listings()


@periodic(every=timedelta(days=1), name="listings.delete_stale_drafts")
def delete_stale_drafts() -> None:
    """Drafts untouched for RETENTION_DRAFT_MONTHS (6) are deleted (RGPD retention)."""
    services.delete_stale_drafts()
