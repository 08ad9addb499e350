"""Background work of the listings app (django-tasks: inline by default, a worker in production)."""

from django_tasks import task

from . import services


@task()
def expire_listings_task() -> int:
    """Mark published listings past their expiry as expired; run it periodically (cron or a
    systemd timer calling `manage.py expire_listings`, which enqueues nothing and runs it now)."""
    return services.expire_listings()
