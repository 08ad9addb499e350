"""The platform's own periodic jobs: the outbox sweeper and the pruning of old rows."""

from datetime import timedelta

from django.utils import timezone

from . import outbox
from .schedule import periodic


@periodic(every=timedelta(seconds=30), name="core.outbox_sweep")
def outbox_sweep() -> None:
    """Rows due again after a failure, and rows a dead worker left behind, are run again."""
    outbox.sweep()


@periodic(every=timedelta(days=1), name="core.outbox_prune")
def outbox_prune() -> None:
    """Rows done for 30 days go, and so do the worker's task results finished 7 days ago;
    failed rows stay until staff retry them."""
    from django_tasks_db.models import DBTaskResult

    outbox.prune(older_than=timedelta(days=30))
    DBTaskResult.objects.finished().filter(
        finished_at__lte=timezone.now() - timedelta(days=7)
    ).delete()
