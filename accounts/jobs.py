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


@periodic(every=timedelta(days=1), name="accounts.retire_inactive_accounts")
def retire_inactive_accounts() -> tuple[int, int]:
    """Accounts unused for RETENTION_ACCOUNT_MONTHS (24) are warned by e-mail, then deleted
    RETENTION_ACCOUNT_NOTICE_DAYS (30) later unless their owner logs in (RGPD retention)."""
    from . import services

    return services.retire_inactive_accounts()
