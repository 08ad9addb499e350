"""Periodic jobs of the moderation app (run by `manage.py run_scheduler`)."""

from datetime import timedelta

from bourse.core.schedule import periodic

from . import summary


@periodic(every=timedelta(days=1), name="moderation.daily_summary")
def daily_summary() -> None:
    """The daily e-mail of their queues, for the moderators who chose it."""
    summary.daily_summaries_send()
