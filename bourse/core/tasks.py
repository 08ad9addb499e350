"""The django-tasks task that carries outbox rows to a worker (see bourse.core.outbox)."""

from django_tasks import task

from . import outbox


@task()
def deliver(entry_id: int) -> str:
    """Run one outbox row: send its e-mail or call its task, recording the outcome on the row
    (retries and failures are the row's business, so this task itself succeeds)."""
    return outbox.run_entry(entry_id)
