"""Background work of the messaging app (django-tasks)."""

from django_tasks import task

from . import reminders


@task()
def send_message_reminders() -> int:
    """E-mail members who left a partner's message unread for 10 minutes (once each)."""
    return reminders.send_message_reminders()
