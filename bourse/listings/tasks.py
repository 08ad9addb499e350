"""Background work of the listings app (django-tasks: inline by default, a worker in production)."""

from django_tasks import task

from . import services


@task()
def expire_listings_task() -> int:
    """Mark published listings past their expiry as expired (the scheduler runs the same work
    every 15 minutes: bourse/listings/jobs.py; `manage.py expire_listings` runs it now)."""
    return services.expire_listings()
