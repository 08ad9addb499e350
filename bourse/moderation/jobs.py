"""Periodic jobs of the moderation app (run by `manage.py run_scheduler`)."""

from datetime import timedelta

from bourse.core.schedule import periodic

from . import crises, summary


@periodic(every=timedelta(days=1), name="moderation.daily_summary")
def daily_summary() -> None:
    """The daily e-mail of their queues, for the moderators who chose it."""
    summary.daily_summaries_send()


@periodic(every=timedelta(minutes=1), name="moderation.crisis_steps")
def crisis_steps() -> None:
    """Audit the scheduled starts and the ends by date of crises (they happen by their dates
    alone; this writes them in the log, once)."""
    crises.crisis_steps_record()
