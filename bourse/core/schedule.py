"""Periodic jobs declared in code, run by `manage.py run_scheduler`; no cron needed.

An app declares its jobs in its `jobs.py` (found at start-up, like admin.py):

    @periodic(every=timedelta(minutes=1), name="messaging.reminders")
    def send_reminders() -> None: ...

The scheduler keeps one `PeriodicJob` row per name with the time it runs next. To run a job a
process moves the row's lease forward with one conditional UPDATE (due, and no live lease):
with two scheduler processes (two machines, or a rolling restart) exactly one runs each period,
and a process that dies mid-job hands it over when its lease ends. A job that raises is logged,
its error kept on its row (admin, /healthz), and it runs again at its next period; the others
go on. A job's work must be idempotent: a lease that ends while the job still runs (it took
longer than `timeout`) lets another process start it again.

Jobs run in the scheduler process itself and should be short: what takes time (e-mails,
matching) they hand to the outbox, which the worker runs.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import close_old_connections
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import PeriodicJob

logger = logging.getLogger("bourse.scheduler")

DEFAULT_MAX_TIMEOUT = timedelta(minutes=10)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    func: Callable[[], object]
    timeout: timedelta


_registry: dict[str, Job] = {}


def periodic(*, every: timedelta, name: str, timeout: timedelta | None = None):
    """Declare `func` a job run every `every`. `timeout`: how long one run may hold the job
    before another process may take it (default: its period, at most 10 minutes)."""
    if every <= timedelta(0):
        raise ValueError("a periodic job needs a positive period")

    def decorate(func):
        job = Job(
            name=name,
            every=every,
            func=func,
            timeout=timeout or min(every, DEFAULT_MAX_TIMEOUT),
        )
        known = _registry.get(name)
        if known is not None and known.func.__qualname__ != func.__qualname__:
            raise ValueError(f"two periodic jobs are named {name!r}")
        _registry[name] = job
        return func

    return decorate


def autodiscover() -> dict[str, Job]:
    """Import every installed app's `jobs` module; returns the jobs declared."""
    autodiscover_modules("jobs")
    return dict(_registry)


def registered() -> dict[str, Job]:
    return dict(_registry)


def new_owner() -> str:
    """A name for this scheduler process, shown on the rows it holds."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:100]


def ensure_rows(jobs: dict[str, Job], *, now: datetime | None = None) -> None:
    """A row per job; a new job is due at once."""
    now = now or timezone.now()
    PeriodicJob.objects.bulk_create(
        [PeriodicJob(name=name, next_run_at=now) for name in jobs], ignore_conflicts=True
    )


def _acquire(job: Job, *, owner: str, now: datetime) -> bool:
    return bool(
        PeriodicJob.objects.filter(name=job.name, next_run_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + job.timeout, owner=owner, last_started_at=now)
    )


def _run(job: Job, *, owner: str, started: datetime) -> str:
    error = ""
    try:
        job.func()
    except Exception as exc:  # noqa: BLE001 - one job's failure never stops the others
        logger.exception("periodic job %s failed; it runs again at its next period", job.name)
        error = f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"[:2000]
    PeriodicJob.objects.filter(name=job.name, owner=owner).update(
        next_run_at=started + job.every,
        lease_until=None,
        last_finished_at=timezone.now(),
        last_error=error,
        runs=F("runs") + 1,
        failures=F("failures") + (1 if error else 0),
    )
    return "failed" if error else "ok"


def run_due(jobs: dict[str, Job], *, owner: str, now: datetime | None = None) -> dict[str, str]:
    """Run each job that is due and that this process wins. Returns {name: "ok"|"failed"}."""
    now = now or timezone.now()
    due = set(
        PeriodicJob.objects.filter(name__in=list(jobs), next_run_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .values_list("name", flat=True)
    )
    outcomes = {}
    for name in sorted(due):
        job = jobs[name]
        if _acquire(job, owner=owner, now=now):
            outcomes[name] = _run(job, owner=owner, started=now)
    return outcomes


def seconds_until_next(jobs: dict[str, Job], *, now: datetime | None = None) -> float:
    now = now or timezone.now()
    upcoming = (
        PeriodicJob.objects.filter(name__in=list(jobs))
        .order_by("next_run_at")
        .values_list("next_run_at", flat=True)
        .first()
    )
    if upcoming is None:
        return 0.0
    return max((upcoming - now).total_seconds(), 0.0)


def run_forever(
    jobs: dict[str, Job],
    *,
    stop: threading.Event,
    max_sleep: float = 5.0,
    owner: str | None = None,
) -> None:
    """The scheduler's loop: run what is due, sleep until the next job (at most `max_sleep`,
    so a job that another process ran is seen), until `stop` is set. A database that does not
    answer is logged and tried again; nothing here ends the loop but `stop`."""
    owner = owner or new_owner()
    logger.info("scheduler %s: %d job(s): %s", owner, len(jobs), ", ".join(sorted(jobs)))
    rows_ready = False
    while not stop.is_set():
        wait = max_sleep
        close_old_connections()
        try:
            if not rows_ready:
                ensure_rows(jobs)
                rows_ready = True
            run_due(jobs, owner=owner)
            wait = min(seconds_until_next(jobs), max_sleep)
        except Exception:
            logger.exception("scheduler %s: this round failed; trying again", owner)
        close_old_connections()
        stop.wait(max(wait, 0.2))


def status() -> dict:
    """What /healthz reports: jobs whose last run raised, jobs overdue by more than a period
    (no scheduler running, or one stuck), and jobs that never ran (no scheduler ever started)."""
    now = timezone.now()
    jobs = autodiscover()
    failing, overdue = [], []
    rows = list(PeriodicJob.objects.all())
    never_run = sorted(set(jobs) - {row.name for row in rows if row.runs})
    for row in rows:
        if row.last_error:
            failing.append(row.name)
        job = jobs.get(row.name)
        if job is not None and row.next_run_at < now - max(job.every, timedelta(minutes=2)):
            overdue.append(row.name)
    return {"failing": failing, "overdue": overdue, "never_run": never_run}
