"""The scheduler (bourse.core.schedule, `manage.py run_scheduler`): each job once per period
whatever the number of scheduler processes; a job that raises is logged, retried at its next
period, and never stops the others."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from bourse.core import schedule
from bourse.core.models import PeriodicJob

RUNS: list[str] = []


def good() -> None:
    RUNS.append("good")


def bad() -> None:
    RUNS.append("bad")
    raise RuntimeError("une conversation cassée")


@pytest.fixture
def jobs():
    RUNS.clear()
    return {
        "test.good": schedule.Job(
            name="test.good", every=timedelta(minutes=1), func=good, timeout=timedelta(minutes=1)
        ),
        "test.bad": schedule.Job(
            name="test.bad", every=timedelta(minutes=5), func=bad, timeout=timedelta(minutes=1)
        ),
    }


@pytest.mark.django_db
def test_a_failing_job_never_stops_the_others_and_runs_at_its_next_period(jobs):
    now = timezone.now()
    schedule.ensure_rows(jobs, now=now)
    assert schedule.run_due(jobs, owner="a", now=now) == {"test.bad": "failed", "test.good": "ok"}
    bad_row = PeriodicJob.objects.get(name="test.bad")
    assert "une conversation cassée" in bad_row.last_error
    assert bad_row.failures == 1 and bad_row.next_run_at == now + timedelta(minutes=5)
    assert schedule.status()["failing"] == ["test.bad"]

    # One minute on: only the good one is due.
    assert schedule.run_due(jobs, owner="a", now=now + timedelta(minutes=1)) == {"test.good": "ok"}
    # Five minutes on: the bad one is tried again.
    outcomes = schedule.run_due(jobs, owner="a", now=now + timedelta(minutes=5))
    assert outcomes["test.bad"] == "failed"
    assert RUNS.count("bad") == 2


@pytest.mark.django_db
def test_two_schedulers_run_each_period_once(jobs):
    now = timezone.now()
    schedule.ensure_rows(jobs, now=now)
    schedule.ensure_rows(jobs, now=now)  # the second process at start-up
    assert PeriodicJob.objects.count() == 2
    first = schedule.run_due(jobs, owner="a", now=now)
    second = schedule.run_due(jobs, owner="b", now=now + timedelta(seconds=1))
    assert set(first) == {"test.good", "test.bad"}
    assert second == {}
    assert RUNS == ["bad", "good"]


@pytest.mark.django_db
def test_a_job_held_by_a_live_lease_is_left_alone_and_taken_when_it_ends(jobs):
    now = timezone.now()
    schedule.ensure_rows(jobs, now=now)
    # Another process started the job and holds it (still running, or died).
    PeriodicJob.objects.filter(name="test.good").update(
        lease_until=now + timedelta(minutes=1), owner="dead"
    )
    assert "test.good" not in schedule.run_due(jobs, owner="a", now=now)
    assert schedule.run_due(jobs, owner="a", now=now + timedelta(minutes=2)) == {"test.good": "ok"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_run_forever_goes_on_after_a_failing_round_and_stops_on_request(jobs):
    stop = threading.Event()

    def stop_soon() -> None:
        RUNS.append("stop")
        stop.set()

    jobs["test.stop"] = schedule.Job(
        name="test.stop", every=timedelta(hours=1), func=stop_soon, timeout=timedelta(minutes=1)
    )
    runner = threading.Thread(
        target=schedule.run_forever, args=(jobs,), kwargs={"stop": stop, "max_sleep": 0.2}
    )
    runner.start()
    runner.join(timeout=30)
    assert not runner.is_alive()
    assert {"good", "bad", "stop"} <= set(RUNS)


def test_every_app_declares_its_jobs():
    jobs = schedule.autodiscover()
    assert {
        "core.outbox_sweep",
        "core.outbox_prune",
        "listings.expire",
        "messaging.reminders",
        "matching.saved_search_digest",
    } <= set(jobs)


@pytest.mark.django_db
def test_run_scheduler_once_runs_what_is_due():
    out = io.StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert "core.outbox_sweep: ok" in out.getvalue()
    assert "messaging.reminders: ok" in out.getvalue()
    out = io.StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert out.getvalue() == ""  # nothing due a second time
    assert schedule.status() == {"failing": [], "overdue": [], "never_run": []}
    listed = io.StringIO()
    call_command("run_scheduler", "--list", stdout=listed)
    assert "listings.expire" in listed.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_scheduler_processes_racing_for_the_same_period_run_it_once():
    """Two schedulers (threads with their own connections) look at the same due job at the same
    instant: the conditional UPDATE lets one of them run it."""
    from django.db import connection

    runs = []
    gate = threading.Barrier(2)

    def slow() -> None:
        runs.append(threading.current_thread().name)

    jobs = {
        "test.race": schedule.Job(
            name="test.race", every=timedelta(minutes=1), func=slow, timeout=timedelta(minutes=1)
        )
    }
    now = timezone.now()
    schedule.ensure_rows(jobs, now=now)

    def scheduler(owner: str) -> None:
        try:
            gate.wait(timeout=10)
            schedule.run_due(jobs, owner=owner, now=now)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler, args=(f"s{i}",), name=f"s{i}") for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(runs) == 1
    assert PeriodicJob.objects.get(name="test.race").runs == 1
