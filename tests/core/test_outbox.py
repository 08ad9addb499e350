"""The side-effect path (bourse.core.outbox): stored in the transaction, run after commit, sent
once per key, retried with backoff, visible to staff; inline backend and database backend."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from bourse.core import outbox
from bourse.core.models import OutboxEntry
from tests import factories

Status = OutboxEntry.Status
CLOSED_SMTP = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 9,  # discard: nothing listens, the connection is refused at once
    "EMAIL_TIMEOUT": 2,
}

CALLS: list = []


@task()
def record_call(value: str) -> str:
    CALLS.append(value)
    return value


@pytest.fixture(autouse=True)
def _no_calls():
    CALLS.clear()
    yield
    CALLS.clear()


def _invitation_like(key="event:1", to="ann@example.com", **context):
    return outbox.send_email(
        key=key,
        to=to,
        template="core/email/test",
        context={"title": "Palettes", **context},
    )


@pytest.fixture
def test_template(tmp_path, settings):
    folder = tmp_path / "templates" / "core" / "email"
    folder.mkdir(parents=True)
    (folder / "test_subject.txt").write_text("Annonce {{ title }}")
    (folder / "test_message.txt").write_text("Bonjour,\n{{ title }} & {{ site_url }}\n")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return folder


@pytest.mark.django_db
def test_email_leaves_after_commit_once_per_key(test_template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _invitation_like()
        _invitation_like()  # the same event again: stored once
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[Bourse d'entraide] Annonce Palettes"
    # Plain text is not HTML-escaped.
    assert "Palettes & http" in message.body
    assert message.extra_headers["Message-ID"] == outbox.message_id("event:1")
    entry = OutboxEntry.objects.get()
    assert entry.status == Status.DONE and entry.attempts == 1
    # Run again (a duplicate vehicle): nothing more is sent.
    assert outbox.run_entry(entry.pk) == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_emails_stored_together_leave_after_commit_once_per_key(
    test_template, django_capture_on_commit_callbacks
):
    def email(key, to):
        return outbox.Email(
            key=key, to=to, template="core/email/test", context={"title": "Palettes"}
        )

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _invitation_like(key="event:1", to="ann@example.com")  # stored before, one by one
        outbox.send_emails(
            [
                email("event:1", "ann@example.com"),  # already stored: left alone
                email("event:2", "bob@example.com"),
                email("event:2", "bob@example.com"),  # twice in one call: once
                email("event:3", "cyd@example.com"),
            ]
        )
        outbox.send_emails([email("event:3", "cyd@example.com")])  # replayed: nothing more
        assert mail.outbox == []
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ann@example.com",
        "bob@example.com",
        "cyd@example.com",
    ]
    assert OutboxEntry.objects.filter(status=Status.DONE).count() == 3


@pytest.mark.django_db
def test_rolled_back_emails_stored_together_send_nothing(
    test_template, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.send_emails(
            [outbox.Email(key="event:9", to="ann@example.com", template="core/email/test")]
        )
        raise RuntimeError("the change fails")
    assert OutboxEntry.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_rolled_back_change_sends_nothing(test_template, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _invitation_like()
        raise RuntimeError("the change fails")
    assert OutboxEntry.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_user_text_cannot_break_the_subject(test_template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invitation_like(title="Palettes\r\nBcc: victim@example.com\u202e\x00")
    assert len(mail.outbox) == 1
    subject = mail.outbox[0].subject
    assert "\n" not in subject and "\r" not in subject and "\u202e" not in subject
    assert subject == "[Bourse d'entraide] Annonce Palettes Bcc: victim@example.com"
    assert mail.outbox[0].to == ["ann@example.com"]


def test_safe_subject_cuts_long_text():
    line = outbox.safe_subject("a" * 500)
    assert len(line) == outbox.SUBJECT_MAX_LENGTH and line.endswith("…")
    assert outbox.safe_subject("  un\u2028deux\tthree  ") == "un deux three"


@pytest.mark.django_db
def test_smtp_down_never_raises_and_retries_with_backoff(
    test_template, settings, django_capture_on_commit_callbacks
):
    for name, value in CLOSED_SMTP.items():
        setattr(settings, name, value)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _invitation_like()
    entry = OutboxEntry.objects.get()
    assert entry.status == Status.PENDING
    assert entry.attempts == 1
    assert "ConnectionRefusedError" in entry.last_error
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    assert before + timedelta(seconds=base) <= entry.run_after
    assert entry.run_after <= timezone.now() + timedelta(seconds=base * 1.2 + 1)
    # Not due yet: the sweeper leaves it.
    assert outbox.sweep() == 0
    # Second failure: the wait doubles.
    later = entry.run_after + timedelta(seconds=1)
    assert outbox.sweep(now=later) == 1
    entry.refresh_from_db()
    assert entry.attempts == 2
    assert entry.run_after - later >= timedelta(seconds=2 * base)
    # SMTP back: delivered once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.sweep(now=entry.run_after + timedelta(seconds=1)) == 1
    assert len(mail.outbox) == 1
    entry.refresh_from_db()
    assert entry.status == Status.DONE
    assert outbox.sweep(now=entry.run_after + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_gives_up_after_max_attempts_and_staff_retry(
    test_template, settings, admin_client, django_capture_on_commit_callbacks
):
    for name, value in CLOSED_SMTP.items():
        setattr(settings, name, value)
    settings.OUTBOX_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        _invitation_like()
    entry = OutboxEntry.objects.get()
    outbox.sweep(now=entry.run_after + timedelta(seconds=1))
    entry.refresh_from_db()
    assert entry.status == Status.FAILED
    assert outbox.stats()["failed"] == 1
    assert admin_client.get("/healthz").json()["outbox"]["failed"] == 1

    page = admin_client.get("/admin/core/outboxentry/?status__exact=failed")
    assert page.status_code == 200
    assert "ConnectionRefusedError" in page.content.decode()
    assert "core/email/test" in page.content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/core/outboxentry/",
            {"action": "retry_now", "_selected_action": [entry.pk]},
        )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Status.DONE
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_run_lost_with_its_worker_is_taken_up_again(test_template):
    entry = _invitation_like()  # no commit hook runs here: nothing sent yet
    now = timezone.now()
    # A worker claimed it, then died (its lease runs on).
    OutboxEntry.objects.filter(pk=entry.pk).update(
        status=Status.RUNNING, attempts=1, lease_until=now + timedelta(seconds=30)
    )
    assert outbox.sweep(now=now) == 0
    assert outbox.run_entry(entry.pk, now=now) == "skipped"  # someone holds it
    assert outbox.sweep(now=now + timedelta(seconds=31)) == 1
    entry.refresh_from_db()
    assert entry.status == Status.DONE and entry.attempts == 2
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_email_to_a_deactivated_user_is_not_sent(test_template):
    user = factories.UserFactory()
    entry = _invitation_like(to=user)
    user.is_active = False
    user.save()
    assert outbox.run_entry(entry.pk) == "done"
    entry.refresh_from_db()
    assert "désactivé" in entry.last_error
    assert mail.outbox == []


@pytest.mark.django_db
def test_email_to_a_user_goes_to_their_current_address(test_template):
    user = factories.UserFactory(email="old@example.com")
    entry = _invitation_like(to=user)
    user.email = "new@example.com"
    user.save()
    assert outbox.run_entry(entry.pk) == "done"
    assert mail.outbox[0].to == ["new@example.com"]


def test_recipient_language_hook(settings):
    class Someone:
        language = "en"

    assert outbox.recipient_language(Someone()) == "en"
    assert outbox.recipient_language(None) == settings.LANGUAGE_CODE
    Someone.language = "xx"
    assert outbox.recipient_language(Someone()) == settings.LANGUAGE_CODE


@pytest.mark.django_db
def test_deferred_task_runs_after_commit_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox.defer(record_call, "a", key="call:a")
        outbox.defer(record_call, "a", key="call:a")
        assert CALLS == []
    assert CALLS == ["a"]
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.defer(record_call, "b", key="call:b")
        raise RuntimeError
    assert CALLS == ["a"]


def test_defer_refuses_what_is_not_a_task():
    with pytest.raises(TypeError):
        outbox.defer(print, key="x")


# --- The database backend: the vehicle is a row of the same transaction ------------------------


@pytest.fixture
def database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_backend_queues_in_the_transaction_and_db_worker_sends(
    test_template, database_backend, settings
):
    from django_tasks_db.models import DBTaskResult

    with pytest.raises(RuntimeError), transaction.atomic():
        _invitation_like(key="rolled-back")
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError
    assert DBTaskResult.objects.count() == 0 and OutboxEntry.objects.count() == 0

    with transaction.atomic():
        entry = _invitation_like()
        outbox.defer(record_call, "z", key="call:z")
    assert mail.outbox == [] and CALLS == []
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert len(mail.outbox) == 1 and CALLS == ["z"]
    entry.refresh_from_db()
    assert entry.status == Status.DONE


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_backend_retry_is_queued_for_later(test_template, database_backend, settings):
    from django_tasks_db.models import DBTaskResult

    for name, value in CLOSED_SMTP.items():
        setattr(settings, name, value)
    entry = _invitation_like()
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    entry.refresh_from_db()
    assert entry.status == Status.PENDING and entry.attempts == 1
    retry_task = DBTaskResult.objects.get(id=entry.task_id)
    assert retry_task.status == "READY"
    assert abs((retry_task.run_after - entry.run_after).total_seconds()) < 1
    # Waiting in the queue: the sweeper does not queue it twice, even once due.
    assert outbox.sweep(now=entry.run_after + timedelta(seconds=1)) == 0

    # The vehicle is lost (pruned by hand, say): the sweeper queues another one.
    DBTaskResult.objects.all().delete()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.sweep(now=entry.run_after + outbox.SWEEP_GRACE + timedelta(seconds=1)) == 1
    OutboxEntry.objects.filter(pk=entry.pk).update(run_after=timezone.now())
    DBTaskResult.objects.update(run_after=timezone.now())
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_backend_closes_the_task_of_a_dead_worker(test_template, database_backend):
    from django_tasks_db.models import DBTaskResult

    entry = _invitation_like()
    # What a worker killed mid-task leaves: its task RUNNING, the row running with a lease.
    DBTaskResult.objects.filter(id=entry.task_id).update(status="RUNNING")
    now = timezone.now()
    OutboxEntry.objects.filter(pk=entry.pk).update(
        status=Status.RUNNING, attempts=1, lease_until=now
    )
    assert outbox.sweep(now=now + timedelta(seconds=1)) == 1
    lost = DBTaskResult.objects.get(id=entry.task_id)
    assert lost.status == "FAILED" and "WorkerLost" in lost.exception_class_path
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    entry.refresh_from_db()
    assert entry.status == Status.DONE and entry.attempts == 2
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_code_is_never_shown_to_staff_and_not_kept_once_sent(admin_client):
    entry = outbox.send_rendered_email(
        key="allauth:code:1",
        to="new@example.com",
        subject="[Bourse d'entraide] Votre code",
        body="Votre code : ABCD-EFGH",
        sensitive=True,
    )
    page = admin_client.get(f"/admin/core/outboxentry/{entry.pk}/change/").content.decode()
    assert "ABCD-EFGH" not in page and "Votre code" in page
    assert outbox.run_entry(entry.pk) == "done"
    assert "ABCD-EFGH" in mail.outbox[0].body
    entry.refresh_from_db()
    assert "ABCD-EFGH" not in str(entry.payload)
