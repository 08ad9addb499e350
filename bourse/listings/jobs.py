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


@periodic(every=timedelta(hours=1), name="listings.ask_freshness")
def ask_freshness() -> None:
    """Companies are asked whether a listing expiring within 7 days, or untouched for 21 days,
    is still current (one e-mail with one-click answers, once per publication period)."""
    from . import freshness

    freshness.ask_freshness()
