"""The production worker (`manage.py db_worker`, TASKS_BACKEND=database) as a process on a
database of its own (a SQLite file, or a throwaway PostgreSQL database when the suite runs on
PostgreSQL), sending to a real SMTP server (aiosmtpd):

- killed (SIGKILL) while the SMTP server holds its e-mail: the task it held stays RUNNING in
  django-tasks-db; once the lease ends the scheduler's sweeper (`run_scheduler --once`) queues
  the e-mail again, another worker sends it, and it arrives once;
- the same e-mail's task queued a second time sends nothing more.
"""

import json
import os
import signal
import subprocess
import time

import pytest

from bourse.core.outbox import message_id
from tests.live_server import PYTHON, ROOT, base_env, free_port, migrated_database
from tests.smtp_sink import SMTPSink

LEASE_SECONDS = 4

ENQUEUE = """
from django.db import transaction
from bourse.core import outbox
with transaction.atomic():
    entry = outbox.send_email(
        key="proof:invitation", to="invite@exemple.fr", template="accounts/email/invitation",
        context={"company": "Alpha", "inviter_name": "Ann", "url": "http://x/i/1/",
                 "email": "invite@exemple.fr"},
    )
print(entry.pk)
"""

STATE = """
import json
from bourse.core.models import OutboxEntry
from django_tasks_db.models import DBTaskResult
entry = OutboxEntry.objects.get(key="proof:invitation")
print(json.dumps({
    "status": entry.status, "attempts": entry.attempts, "error": entry.last_error,
    "tasks": sorted(DBTaskResult.objects.values_list("status", flat=True)),
}))
"""


def manage(env: dict, *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def state_of(env: dict) -> dict:
    return json.loads(manage(env, "shell", "-c", STATE).strip().splitlines()[-1])


def worker(env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(
        [
            PYTHON,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--no-reload",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@pytest.fixture
def worker_env(tmp_path):
    port = free_port()
    with migrated_database(tmp_path, "worker") as database_url:
        env = base_env(
            database_url,
            TASKS_BACKEND="database",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(port),
            EMAIL_TIMEOUT="120",
            OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
            DEBUG="false",
        )
        yield env, port


def test_worker_killed_mid_email_delivers_it_once_after_the_sweeper(worker_env, tmp_path):
    env, port = worker_env
    entry_id = manage(env, "shell", "-c", ENQUEUE).strip().splitlines()[-1]
    with SMTPSink(port, stall=True) as sink, open(tmp_path / "worker.log", "wb") as log:
        first = worker(env, log)
        try:
            # The worker took the task and is in the middle of the SMTP exchange.
            assert sink.wait_until(lambda: sink.stalled == 1, timeout=60), (
                tmp_path / "worker.log"
            ).read_text()
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        sink.stalling.clear()
        state = state_of(env)
        assert state["status"] == "running" and state["attempts"] == 1
        assert state["tasks"] == ["RUNNING"]  # django-tasks-db would leave it so for ever

        # Before the lease ends the sweeper leaves it alone; after, it queues it again.
        time.sleep(LEASE_SECONDS + 0.5)
        manage(env, "run_scheduler", "--once")
        state = state_of(env)
        assert state["tasks"] == ["FAILED", "READY"]

        manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload")
        assert sink.message_ids() == [message_id("proof:invitation")]
        state = state_of(env)
        assert state["status"] == "done" and state["attempts"] == 2

        # A task run twice (queued again by hand): nothing more is sent.
        manage(
            env,
            "shell",
            "-c",
            f"from bourse.core.tasks import deliver; deliver.enqueue({entry_id})",
        )
        manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload")
        assert sink.message_ids() == [message_id("proof:invitation")]
    assert len(sink.messages) == 1
    assert sink.messages[0]["To"] == "invite@exemple.fr"
