"""Periodic jobs of the messaging app (run by `manage.py run_scheduler`)."""

from datetime import timedelta

from bourse.core.schedule import periodic

from . import reminders, services


@periodic(every=timedelta(minutes=1), name="messaging.reminders")
def send_message_reminders() -> None:
    """E-mail members who left a partner's message unread for 10 minutes (once each)."""
    reminders.send_message_reminders()


@periodic(every=timedelta(days=1), name="messaging.anonymise_inactive_conversations")
def anonymise_inactive_conversations() -> None:
    """Conversations without a message for RETENTION_CONVERSATION_MONTHS (24) lose their
    messages' text and authors (RGPD retention)."""
    services.anonymise_inactive_conversations()


@periodic(every=timedelta(hours=1), name="messaging.follow_up_deals")
def follow_up_deals() -> None:
    """Both companies of a conversation started 21 days ago are asked, once, whether an
    exchange happened (one-click answers; the statistics count them)."""
    from . import followup

    followup.ask()
