"""Periodic jobs of the accounts app (run by `manage.py run_scheduler`)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from bourse.core.outbox import defer
from bourse.core.schedule import periodic

from .registry import companies_to_recheck
from .tasks import check_company_registry


@periodic(every=timedelta(hours=1), name="accounts.registry_recheck")
def recheck_registry() -> int:
    """Ask the registry again about the verified companies it answered longest ago, a batch an
    hour (REGISTRY_RECHECK_BATCH) so the calls stay far under its rate limit; the worker asks,
    and moderators hear of establishments found closed. Returns how many were queued."""
    hour = timezone.now().strftime("%Y-%m-%dT%H")
    companies = companies_to_recheck(limit=settings.REGISTRY_RECHECK_BATCH)
    for company in companies:
        defer(check_company_registry, company.pk, key=f"accounts.recheck:{company.pk}:{hour}")
    return len(companies)
