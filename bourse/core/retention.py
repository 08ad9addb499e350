"""Retention periods (RGPD) as points in time: the retention jobs of accounts, listings and
messaging ask `cutoff(months)` what "untouched for N months" means today."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone


def cutoff(months: int, *, now: datetime | None = None) -> datetime:
    """The moment `months` calendar months (on average: 365.25 / 12 days each) before `now`."""
    return (now or timezone.now()) - timedelta(days=round(months * 365.25 / 12))
