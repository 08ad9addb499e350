"""Run the periodic jobs declared in the apps' `jobs.py` (bourse.core.schedule).

A production process next to the web server and `manage.py db_worker`; two of them may run at
once (each period runs once). `--once` runs what is due now and exits; `--list` prints the
jobs.
"""

import signal
import threading

from django.core.management.base import BaseCommand

from bourse.core import schedule


class Command(BaseCommand):
    help = "Run the periodic jobs (expiry, reminders, digest, outbox sweeper) on their periods."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run what is due, then exit.")
        parser.add_argument("--list", action="store_true", help="List the jobs and exit.")
        parser.add_argument(
            "--max-sleep",
            type=float,
            default=5.0,
            help="Longest sleep between two looks at the jobs (seconds).",
        )

    def handle(self, *args, once=False, list=False, max_sleep=5.0, **options):  # noqa: A002
        jobs = schedule.autodiscover()
        if list:
            for job in sorted(jobs.values(), key=lambda j: j.name):
                self.stdout.write(f"{job.name}\tevery {job.every}")
            return
        if once:
            schedule.ensure_rows(jobs)
            outcomes = schedule.run_due(jobs, owner=schedule.new_owner())
            for name, outcome in sorted(outcomes.items()):
                self.stdout.write(f"{name}: {outcome}")
            return
        stop = threading.Event()

        def request_stop(signum, frame):
            self.stderr.write("Stopping after the current job…")
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        schedule.run_forever(jobs, stop=stop, max_sleep=max_sleep)
